"""What the database itself refuses, whatever the code above it does."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.audit.models import AuditEntry, AuditTrailIsAppendOnly
from app.audit.services import record
from app.auth.gate import public
from app.db_types import utcnow
from app.debrief.models import DebriefDecision, Outcome, Verdict
from app.extensions import db
from app.feedback.models import Feedback, Vote
from app.loops.models import Loop, LoopStatus, Step
from app.people.models import User
from tests import factories
from tests.conftest import dispose, make_app, reset_postgres


def refused(statement, **params):
    """Run raw SQL and return whether the database refused it."""
    try:
        with db.session.begin_nested():
            db.session.execute(sa.text(statement), params)
    except (IntegrityError, DBAPIError):
        return True
    return False


def test_e_mails_are_unique_whatever_their_case(ctx):
    factories.make_user(email="pat@example.test")
    db.session.flush()
    assert refused("INSERT INTO users (email, name, password_hash, is_admin, is_recruiter, certification, "
                   "active, timezone, session_token, created_at) VALUES ('Pat@Example.test', 'Pat', 'x', "
                   "false, false, 'none', true, 'UTC', 't', CURRENT_TIMESTAMP)")
    assert refused("INSERT INTO users (email, name, password_hash, is_admin, is_recruiter, certification, "
                   "active, timezone, session_token, created_at) VALUES ('pat@example.test', 'Pat', 'x', "
                   "false, false, 'none', true, 'UTC', 't', CURRENT_TIMESTAMP)")


def test_unknown_enum_values_are_refused(ctx):
    user = factories.make_user()
    db.session.flush()
    assert refused("UPDATE users SET certification = 'guru' WHERE id = :id", id=user.id)


def test_bar_raiser_cannot_be_the_hiring_manager_or_recruiter(ctx):
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS)
    assert refused("UPDATE loops SET bar_raiser_id = hiring_manager_id WHERE id = :id", id=loop.id)
    assert refused("UPDATE loops SET bar_raiser_id = recruiter_id WHERE id = :id", id=loop.id)
    assert refused("UPDATE loops SET shadow_id = bar_raiser_id WHERE id = :id", id=loop.id)


def test_loops_stay_within_steps_two_to_eight_and_need_a_bar_raiser_from_feedback_on(ctx):
    loop = factories.make_loop(step=Step.RESUME_REVIEW)
    assert refused("UPDATE loops SET step = 1 WHERE id = :id", id=loop.id)
    assert refused("UPDATE loops SET step = 9 WHERE id = :id", id=loop.id)
    assert refused("UPDATE loops SET step = 5 WHERE id = :id", id=loop.id)  # no bar raiser yet


def test_closing_needs_a_time_and_a_rejection_needs_a_reason(ctx):
    loop = factories.make_loop(step=Step.PHONE_SCREEN)
    assert refused("UPDATE loops SET status = 'rejected', closed_at = CURRENT_TIMESTAMP, close_reason = ' ' "
                   "WHERE id = :id", id=loop.id)
    assert refused("UPDATE loops SET status = 'withdrawn' WHERE id = :id", id=loop.id)
    assert refused("UPDATE loops SET status = 'hired', closed_at = CURRENT_TIMESTAMP WHERE id = :id", id=loop.id)


def test_a_closed_loop_is_read_only(ctx):
    loop = factories.make_loop(step=Step.PHONE_SCREEN, status=LoopStatus.WITHDRAWN)
    assert refused("UPDATE loops SET step = 4 WHERE id = :id", id=loop.id)
    assert refused("UPDATE loops SET status = 'open', closed_at = NULL WHERE id = :id", id=loop.id)


def test_one_counted_feedback_per_interview(ctx):
    loop = factories.make_loop(step=Step.DEBRIEF)
    interview = loop.interviews[-1]
    other = factories.make_user()
    db.session.add(Feedback(interview=interview, author=other))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_submitted_feedback_is_sealed(ctx):
    loop = factories.make_loop(step=Step.DEBRIEF)
    feedback = loop.interviews[-1].feedbacks[0]
    assert refused("UPDATE feedback SET vote = 'strongly_not_inclined' WHERE id = :id", id=feedback.id)
    assert refused("UPDATE feedback SET status = 'draft', submitted_at = NULL WHERE id = :id", id=feedback.id)
    assert refused("UPDATE feedback_ratings SET evidence = 'rewritten' WHERE feedback_id = :id", id=feedback.id)
    assert refused("DELETE FROM feedback_ratings WHERE feedback_id = :id", id=feedback.id)
    assert refused("DELETE FROM feedback WHERE id = :id", id=feedback.id)


def test_a_draft_can_be_saved_again_and_again(ctx):
    loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK)
    interview = loop.interviews[-1]
    draft = Feedback(interview=interview, author=interview.interviewer, summary="first pass")
    db.session.add(draft)
    db.session.flush()
    for text in ("second pass", "third pass"):
        draft.summary = text
        db.session.flush()
    assert draft.version == 3


def test_a_veto_is_final_and_a_decision_is_made_once(ctx):
    loop = factories.make_loop(step=Step.DEBRIEF, outcome=Outcome.HIRE, verdict=Verdict.VETO)
    decision = db.session.scalar(sa.select(DebriefDecision).where(DebriefDecision.loop_id == loop.id))
    assert refused("UPDATE debrief_decisions SET verdict = 'concur' WHERE id = :id", id=decision.id)
    assert refused("UPDATE debrief_decisions SET verdict = NULL, verdict_at = NULL WHERE id = :id", id=decision.id)
    assert refused("DELETE FROM debrief_decisions WHERE id = :id", id=decision.id)


def test_a_decision_cannot_change_its_outcome(ctx):
    loop = factories.make_loop(step=Step.DEBRIEF, outcome=Outcome.HIRE)
    decision = db.session.scalar(sa.select(DebriefDecision).where(DebriefDecision.loop_id == loop.id))
    assert refused("UPDATE debrief_decisions SET outcome = 'no_hire' WHERE id = :id", id=decision.id)


def test_a_veto_only_says_no(ctx):
    loop = factories.make_loop(step=Step.DEBRIEF, outcome=Outcome.NO_HIRE)
    decision = db.session.scalar(sa.select(DebriefDecision).where(DebriefDecision.loop_id == loop.id))
    assert refused("UPDATE debrief_decisions SET verdict = 'concur', verdict_rationale = 'x', "
                   "verdict_at = CURRENT_TIMESTAMP, verdict_by_id = decided_by_id WHERE id = :id", id=decision.id)


def test_a_changed_final_vote_needs_a_reason(ctx):
    loop = factories.make_loop(step=Step.DEBRIEF)
    person = loop.interviews[-1].interviewer
    statement = ("INSERT INTO final_votes (loop_id, interviewer_id, first_vote, vote, reason, recorded_at) "
                 "VALUES (:loop, :person, 'inclined', :vote, :reason, CURRENT_TIMESTAMP)")
    assert refused(statement, loop=loop.id, person=person.id, vote=Vote.NOT_INCLINED, reason="")
    assert not refused(statement, loop=loop.id, person=person.id, vote=Vote.INCLINED, reason="")


def test_the_audit_trail_is_append_only(ctx):
    user = factories.make_user()
    entry = record("test.event", user, user)
    db.session.commit()
    assert refused("UPDATE audit_entries SET action = 'forged' WHERE id = :id", id=entry.id)
    assert refused("DELETE FROM audit_entries WHERE id = :id", id=entry.id)
    entry.action = "forged"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.delete(db.session.get(AuditEntry, entry.id))
        db.session.flush()


def test_times_come_back_in_utc_and_naive_times_are_refused(ctx):
    user = factories.make_user()
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(User, user.id).created_at
    assert stored.tzinfo is not None and stored.utcoffset().total_seconds() == 0
    user = db.session.get(User, user.id)
    user.last_login_at = datetime(2026, 1, 1, 12, 0)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()
    user.last_login_at = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    db.session.commit()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_sqlite_connections_enforce_foreign_keys_in_wal_mode(app):
    with app.app_context():
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 5000


def test_loop_deletion_is_restricted_once_audited(ctx):
    loop = factories.make_loop(step=Step.RESUME_REVIEW)
    record("loop.created", loop, None, loop=loop)
    db.session.flush()
    assert refused("DELETE FROM loops WHERE id = :id", id=loop.id)
    assert db.session.get(Loop, loop.id) is not None


@pytest.fixture
def writing_reads(app):
    """Two GET routes that write and do not commit: a bug the end of a read must not turn into saved data."""

    def flushed():
        db.session.get(User, 1).name = "Changed by a GET"
        db.session.flush()
        return "ok"

    def raw():
        db.session.execute(sa.text("UPDATE users SET name = 'Changed by raw SQL' WHERE id = 1"))
        return "ok"

    app.add_url_rule("/_test/flushed", view_func=public(flushed))
    app.add_url_rule("/_test/raw", view_func=public(raw))
    with app.app_context():
        user = factories.make_user(name="Original Name")
        db.session.commit()
        assert user.id == 1
    return app


@pytest.mark.parametrize("path", ["/_test/flushed", "/_test/raw"])
def test_a_read_that_wrote_without_committing_saves_nothing(writing_reads, path):
    assert writing_reads.test_client().get(path).status_code == 200
    with writing_reads.app_context():
        assert db.session.get(User, 1).name == "Original Name"


@pytest.fixture
def postgres_app(postgres_url, tmp_path):
    url, principles = postgres_url
    reset_postgres(url, principles)
    app = make_app(url, tmp_path)
    yield app
    dispose(app)


def test_reads_end_in_commit_so_postgresql_keeps_its_prepared_statements(postgres_app):
    """psycopg drops its prepared statements on ROLLBACK; a page read over and over should be planned once."""
    with postgres_app.app_context():
        user = factories.make_user(password="a-long-enough-password")
        db.session.commit()
        email = user.email
    client = postgres_app.test_client()
    client.post("/login", data={"email": email, "password": "a-long-enough-password"})
    for _ in range(8):  # psycopg prepares a statement on its fifth run
        assert client.get("/loops/").status_code == 200
    with postgres_app.app_context():
        # Requests one after another share one pooled connection; this reads its prepared statements.
        assert db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements")) > 0


def test_an_erased_candidate_is_never_written_again(ctx):
    from app.candidates.services import save_candidate
    from app.errors import Conflict

    loop = factories.make_loop(step=Step.RESUME_REVIEW)
    candidate = loop.candidate
    db.session.execute(sa.text("UPDATE candidates SET name = 'Candidate (erased)', anonymized_at = :now "
                               "WHERE id = :id"), {"now": utcnow(), "id": candidate.id})
    db.session.expire(candidate)
    assert refused("UPDATE candidates SET name = 'Real Name Again' WHERE id = :id", id=candidate.id)
    with pytest.raises(Conflict, match="erased"):
        save_candidate(candidate, loop.recruiter, name="Real Name Again", email="", phone="", source="",
                       resume_url="", notes="")


def test_one_in_house_interview_per_interviewer_per_loop(ctx):
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS)
    taken = next(i for i in loop.interviews if i.kind == "in_house")
    assert refused("INSERT INTO interviews (loop_id, kind, interviewer_id, starts_at, duration_minutes, location, "
                   "created_at, calendar_uid) VALUES (:loop, 'in_house', :who, :at, 60, '', :at, 'uid-1@test')",
                   loop=loop.id, who=taken.interviewer_id, at=utcnow())
    assert not refused("INSERT INTO interviews (loop_id, kind, interviewer_id, starts_at, duration_minutes, "
                       "location, created_at, calendar_uid) VALUES (:loop, 'phone_screen', :who, :at, 60, '', :at, "
                       "'uid-2@test')", loop=loop.id, who=taken.interviewer_id, at=utcnow())


def test_the_bar_raiser_is_fixed_once_written_feedback_starts(ctx):
    loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK)
    other = factories.make_user(certification="certified", org_unit="Ads")
    assert refused("UPDATE loops SET bar_raiser_id = :who WHERE id = :id", who=other.id, id=loop.id)
    early = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS)
    assert not refused("UPDATE loops SET bar_raiser_id = :who WHERE id = :id", who=other.id, id=early.id)


def test_only_the_loops_certified_bar_raiser_records_the_verdict(ctx):
    loop = factories.make_loop(step=Step.DEBRIEF, outcome="hire")
    decision = loop.decision
    stranger = factories.make_user(certification="certified", org_unit="Ads")
    concur = ("UPDATE debrief_decisions SET verdict = 'concur', verdict_rationale = 'Fine.', verdict_by_id = :who, "
              "verdict_at = :at WHERE id = :id")
    assert refused(concur, who=stranger.id, at=utcnow(), id=decision.id)
    db.session.execute(sa.text("UPDATE users SET certification = 'paused' WHERE id = :id"), {"id": loop.bar_raiser_id})
    assert refused(concur, who=loop.bar_raiser_id, at=utcnow(), id=decision.id)
    db.session.execute(sa.text("UPDATE users SET certification = 'certified' WHERE id = :id"),
                       {"id": loop.bar_raiser_id})
    assert not refused(concur, who=loop.bar_raiser_id, at=utcnow(), id=decision.id)
