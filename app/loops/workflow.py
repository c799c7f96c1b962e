"""The eight-step workflow: how a loop starts, moves and ends, as tables and the functions that use them.

A loop starts at the résumé review (`create_loop`, against an approved
requisition), moves by `TRANSITIONS` through `advance_loop`, and ends by
`ENDINGS` through `end_loop`. Each gate is a named function returning the
conditions still unmet, in plain words; the loop page shows them beside the
disabled action and `advance_loop` refuses with the same words.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flask import current_app

from app.audit.services import record
from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.interviews.models import InterviewKind
from app.loops.models import Loop, LoopRole, LoopStatus, ScreenOutcome, Step
from app.notifications import services as notifications
from app.people.models import User
from app.retention import rules as retention
from app.webhooks import events as webhooks


class WorkflowError(ServiceError):
    """A move the workflow refuses because of the loop's state; `unmet` lists what is missing."""

    status = 409

    def __init__(self, message: str, unmet: list[str] | None = None):
        super().__init__(message)
        self.unmet = unmet or []


def screen_decision(loop: Loop, step: int):
    return next((d for d in loop.screen_decisions if d.step == step), None)


def in_house_interviews(loop: Loop):
    return [i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE]


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
    elif not any(i.submitted_feedback for i in phone):
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
               if i.submitted_feedback is None]
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

# The last step at which each kind of interview is still scheduled or cancelled.
LAST_SCHEDULING_STEP = {InterviewKind.PHONE_SCREEN: Step.PHONE_SCREEN,
                        InterviewKind.IN_HOUSE: Step.IN_HOUSE_INTERVIEWS}

# Who moves a loop on from each step (by the loop role the person holds).
MOVERS: dict[Step, tuple[LoopRole, ...]] = {
    Step.RESUME_REVIEW: (LoopRole.RECRUITER, LoopRole.HIRING_MANAGER),
    Step.PHONE_SCREEN: (LoopRole.HIRING_MANAGER,),
    Step.IN_HOUSE_INTERVIEWS: (LoopRole.RECRUITER,),
    Step.WRITTEN_FEEDBACK: (LoopRole.RECRUITER, LoopRole.BAR_RAISER),
    Step.DEBRIEF: (),  # the debrief decision moves the loop, nobody else
    Step.REFERENCE_CHECK: (LoopRole.RECRUITER, LoopRole.HIRING_MANAGER),
}



class Ending(StrEnum):
    """Why a loop ends: closed by hand, decided at the debrief, or answered at the offer."""

    CLOSED = "closed"
    DEBRIEF = "debrief"
    OFFER = "offer"


@dataclass(frozen=True)
class EndingRule:
    steps: frozenset[Step]  # the steps at which a loop may end this way
    by: tuple[LoopRole, ...]  # who ends it (after their own decision, for the debrief and the offer)
    needs_reason: str | None = None  # the refusal when no reason is given


ANY_STEP = frozenset(Step) - {Step.JOB_DESCRIPTION}
CLOSERS = (LoopRole.RECRUITER, LoopRole.HIRING_MANAGER)

# Every way a loop ends. A closed loop is read-only, in the services and in the database.
ENDINGS: dict[tuple[Ending, LoopStatus], EndingRule] = {
    (Ending.CLOSED, LoopStatus.REJECTED): EndingRule(ANY_STEP, CLOSERS, "Say why the candidate is rejected."),
    (Ending.CLOSED, LoopStatus.WITHDRAWN): EndingRule(ANY_STEP, CLOSERS),
    # No hire by the hiring manager, or a veto by the bar raiser.
    (Ending.DEBRIEF, LoopStatus.NOT_HIRED): EndingRule(
        frozenset({Step.DEBRIEF}), (LoopRole.HIRING_MANAGER, LoopRole.BAR_RAISER), "Say why."),
    # The offer accepted, declined or rescinded.
    (Ending.OFFER, LoopStatus.HIRED): EndingRule(frozenset({Step.OFFER}), (LoopRole.RECRUITER,)),
    (Ending.OFFER, LoopStatus.WITHDRAWN): EndingRule(frozenset({Step.OFFER}), (LoopRole.RECRUITER,)),
    (Ending.OFFER, LoopStatus.REJECTED): EndingRule(frozenset({Step.OFFER}), (LoopRole.RECRUITER,), "Say why."),
}


