"""Candidate data retention: anonymize candidates whose loops closed long ago.

Rows stay (so metrics keep their counts); what identifies the candidate or
describes them goes: name, e-mail, phone, résumé, notes, and the text of
feedback, amendments, final-vote reasons and references. Votes, ratings,
dates and decisions' outcomes remain.
"""

import os
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, exists, select, update

from app.audit.services import record
from app.candidates.models import Candidate
from app.candidates.services import resume_path
from app.db_types import utcnow
from app.debrief.models import FinalVote
from app.extensions import db
from app.feedback.models import Amendment, Feedback, FeedbackRating
from app.interviews.models import Interview
from app.loops.models import Loop, LoopStatus
from app.references.models import Reference

REDACTED = "[removed under the retention policy]"  # the one value the seals on feedback admit


@dataclass
class PurgePlan:
    candidates: list[Candidate]
    older_than_days: int


def candidates_to_purge(older_than_days: int) -> PurgePlan:
    """Candidates not yet anonymized whose every loop closed more than `older_than_days` ago."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    recent_or_open = exists().where(
        Loop.candidate_id == Candidate.id,
        (Loop.status == LoopStatus.OPEN) | (Loop.closed_at > cutoff),
    )
    has_loop = exists().where(Loop.candidate_id == Candidate.id)
    query = (select(Candidate).where(Candidate.anonymized_at.is_(None), has_loop, ~recent_or_open)
             .order_by(Candidate.id))
    return PurgePlan(list(db.session.scalars(query)), older_than_days)


def purge(plan: PurgePlan, actor=None) -> int:
    """Anonymize the planned candidates; return how many were anonymized."""
    for candidate in plan.candidates:
        anonymize(candidate, actor, plan.older_than_days)
    return len(plan.candidates)


def anonymize(candidate: Candidate, actor, older_than_days: int) -> None:
    path = resume_path(candidate)
    loop_ids = select(Loop.id).where(Loop.candidate_id == candidate.id)
    interview_ids = select(Interview.id).where(Interview.loop_id.in_(loop_ids))
    feedback_ids = select(Feedback.id).where(Feedback.interview_id.in_(interview_ids))
    db.session.execute(update(FeedbackRating).where(
        and_(FeedbackRating.feedback_id.in_(feedback_ids), FeedbackRating.evidence != ""))
        .values(evidence=REDACTED))
    db.session.execute(update(Feedback).where(and_(Feedback.id.in_(feedback_ids), Feedback.summary != ""))
                       .values(summary=REDACTED))
    db.session.execute(update(Amendment).where(Amendment.feedback_id.in_(feedback_ids)).values(body=REDACTED))
    db.session.execute(update(FinalVote).where(and_(FinalVote.loop_id.in_(loop_ids), FinalVote.reason != ""))
                       .values(reason=REDACTED))
    db.session.execute(update(Reference).where(Reference.loop_id.in_(loop_ids))
                       .values(name="Referee (removed)", summary=REDACTED))
    candidate.name = f"Candidate #{candidate.id} (removed)"
    candidate.email = candidate.phone = candidate.source = candidate.resume_url = None
    candidate.resume_file = candidate.resume_filename = None
    candidate.notes = ""
    candidate.anonymized_at = utcnow()
    db.session.flush()
    record("candidate.anonymized", candidate, actor, older_than_days=older_than_days)
    if path and os.path.exists(path):
        os.remove(path)
