"""Erase a candidate's personal data from every copy, one candidate per transaction.

Rows stay, so counts, votes, ratings, dates and who acted stay and the
metrics do not change. What identifies or describes the candidate goes:
their name, e-mail, phone, source, notes and résumé file; the text of
feedback, amendments, the questions interviewers wrote themselves,
final-vote reasons, screen reasons, the debrief's rationales, the bar
raiser's summary and agenda notes, practice verdicts' rationales, close
reasons, offer terms, interview locations and references;
every cached debrief PDF of their loops; and the reasons and names audit
entries keep about them (in `audit_personal_data`, which the chain refers to
by digest, so it stays intact). The outbox keeps no mail bodies: messages are
written from the loop when sent.

Files go before the transaction commits and again after it: a run killed
half-way leaves the candidate unerased in the database, and the next run
erases them again from the start.
"""

import os
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, func, select, text, update

from app.audit.models import AuditPersonalData
from app.audit.services import record
from app.candidates.models import Candidate
from app.candidates.services import resume_path
from app.db_types import utcnow
from app.debrief.models import AgendaNote, DebriefBrief, DebriefDecision, FinalVote, PracticeVerdict
from app.errors import Conflict
from app.extensions import db
from app.feedback.models import Amendment, Feedback, FeedbackRating
from app.interviews.models import Interview
from app.kits.models import AskedQuestion
from app.loops.models import Loop, ScreenDecision
from app.offers.models import Offer
from app.people.models import OrgUnit
from app.references.models import Reference
from app.reports.cache import PdfCache
from app.requisitions.models import Requisition
from app.retention import rules
from app.retention.models import LegalHold

REDACTED = "[removed under the retention policy]"  # the one value the seals on feedback, kits, debriefs and loops admit


def erased_name(candidate_id: int) -> str:
    return f"Candidate {candidate_id} (erased)"


class ErasureRefused(Conflict):
    """The candidate may not be erased now; the message lists why."""


def remove_files(candidate: Candidate, loop_ids: list[int]) -> None:
    path = resume_path(candidate)
    if path and os.path.exists(path):
        os.remove(path)
    for loop_id in loop_ids:
        PdfCache.remove_loop(current_app, loop_id)


def erase(candidate: Candidate, actor, *, basis: str, older_than_days: int | None = None) -> None:
    """Erase one candidate's personal data; refuse (open loop, legal hold, not yet due) in words.

    The caller commits, then calls `after_commit` so files written meanwhile go too.
    """
    db.session.execute(select(Candidate.id).where(Candidate.id == candidate.id).with_for_update())
    # A hold placed at this moment on one of their requisitions or its org unit must either be seen here or
    # wait for this erasure: placing one takes a key-share lock on the row it names, which these locks block.
    requisition_ids = select(Loop.requisition_id).where(Loop.candidate_id == candidate.id)
    db.session.execute(select(Requisition.id).where(Requisition.id.in_(requisition_ids)).with_for_update())
    db.session.execute(select(OrgUnit.id).where(OrgUnit.id.in_(
        select(Requisition.org_unit_id).where(Requisition.id.in_(requisition_ids)))).with_for_update())
    status = rules.status_of(candidate, older_than_days=older_than_days)
    problems = status.problems()
    if problems:
        raise ErasureRefused(" ".join(problems))
    loop_ids = list(db.session.scalars(select(Loop.id).where(Loop.candidate_id == candidate.id)))
    remove_files(candidate, loop_ids)
    redact_loops(loop_ids)
    db.session.execute(update(LegalHold).where(LegalHold.candidate_id == candidate.id).values(reason=REDACTED))
    db.session.execute(update(AuditPersonalData).where(
        AuditPersonalData.candidate_id == candidate.id, AuditPersonalData.erased_at.is_(None))
        .values(reason=None, details=None, salt=None, erased_at=func.now()))
    candidate.name = erased_name(candidate.id)
    candidate.email = candidate.phone = candidate.source = candidate.resume_url = None
    candidate.external_id = None  # another system's key to the same person
    candidate.resume_file = candidate.resume_filename = None
    candidate.notes = ""
    candidate.anonymized_at = utcnow()
    db.session.flush()
    rules.refresh_dates([candidate.id])  # erased: no longer due
    record("candidate.erased", candidate, actor, basis=basis, loops=loop_ids)


