"""The loop's timeline for the report: its audit trail in words, grouped by the eight steps.

Entries say who did what and when, never what anyone wrote in feedback or
which way they voted. Downloads of the report itself are left out, so
downloading it does not change its fingerprint.
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.models import AuditEntry
from app.audit.wording import KIND_NAMES, NOT_HISTORY, STATE_IS_NEWS, label, people_changes, word
from app.extensions import db
from app.loops.models import STEP_LABELS, Loop, LoopStatus, Step

STEP_BY_LABEL = {label: step for step, label in STEP_LABELS.items()}
# Reasons worth repeating in the timeline; the debrief rationales have their own section.
SHOWS_REASON = {"loop.advanced", "loop.screen_decided", "loop.closed", "offer.declined", "offer.rescinded"}


def describe(entry: AuditEntry) -> tuple[str, str]:
    """Return (what happened, a detail line) for one audit entry."""
    details = entry.details or {}
    action = entry.action
    detail = entry.reason if action in SHOWS_REASON else ""
    if action == "loop.created":
        return f"Loop created at {entry.to_state or Step.RESUME_REVIEW.label}", detail
    if action == "loop.advanced":
        return f"Moved on: {entry.from_state} → {entry.to_state}", detail
    if action == "loop.screen_decided":
        return f"{entry.from_state or 'Screen'} decision: {word(entry.to_state)}", detail
    if action == "loop.closed":
        return f"Loop closed as {word(entry.to_state).lower()}", detail
    if action == "loop.people_changed":
        return "People changed", "; ".join(f"{role}: {old} → {new}" for role, old, new in people_changes(details))
    if action == "interview.scheduled":
        kind = KIND_NAMES.get(details.get("kind"), "Interview")
        return f"{kind} scheduled with {details.get('interviewer') or '—'}", ""
    if action == "interview.rescheduled":
        return f"Interview with {details.get('interviewer') or '—'} rescheduled", ""
    if action == "interview.cancelled":
        return f"Interview with {details.get('interviewer') or '—'} cancelled", ""
    if action == "feedback.submitted":
        return "Feedback submitted" + (" (late)" if details.get("late") else ""), ""
    if action in STATE_IS_NEWS:
        return f"{label(action)}: {word(entry.to_state)}", ""
    return label(action), detail


def audit_trail(loop: Loop) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.loop_id == loop.id, AuditEntry.action.not_in(NOT_HISTORY))
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at, AuditEntry.id)
    ))


def _state(step: Step, loop: Loop) -> str:
    if step < loop.step:
        return "done"
    if step > loop.step:
        return "not reached"
    if loop.status == LoopStatus.HIRED:
        return "done"
    if loop.is_open:
        return "current"
    return f"closed here ({LoopStatus(loop.status).label.lower()})"


def timeline(loop: Loop) -> list[dict]:
    """Return the eight steps, each with when and by whom it was entered and what happened in it."""
    requisition = loop.requisition
    steps = {step: {"number": int(step), "label": step.label, "state": _state(step, loop),
                    "entered_at": None, "entered_by": None, "events": []} for step in Step}
    first = steps[Step.JOB_DESCRIPTION]
    if requisition.approved_at is not None:
        approver = requisition.approved_by.name if requisition.approved_by else None
        first["entered_at"] = requisition.created_at.isoformat()
        first["events"].append({"at": requisition.approved_at.isoformat(), "actor": approver,
                                "what": "Job description approved", "detail": ""})
    current = Step.RESUME_REVIEW
    for entry in audit_trail(loop):
        what, detail = describe(entry)
        event = {"at": entry.at.isoformat(), "actor": entry.actor.name if entry.actor else None,
                 "what": what, "detail": detail}
        if entry.action == "loop.created":
            steps[current]["entered_at"], steps[current]["entered_by"] = event["at"], event["actor"]
        # A loop move names the step it happened at; anything else happened at the step the loop stood at.
        at_step = STEP_BY_LABEL.get(entry.from_state) if entry.action.startswith("loop.") else None
        steps[at_step or current]["events"].append(event)
        if entry.action == "loop.advanced":
            current = STEP_BY_LABEL.get(entry.to_state) or Step(min(current + 1, Step.OFFER))
            steps[current]["entered_at"], steps[current]["entered_by"] = event["at"], event["actor"]
    return list(steps.values())
