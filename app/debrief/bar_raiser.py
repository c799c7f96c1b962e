"""What the bar raiser does around the debrief: the summary, the agenda's notes, and, on a
reverse-shadow loop, the trainee's practice verdict."""

from app.audit.services import record
from app.db_types import utcnow
from app.debrief.models import AgendaNote, BriefStatus, DebriefBrief, PracticeVerdict, Verdict
from app.debrief.services import require_debrief
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.loops.models import Loop, Step
from app.loops.workflow import WorkflowError, written_feedback_gate
from app.people.models import User
from app.permissions.loops import runs_debrief
from app.principles.models import Principle


class BriefConflict(Conflict):
    """Someone else changed the same thing first."""


def brief_unmet(loop: Loop) -> list[str]:
    """What keeps the summary from being written now, in plain words."""
    if not loop.is_open:
        return ["This loop is closed and read-only."]
    if loop.step < Step.WRITTEN_FEEDBACK:
        return ["The summary is written once every feedback is in."]
    if loop.step > Step.DEBRIEF or loop.decision is not None:
        return ["The debrief has decided; the summary is closed."]
    return written_feedback_gate(loop)


def save_brief(loop: Loop, actor: User, body: str, *, ready: bool = False) -> DebriefBrief:
    """Save the bar raiser's summary; `ready` seals it for the debrief."""
    if not runs_debrief(loop, actor):
        raise WorkflowError("Only the loop's bar raiser writes the debrief summary.")
    brief = loop.brief
    if brief is not None and brief.is_ready:
        raise BriefConflict("The summary was already marked ready; it no longer changes.")
    unmet = brief_unmet(loop)
    if unmet:
        raise WorkflowError("The summary cannot be written yet.", unmet)
    body = (body or "").strip()
    if ready and not body:
        raise ServiceError("Write the summary before marking it ready.", field="body")
    if brief is None:
        brief = DebriefBrief(loop=loop, author=actor, body=body)
        db.session.add(brief)
    else:
        brief.body, brief.author = body, actor
    if ready:
        brief.status, brief.ready_at = BriefStatus.READY, utcnow()
    db.session.flush()
    if ready:
        record("debrief.summary_ready", loop, actor, loop=loop)
    return brief


def save_agenda_note(loop: Loop, actor: User, principle: Principle | None, body: str) -> AgendaNote:
    """Note what the discussion of one principle established; rewritten until the decision."""
    if not runs_debrief(loop, actor):
        raise WorkflowError("Only the loop's bar raiser notes the discussion.")
    require_debrief(loop)
    if loop.decision is not None:
        raise BriefConflict("The hiring manager has decided; the agenda's notes are closed.")
    if principle is None or principle not in loop.requisition.principles:
        raise ServiceError("Choose a principle of this loop.", field="principle_id")
    body = (body or "").strip()
    if not body:
        raise ServiceError("Write what the discussion established.", field="body")
    note = next((n for n in loop.agenda_notes if n.principle_id == principle.id), None)
    if note is None:
        note = AgendaNote(loop=loop, principle_id=principle.id, author=actor, body=body)
        db.session.add(note)
    else:
        note.body, note.author = body, actor
    db.session.flush()
    record("debrief.agenda_note", loop, actor, loop=loop, principle=principle.name)
    return note


def record_practice_verdict(loop: Loop, actor: User, verdict: str, rationale: str) -> PracticeVerdict:
    """Record a reverse shadow's Concur or Veto, before the decision; it is practice and never counts."""
    if not (loop.is_reverse_shadow and actor.id == loop.shadow_id):
        raise WorkflowError("Only the loop's reverse shadow records a practice verdict.")
    if loop.practice_verdict is not None:
        raise BriefConflict("Your practice verdict was already recorded; it is made once.")
    require_debrief(loop)
    if loop.decision is not None:
        raise BriefConflict("The hiring manager has decided; a practice verdict comes before the decision.")
    verdict, rationale = Verdict(verdict), (rationale or "").strip()
    if not rationale:
        raise ServiceError("Write the rationale for your verdict.", field="verdict_rationale")
    practice = PracticeVerdict(loop=loop, trainee=actor, verdict=verdict, rationale=rationale)
    db.session.add(practice)
    db.session.flush()
    record("debrief.practice_verdict", loop, actor, loop=loop, to_state=f"{verdict.label} (practice)")
    return practice
