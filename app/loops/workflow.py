"""The eight-step workflow: one table of moves, one function that makes them.

Each gate is a named function returning the conditions still unmet, in plain
words; the loop page shows them beside the disabled action and `advance_loop`
refuses with the same words.
"""

from collections.abc import Callable

from flask import current_app

from app.audit.services import record
from app.db_types import utcnow
from app.errors import ServiceError
from app.feedback.models import FeedbackStatus
from app.interviews.models import InterviewKind
from app.loops.models import Loop, LoopStatus, ScreenOutcome, Step
from app.notifications import services as notifications
from app.people.models import User


class WorkflowError(ServiceError):
    """A move the workflow refuses; `unmet` lists what is missing."""

    def __init__(self, message: str, unmet: list[str] | None = None):
        super().__init__(message)
        self.unmet = unmet or []


def screen_decision(loop: Loop, step: int):
    return next((d for d in loop.screen_decisions if d.step == step), None)


def in_house_interviews(loop: Loop):
    return [i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE]


def counted_feedback(interview):
    return next((f for f in interview.feedbacks if not f.is_practice), None)


def resume_review_gate(loop: Loop) -> list[str]:
    unmet = []
    candidate = loop.candidate
    if not (candidate.resume_file or candidate.resume_url):
        unmet.append("Attach the candidate's résumé (a PDF or a link).")
    decision = screen_decision(loop, Step.RESUME_REVIEW)
    if decision is None or decision.outcome != ScreenOutcome.ADVANCE:
        unmet.append("Record the résumé screen decision.")
    return unmet


def phone_screen_gate(loop: Loop) -> list[str]:
    phone = [i for i in loop.interviews if i.kind == InterviewKind.PHONE_SCREEN]
    unmet = []
    if not phone:
        unmet.append("Schedule the phone screen.")
    elif not any((f := counted_feedback(i)) and f.status == FeedbackStatus.SUBMITTED for i in phone):
        unmet.append("The phone screen's feedback has not been submitted.")
    decision = screen_decision(loop, Step.PHONE_SCREEN)
    if decision is None or decision.outcome != ScreenOutcome.ADVANCE:
        unmet.append("The hiring manager has not chosen to proceed after the phone screen.")
    return unmet


def in_house_gate(loop: Loop) -> list[str]:
    from app.interviews.services import coverage

    minimum = current_app.config["MIN_IN_HOUSE_INTERVIEWS"]
    interviews = in_house_interviews(loop)
    unmet = []
    if len(interviews) < minimum:
        unmet.append(f"Schedule at least {minimum} in-house interviews ({len(interviews)} so far).")
    if loop.bar_raiser_id is None:
        unmet.append("Assign a bar raiser.")
    elif not any(i.interviewer_id == loop.bar_raiser_id for i in interviews):
        unmet.append("The bar raiser must be one of the in-house interviewers.")
    report = coverage(loop)
    for row in report.gaps:
        unmet.append(f"No interviewer is assigned “{row.principle.name}”.")
    for interview in report.without_principles:
        unmet.append(f"{interview.interviewer.name} has no principle to probe.")
    now = utcnow()
    pending = [i for i in interviews if i.ends_at > now]
    if pending:
        unmet.append(f"{len(pending)} in-house interview{'s have' if len(pending) > 1 else ' has'} "
                     "not taken place yet.")
    return unmet


def written_feedback_gate(loop: Loop) -> list[str]:
    missing = [i for i in in_house_interviews(loop)
               if not ((f := counted_feedback(i)) and f.status == FeedbackStatus.SUBMITTED)]
    return [f"{i.interviewer.name} has not submitted feedback." for i in missing]


def debrief_gate(loop: Loop) -> list[str]:
    decision = loop.decision
    if decision is None:
        return ["The hiring manager has not recorded Hire or No hire."]
    if decision.outcome == "hire" and decision.verdict is None:
        return ["The bar raiser has not concurred or vetoed."]
    if decision.verdict == "veto" or decision.outcome == "no_hire":
        return ["The debrief decided not to hire."]
    return []


def reference_check_gate(loop: Loop) -> list[str]:
    minimum = current_app.config["MIN_REFERENCES"]
    count = len(loop.references)
    return [] if count >= minimum else [f"Record at least {minimum} references ({count} so far)."]


GATES: dict[Step, Callable[[Loop], list[str]]] = {
    Step.RESUME_REVIEW: resume_review_gate,
    Step.PHONE_SCREEN: phone_screen_gate,
    Step.IN_HOUSE_INTERVIEWS: in_house_gate,
    Step.WRITTEN_FEEDBACK: written_feedback_gate,
    Step.DEBRIEF: debrief_gate,
    Step.REFERENCE_CHECK: reference_check_gate,
}