def redact_loops(loop_ids: list[int]) -> None:
    """Replace the free text of the loops' records with the retention marker; numbers and dates stay."""
    interview_ids = select(Interview.id).where(Interview.loop_id.in_(loop_ids))
    feedback_ids = select(Feedback.id).where(Feedback.interview_id.in_(interview_ids))
    statements = [
        update(FeedbackRating).where(and_(FeedbackRating.feedback_id.in_(feedback_ids),
                                          FeedbackRating.evidence != "")).values(evidence=REDACTED),
        update(Feedback).where(and_(Feedback.id.in_(feedback_ids), Feedback.summary != ""))
        .values(summary=REDACTED),
        update(Amendment).where(Amendment.feedback_id.in_(feedback_ids)).values(body=REDACTED),
        update(AskedQuestion).where(AskedQuestion.feedback_id.in_(feedback_ids), AskedQuestion.own_text.is_not(None))
        .values(own_text=REDACTED),
        update(FinalVote).where(and_(FinalVote.loop_id.in_(loop_ids), FinalVote.reason != ""))
        .values(reason=REDACTED),
        update(ScreenDecision).where(and_(ScreenDecision.loop_id.in_(loop_ids), ScreenDecision.reason != ""))
        .values(reason=REDACTED),
        update(Reference).where(Reference.loop_id.in_(loop_ids))
        .values(name="Referee (removed)", relation="(removed)", summary=REDACTED),
        update(DebriefDecision).where(DebriefDecision.loop_id.in_(loop_ids)).values(rationale=REDACTED),
        update(DebriefDecision).where(DebriefDecision.loop_id.in_(loop_ids),
                                      DebriefDecision.verdict_rationale.is_not(None))
        .values(verdict_rationale=REDACTED),
        # The summary's and the notes' dates stay as they were (their columns would otherwise take the time now).
        update(DebriefBrief).where(DebriefBrief.loop_id.in_(loop_ids), DebriefBrief.body != "")
        .values(body=REDACTED, updated_at=DebriefBrief.updated_at),
        update(AgendaNote).where(AgendaNote.loop_id.in_(loop_ids))
        .values(body=REDACTED, updated_at=AgendaNote.updated_at),
        update(PracticeVerdict).where(PracticeVerdict.loop_id.in_(loop_ids)).values(rationale=REDACTED),
        update(Offer).where(Offer.loop_id.in_(loop_ids), Offer.terms != "").values(terms=REDACTED),
        update(Interview).where(Interview.loop_id.in_(loop_ids), Interview.location != "").values(location=""),
        update(Loop).where(Loop.id.in_(loop_ids), Loop.close_reason.is_not(None)).values(close_reason=REDACTED),
    ]
    for statement in statements:
        db.session.execute(statement.execution_options(synchronize_session=False))


def after_commit(candidate_id: int) -> None:
    """Remove the cached PDFs a download may have written while the erasure was in flight."""
    for loop_id in db.session.scalars(select(Loop.id).where(Loop.candidate_id == candidate_id)):
        PdfCache.remove_loop(current_app, loop_id)


@dataclass
class PurgeResult:
    erased: list[int] = field(default_factory=list)
    held: list[tuple[int, list[str]]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


def purge(actor=None, *, older_than_days: int | None = None, echo=lambda line: None) -> PurgeResult:
    """Erase every candidate due now, each in its own transaction; report the held ones and go on past failures."""
    result = PurgeResult()
    due_now = rules.due(0, older_than_days=older_than_days)
    db.session.rollback()
    basis = f"closed more than {older_than_days} days ago" if older_than_days else "retention policy"
    for status in due_now:
        if status.holds:
            result.held.append((status.candidate_id, status.problems()))
            continue
        candidate = db.session.get(Candidate, status.candidate_id)
        try:
            erase(candidate, actor, basis=basis, older_than_days=older_than_days)
            db.session.commit()
        except Exception as error:  # noqa: BLE001 - one candidate's failure must not stop the rest
            db.session.rollback()
            result.failed.append((status.candidate_id, getattr(error, "message", None) or str(error)))
            echo(f"  #{status.candidate_id}: not erased: {result.failed[-1][1]}")
            continue
        after_commit(status.candidate_id)
        result.erased.append(status.candidate_id)
        echo(f"  #{status.candidate_id} erased")
    if result.erased and db.engine.dialect.name == "sqlite":
        # Old page images wait in the write-ahead log until a checkpoint; write them back and empty it.
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
    return result
