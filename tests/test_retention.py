"""Candidate data retention: `flask purge-candidates`."""

import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.candidates.models import Candidate
from app.candidates.retention import REDACTED
from app.candidates.services import resume_path, store_resume
from app.db_types import utcnow
from app.extensions import db
from app.feedback.models import Feedback, FeedbackRating, FeedbackStatus
from app.loops.models import Loop, LoopStatus, Step
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(app):
    """A loop closed 400 days ago, one closed last week, and an open one, each with submitted feedback."""
    with app.app_context():
        long_ago = utcnow() - timedelta(days=400)
        old = factories.make_loop(step=Step.DEBRIEF, outcome="no_hire", status=LoopStatus.NOT_HIRED,
                                  closed_at=long_ago, phone_screen_evidence="Talked about her time at Acme.")
        recent = factories.make_loop(step=Step.DEBRIEF, outcome="no_hire", status=LoopStatus.NOT_HIRED,
                                     closed_at=utcnow() - timedelta(days=7))
        still_open = factories.make_loop(step=Step.DEBRIEF)
        store_resume(old.candidate, PDF, "cv.pdf")
        db.session.commit()
        return {"old": old.candidate_id, "recent": recent.candidate_id, "open": still_open.candidate_id,
                "old_loop": old.id, "resume": resume_path(old.candidate)}


def counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Feedback)),
                db.session.scalar(select(func.count()).select_from(Loop)),
                db.session.scalar(select(func.count()).select_from(Feedback).where(
                    Feedback.status == FeedbackStatus.SUBMITTED)))


def test_dry_run_lists_and_changes_nothing(app, runner, world):
    result = runner.invoke(args=["purge-candidates", "--older-than", "365", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"#{world['old']} " in result.output and f"#{world['recent']} " not in result.output
    assert "Would anonymize 1 candidate(s)" in result.output
    with app.app_context():
        assert db.session.get(Candidate, world["old"]).anonymized_at is None


def test_purge_anonymizes_old_candidates_and_keeps_the_counts(app, runner, world):
    before = counts(app)
    result = runner.invoke(args=["purge-candidates", "--older-than", "365"])
    assert result.exit_code == 0, result.output
    assert "Anonymized 1 candidate(s)" in result.output
    assert counts(app) == before  # metrics keep their counts
    with app.app_context():
        old = db.session.get(Candidate, world["old"])
        assert old.name == f"Candidate #{old.id} (removed)" and old.email is None and old.resume_file is None
        assert old.anonymized_at is not None
        evidence = db.session.scalars(select(FeedbackRating.evidence).join(Feedback).join(Feedback.interview)
                                      .where(factories.Interview.loop_id == world["old_loop"])).all()
        assert evidence and set(evidence) == {REDACTED}
        assert db.session.get(Candidate, world["recent"]).anonymized_at is None
        assert db.session.get(Candidate, world["open"]).anonymized_at is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "candidate.anonymized"))
        assert entry.subject_id == world["old"]
    assert not os.path.exists(world["resume"])
    again = runner.invoke(args=["purge-candidates", "--older-than", "365"])
    assert "Anonymized 0 candidate(s)" in again.output


def test_the_seal_admits_only_the_redaction_marker(app, world):
    with app.app_context():
        rating = db.session.scalar(select(FeedbackRating).join(Feedback).join(Feedback.interview)
                                   .where(factories.Interview.loop_id == world["old_loop"]))
        rating.evidence = "rewritten history"
        with pytest.raises(Exception, match="sealed"):
            db.session.flush()
        db.session.rollback()


def test_older_than_must_be_a_positive_number(runner):
    assert runner.invoke(args=["purge-candidates", "--older-than", "0"]).exit_code != 0
    assert runner.invoke(args=["purge-candidates"]).exit_code != 0
