"""Setting up loops: people, bar-raiser independence, screen decisions."""

from sqlalchemy import func, select

from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.loops.models import Loop, LoopStatus, ScreenDecision, ScreenOutcome, Step
from app.loops.workflow import WorkflowError, advance_loop, end_loop, require_open, role_words, unmet_conditions
from app.people.models import Certification, User
from app.permissions.loops import SCREENERS, can_screen
from app.requisitions.models import Requisition


def independence_problems(*, bar_raiser: User | None, hiring_manager: User, recruiter: User,
                          shadow: User | None = None) -> list[tuple[str, str]]:
    """Return (field, message) for every independence rule the people break."""
    problems = []
    if bar_raiser is not None:
        if bar_raiser.certification != Certification.CERTIFIED:
            problems.append(("bar_raiser_id", f"{bar_raiser.name} is not a certified bar raiser."))
        if bar_raiser.id == hiring_manager.id:
            problems.append(("bar_raiser_id", "The bar raiser cannot be the hiring manager."))
        if bar_raiser.id == recruiter.id:
            problems.append(("bar_raiser_id", "The bar raiser cannot be the loop's recruiter."))
        if hiring_manager.org_unit_id is not None and bar_raiser.org_unit_id == hiring_manager.org_unit_id:
            problems.append(("bar_raiser_id", "The bar raiser cannot be from the hiring manager's org unit "
                                              f"({hiring_manager.org_unit.name})."))
        if not bar_raiser.active:
            problems.append(("bar_raiser_id", f"{bar_raiser.name}'s account is deactivated."))
    if shadow is not None:
        if shadow.certification != Certification.IN_TRAINING:
            problems.append(("shadow_id", f"{shadow.name} is not a bar raiser in training."))
        if shadow.id in {hiring_manager.id, recruiter.id, getattr(bar_raiser, "id", None)}:
            problems.append(("shadow_id", "The shadow cannot also be the hiring manager, recruiter or bar raiser."))
    if hiring_manager.id == recruiter.id:
        problems.append(("recruiter_id", "The recruiter and the hiring manager must be different people."))
    for person, name in ((hiring_manager, "hiring_manager_id"), (recruiter, "recruiter_id")):
        if not person.active:
            problems.append((name, f"{person.name}'s account is deactivated."))
    if not recruiter.is_recruiter:
        problems.append(("recruiter_id", f"{recruiter.name} is not a recruiter."))
    return problems


def require_independence(**people) -> None:
    problems = independence_problems(**people)
    if problems:
        field, message = problems[0]
        raise ServiceError(message, field=field)


def active_loop_counts() -> dict[int, int]:
    """Return each bar raiser's number of open loops."""
    rows = db.session.execute(
        select(Loop.bar_raiser_id, func.count())
        .where(Loop.status == LoopStatus.OPEN, Loop.bar_raiser_id.is_not(None))
        .group_by(Loop.bar_raiser_id)
    )
    return dict(rows.all())


def suggest_bar_raisers(hiring_manager: User, recruiter: User, limit: int = 5) -> list[tuple[User, int]]:
    """Certified, independent of this loop, fewest open loops first."""
    counts = active_loop_counts()
    candidates = db.session.scalars(
        select(User).where(User.certification == Certification.CERTIFIED, User.active)
    ).all()
    fit = [u for u in candidates
           if not independence_problems(bar_raiser=u, hiring_manager=hiring_manager, recruiter=recruiter)]
    fit.sort(key=lambda u: (counts.get(u.id, 0), u.name))
    return [(u, counts.get(u.id, 0)) for u in fit[:limit]]


def create_loop(requisition: Requisition | None, candidate, actor: User, *, recruiter: User,
                hiring_manager: User | None, bar_raiser: User | None = None, shadow: User | None = None) -> Loop:
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
                         shadow=shadow)
    duplicate = db.session.scalar(select(Loop).where(
        Loop.requisition_id == requisition.id, Loop.candidate_id == candidate.id, Loop.status == LoopStatus.OPEN))
    if duplicate is not None:
        raise ServiceError(f"{candidate.name} already has an open loop for this requisition.",
                           field="candidate_id")
    loop = Loop(requisition=requisition, candidate=candidate, recruiter=recruiter,
                hiring_manager=hiring_manager, bar_raiser=bar_raiser, shadow=shadow, step=Step.RESUME_REVIEW)
    db.session.add(loop)
    db.session.flush()
    record("loop.created", loop, actor, loop=loop, to_state=Step.RESUME_REVIEW.label,
           personal={"candidate": candidate.name}, requisition=requisition.title)
    return loop


def set_loop_people(loop: Loop, actor: User, *, recruiter: User, hiring_manager: User,
                    bar_raiser: User | None, shadow: User | None) -> None:
    """Change who runs the loop; independence is checked again on every change."""
    require_open(loop)
    if actor.id != loop.recruiter_id:
        raise WorkflowError("Only the loop's recruiter changes its people.")
    if loop.step > Step.IN_HOUSE_INTERVIEWS and bar_raiser is None:
        raise ServiceError("From written feedback on, the loop needs its bar raiser.", field="bar_raiser_id")
    if loop.step > Step.IN_HOUSE_INTERVIEWS and bar_raiser.id != loop.bar_raiser_id:
        raise ServiceError("The bar raiser cannot change once written feedback has started.",
                           field="bar_raiser_id")
    require_independence(bar_raiser=bar_raiser, hiring_manager=hiring_manager, recruiter=recruiter, shadow=shadow)
    changes = {}
    for role, person in (("recruiter", recruiter), ("hiring_manager", hiring_manager),
                         ("bar_raiser", bar_raiser), ("shadow", shadow)):
        before = getattr(loop, role)
        if (before and before.id) != (person and person.id):
            changes[role] = [before and before.name, person and person.name]
            setattr(loop, role, person)
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