def require_open(loop: Loop) -> None:
    """Refuse any change to a closed loop."""
    if not loop.is_open:
        raise WorkflowError("This loop is closed and read-only.")


def moved_on(loop: Loop, step: int | None = None) -> str | None:
    """Say what happened to the loop since a page offered to act on it at `step`: closed, or moved past it.

    A request that finds this lost a race to another tab or person: it is told
    so (409), not refused a right it had when its page was drawn (403).
    """
    if not loop.is_open:
        return (f"This loop was closed ({LoopStatus(loop.status).label.lower()}) before your change arrived; "
                "nothing was changed.")
    if step is not None and loop.step > step:
        return f"Someone moved this loop on to {Step(loop.step).label} first; nothing was changed."
    return None


def unmet_conditions(loop: Loop) -> list[str]:
    """Return what keeps the loop at its current step, in plain words."""
    if not loop.is_open:
        return [f"The loop is closed ({LoopStatus(loop.status).label.lower()})."]
    gate = GATES.get(Step(loop.step))
    if gate is None:
        return ["Record the candidate's answer to the offer: accepted, declined or rescinded."
                if loop.offer is not None else "Extend the offer, then record the candidate's answer."]
    return gate(loop)


def role_words(roles) -> str:
    return " or ".join(LoopRole(role).label for role in roles)


def can_advance(loop: Loop, user: User) -> bool:
    """Return whether `user` holds a role that moves the loop on from its step."""
    return loop.is_open and bool(loop.roles_of(user) & set(MOVERS.get(Step(loop.step), ())))


def advance_loop(loop: Loop, actor: User, to_step: int, *, system: bool = False) -> None:
    """Move the loop one step forward, or refuse and say why."""
    current = Step(loop.step)
    allowed = TRANSITIONS.get(current)
    require_open(loop)
    if allowed is None or to_step != allowed:
        target = allowed.label if allowed else "nothing (the loop ends at the offer)"
        raise WorkflowError(
            f"A loop at {current.label} can only move to {target}; it never skips or goes back."
        )
    if not system and not can_advance(loop, actor):
        who = role_words(MOVERS[current]) or "the debrief decision"
        raise WorkflowError(f"Only the loop's {who} moves it on from {current.label}.")
    unmet = unmet_conditions(loop)
    if unmet:
        raise WorkflowError(f"{current.label} is not done yet.", unmet)
    loop.step = allowed
    loop.step_entered_at = utcnow()
    record("loop.advanced", loop, actor, loop=loop, from_state=current.label, to_state=allowed.label)
    notifications.loop_advanced(loop, actor)
    webhooks.loop_moved(loop, current)


def can_end(loop: Loop, user: User, how: Ending = Ending.CLOSED) -> bool:
    """Return whether `user` may end the open loop `how` at its current step."""
    return loop.is_open and any(
        Step(loop.step) in rule.steps and loop.roles_of(user) & set(rule.by)
        for (cause, _), rule in ENDINGS.items() if cause == how)


def end_loop(loop: Loop, actor: User, status: str, reason: str, *, how: Ending = Ending.CLOSED,
             system: bool = False) -> None:
    """End an open loop as `status`, the one way every loop ends; refuse what `ENDINGS` does not allow.

    `system` is for endings that follow from another decision already checked,
    such as closing the loops of a closed requisition.
    """
    require_open(loop)
    step = Step(loop.step)
    rule = ENDINGS.get((how, status))
    if rule is None:
        allowed = " or ".join(LoopStatus(s).label.lower() for (cause, s) in ENDINGS if cause == how)
        raise WorkflowError(f"Close a loop as {allowed}.")
    if step not in rule.steps:
        raise WorkflowError(f"A loop at {step.label} cannot end as {LoopStatus(status).label.lower()} "
                            f"this way.")
    if not system and not loop.roles_of(actor) & set(rule.by):
        raise WorkflowError(f"Only the loop's {role_words(rule.by)} closes it.")
    reason = reason.strip()
    if rule.needs_reason and not reason:
        raise ServiceError(rule.needs_reason, field="reason")
    record("loop.closed", loop, actor, loop=loop, from_state=step.label, to_state=LoopStatus(status).label,
           reason=reason)
    loop.status, loop.close_reason = LoopStatus(status), reason or None
    loop.closed_at, loop.closed_by = utcnow(), actor
    db.session.flush()
    retention.refresh_dates([loop.candidate_id])
    webhooks.loop_closed(loop, how)
    notifications.loop_closed(loop)
