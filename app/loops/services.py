"""Setting up loops: people, bar-raiser independence, screen decisions."""

from sqlalchemy import select

from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.loops import composition
from app.loops.models import Loop, LoopStatus, ScreenDecision, ScreenOutcome, Step
from app.loops.workflow import WorkflowError, advance_loop, end_loop, require_open, role_words, unmet_conditions
from app.people.models import User
from app.permissions.loops import SCREENERS, can_screen
from app.requisitions.models import Requisition
from app.retention import rules as retention
from app.webhooks import events as webhooks


def independence_problems(*, bar_raiser: User | None, hiring_manager: User, recruiter: User,
                          shadow: User | None = None, reverse_shadow: bool = False,
                          requisition: Requisition | None = None) -> list[tuple[str, str]]:
    """Return (field, message) for every composition rule the loop's people break."""
    return [(b.field, b.message) for b in composition.people_breaches(
        bar_raiser=bar_raiser, hiring_manager=hiring_manager, recruiter=recruiter, shadow=shadow,
        reverse_shadow=reverse_shadow, requisition=requisition)]


def require_independence(**people) -> None:
    composition.require_none(composition.people_breaches(**people))


suggest_bar_raisers = composition.suggest_bar_raisers


def create_loop(requisition: Requisition | None, candidate, actor: User, *, recruiter: User,
                hiring_manager: User | None, bar_raiser: User | None = None, shadow: User | None = None,
                reverse_shadow: bool = False) -> Loop:
    """Open a loop at step 2 against an approved requisition."""
    if not actor.is_recruiter:
        raise ServiceError("Only recruiters start loops.")
    if requisition is None:
        raise ServiceError("Choose a requisition.", field="requisition_id")
    if candidate is None:
        raise ServiceError("Choose a candidate.", field="candidate_id")
    hiring_manager = hiring_manager or requisition.hiring_manager
    if not requisition.is_approved:
        raise ServiceError("Loops are created only against an approved requisition.", field="requisition_id")
    require_independence(bar_raiser=bar_raiser, hiring_manager=hiring_manager, recruiter=recruiter,
                         shadow=shadow, reverse_shadow=reverse_shadow, requisition=requisition)
    duplicate = db.session.scalar(select(Loop).where(
        Loop.requisition_id == requisition.id, Loop.candidate_id == candidate.id, Loop.status == LoopStatus.OPEN))
    if duplicate is not None:
        raise ServiceError(f"{candidate.name} already has an open loop for this requisition.",
                           field="candidate_id")
    loop = Loop(requisition=requisition, candidate=candidate, recruiter=recruiter,
                hiring_manager=hiring_manager, bar_raiser=bar_raiser, shadow=shadow, step=Step.RESUME_REVIEW,
                is_reverse_shadow=reverse_shadow)
    db.session.add(loop)
    db.session.flush()
    record("loop.created", loop, actor, loop=loop, to_state=Step.RESUME_REVIEW.label,
           personal={"candidate": candidate.name}, requisition=requisition.title)
    webhooks.loop_created(loop)
    retention.refresh_dates([candidate.id])  # an open loop keeps them: no erasure date while it runs
    return loop


def set_loop_people(loop: Loop, actor: User, *, recruiter: User, hiring_manager: User,
                    bar_raiser: User | None, shadow: User | None, reverse_shadow: bool = False) -> None:
    """Change who runs the loop; the composition rules are checked again on every change."""
    require_open(loop)
    if actor.id != loop.recruiter_id:
        raise WorkflowError("Only the loop's recruiter changes its people.")
    if loop.step > Step.IN_HOUSE_INTERVIEWS and bar_raiser is None:
        raise ServiceError("From written feedback on, the loop needs its bar raiser.", field="bar_raiser_id")
    if loop.step > Step.IN_HOUSE_INTERVIEWS and bar_raiser.id != loop.bar_raiser_id:
        raise ServiceError("The bar raiser cannot change once written feedback has started.",
                           field="bar_raiser_id")
    reverse_changes = (shadow and shadow.id, reverse_shadow) != (loop.shadow_id, loop.is_reverse_shadow)
    if loop.step > Step.IN_HOUSE_INTERVIEWS and (reverse_shadow or loop.is_reverse_shadow) and reverse_changes:
        raise ServiceError("A reverse shadow cannot change once written feedback has started.", field="shadow_id")
    require_independence(bar_raiser=bar_raiser, hiring_manager=hiring_manager, recruiter=recruiter, shadow=shadow,
                         reverse_shadow=reverse_shadow, requisition=loop.requisition)
    composition.require_none(composition.panel_breaches(loop, hiring_manager))
    changes = {}
    for role, person in (("recruiter", recruiter), ("hiring_manager", hiring_manager),
                         ("bar_raiser", bar_raiser), ("shadow", shadow)):
        before = getattr(loop, role)
        if (before and before.id) != (person and person.id):
            changes[role] = [before and before.name, person and person.name]
            setattr(loop, role, person)
    if reverse_shadow != loop.is_reverse_shadow:
        changes["reverse_shadow"] = [loop.is_reverse_shadow, reverse_shadow]
        loop.is_reverse_shadow = reverse_shadow
    if changes:
        record("loop.people_changed", loop, actor, loop=loop, changes=changes)
    db.session.flush()


def record_screen_decision(loop: Loop, actor: User, step: int, outcome: str, reason: str) -> ScreenDecision:
    """Record the résumé screen (step 2) or the phone-screen proceed decision (step 3).

    Advance moves the loop on when nothing else is missing; reject closes it.
    """
    step, outcome, reason = Step(step), ScreenOutcome(outcome), reason.strip()
    require_open(loop)
    if loop.step != step:
        raise WorkflowError(f"This loop is not at {step.label}.")
    if not can_screen(loop, step, actor):
        raise WorkflowError(f"Only the loop's {role_words(SCREENERS[step])} records this decision.")
    if outcome == ScreenOutcome.REJECT and not reason:
        raise ServiceError("Say why the candidate is not moving on.", field="reason")
    existing = next((d for d in loop.screen_decisions if d.step == step), None)
    if existing is not None:
        raise WorkflowError(f"The {step.label.lower()} decision was already recorded.")
    decision = ScreenDecision(loop=loop, step=step, outcome=outcome, reason=reason, decided_by=actor)
    db.session.add(decision)
    db.session.flush()
    record("loop.screen_decided", loop, actor, loop=loop, from_state=step.label, to_state=outcome.value,
           reason=reason)
    if outcome == ScreenOutcome.REJECT:
        end_loop(loop, actor, LoopStatus.REJECTED, reason)
    elif not unmet_conditions(loop):
        advance_loop(loop, actor, step + 1)
    return decision