# The allowed moves: forward one step, never back, never a skip. Step 8 ends by the offer.
TRANSITIONS: dict[Step, Step] = {step: Step(step + 1) for step in GATES}

# Who moves a loop on from each step (by the loop role the person holds).
MOVERS: dict[Step, tuple[str, ...]] = {
    Step.RESUME_REVIEW: ("recruiter", "hiring_manager"),
    Step.PHONE_SCREEN: ("hiring_manager",),
    Step.IN_HOUSE_INTERVIEWS: ("recruiter",),
    Step.WRITTEN_FEEDBACK: ("recruiter", "bar_raiser"),
    Step.DEBRIEF: (),  # the debrief decision moves the loop, nobody else
    Step.REFERENCE_CHECK: ("recruiter", "hiring_manager"),
}

CLOSING_STATUSES = (LoopStatus.REJECTED, LoopStatus.WITHDRAWN)


def unmet_conditions(loop: Loop) -> list[str]:
    """Return what keeps the loop at its current step, in plain words."""
    if not loop.is_open:
        return [f"The loop is closed ({LoopStatus(loop.status).label.lower()})."]
    gate = GATES.get(Step(loop.step))
    if gate is None:
        return ["The loop ends at the offer."]
    return gate(loop)


# Who may learn who has (not) submitted feedback: PRODUCT.md, "Who may read what".
SUBMISSION_WATCHERS = {"recruiter", "hiring_manager", "bar_raiser"}


def unmet_conditions_for(loop: Loop, user: User) -> list[str]:
    """Return the unmet conditions as `user` may see them.

    The written-feedback gate names who has not submitted; anyone but the
    recruiter, hiring manager and bar raiser is told only what is theirs to do.
    """
    unmet = unmet_conditions(loop)
    if loop.step != Step.WRITTEN_FEEDBACK or not loop.is_open or loop_roles(loop, user) & SUBMISSION_WATCHERS:
        return unmet
    mine = f"{user.name} has not submitted feedback."
    return (["Submit your feedback."] if mine in unmet else []) + (
        ["Every in-house interviewer submits their feedback."] if unmet else [])


def loop_roles(loop: Loop, user: User) -> set[str]:
    roles = set()
    for role in ("recruiter", "hiring_manager", "bar_raiser", "shadow"):
        if getattr(loop, f"{role}_id") == user.id:
            roles.add(role)
    if any(i.interviewer_id == user.id for i in loop.interviews):
        roles.add("interviewer")
    return roles


def can_advance(loop: Loop, user: User) -> bool:
    """Return whether `user` holds a role that moves the loop on from its step."""
    return bool(loop_roles(loop, user) & set(MOVERS.get(Step(loop.step), ())))


def advance_loop(loop: Loop, actor: User, to_step: int, *, system: bool = False) -> None:
    """Move the loop one step forward, or refuse and say why."""
    current = Step(loop.step)
    allowed = TRANSITIONS.get(current)
    if not loop.is_open:
        raise WorkflowError("This loop is closed and read-only.")
    if allowed is None or to_step != allowed:
        target = allowed.label if allowed else "nothing (the loop ends at the offer)"
        raise WorkflowError(
            f"A loop at {current.label} can only move to {target}; it never skips or goes back."
        )
    if not system and not can_advance(loop, actor):
        who = " or ".join(role.replace("_", " ") for role in MOVERS[current]) or "the debrief decision"
        raise WorkflowError(f"Only the loop's {who} moves it on from {current.label}.")
    unmet = unmet_conditions(loop)
    if unmet:
        raise WorkflowError(f"{current.label} is not done yet.", unmet)
    loop.step = allowed
    loop.step_entered_at = utcnow()
    record("loop.advanced", loop, actor, loop=loop, from_state=current.label, to_state=allowed.label)
    notifications.loop_advanced(loop, actor)


def close_loop(loop: Loop, actor: User, status: str, reason: str, *, system: bool = False) -> None:
    """Close an open loop as rejected (reason required) or withdrawn by the candidate.

    `system` is for closes that follow from another decision already checked,
    such as closing the loops of a closed requisition.
    """
    if not loop.is_open:
        raise WorkflowError("This loop is already closed.")
    if not system and actor.id not in (loop.recruiter_id, loop.hiring_manager_id):
        raise WorkflowError("Only the loop's recruiter or hiring manager closes it.")
    if status not in CLOSING_STATUSES:
        raise WorkflowError("Close a loop as rejected or withdrawn.")
    reason = reason.strip()
    if status == LoopStatus.REJECTED and not reason:
        raise ServiceError("Say why the candidate is rejected.", field="reason")
    record("loop.closed", loop, actor, loop=loop, from_state=Step(loop.step).label,
           to_state=LoopStatus(status).label, reason=reason)
    loop.status, loop.close_reason = status, reason or None
    loop.closed_at, loop.closed_by = utcnow(), actor
