"""Who may do what: predicates (`is_...`, `can_...`) and enforcers (`require_...`).

Views call the enforcers; templates call the same predicates, so a button is
shown exactly when the view would accept it. Anyone who is not part of a loop
gets 404 for anything of it; a participant without the right gets 403.
"""

from functools import cache

from flask import abort
from flask_login import current_user
from sqlalchemy import bindparam, exists, or_, select, union_all
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.candidates.models import Candidate
from app.extensions import db
from app.interviews.models import Interview
from app.loops.models import Loop
from app.loops.workflow import can_advance, loop_roles
from app.people.models import User
from app.requisitions.models import Requisition


def _user(user):
    # The signed-in user itself, not the proxy: predicates read several of its attributes.
    return current_user._get_current_object() if user is None else user


def is_admin(user: User | None = None) -> bool:
    """Return whether the user (default: the signed-in one) is an active admin."""
    user = _user(user)
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_admin)


def is_recruiter(user: User | None = None) -> bool:
    """Return whether the user is an active recruiter."""
    user = _user(user)
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_recruiter)


def require_admin() -> None:
    """Abort with 403 unless the signed-in user is an admin."""
    if not is_admin():
        abort(403)


def require_recruiter() -> None:
    if not is_recruiter():
        abort(403)


def participant_filter(user: User):
    """A WHERE clause selecting the loops `user` takes part in.

    One indexed lookup per role, so the database reads the user's own loops
    rather than testing every loop (an OR of the roles cannot use the indexes).
    The subqueries use their own aliases: they never correlate with the caller's tables.
    """
    loop, interview = aliased(Loop), aliased(Interview)
    return Loop.id.in_(union_all(
        select(loop.id).where(loop.recruiter_id == user.id),
        select(loop.id).where(loop.hiring_manager_id == user.id),
        select(loop.id).where(loop.bar_raiser_id == user.id),
        select(loop.id).where(loop.shadow_id == user.id),
        select(interview.loop_id).where(interview.interviewer_id == user.id),
    ))


def takes_part(user: User):
    """A WHERE clause testing each loop row for `user` taking part in it.

    For queries narrowed to the open loops, a few dozen whatever the history:
    testing those rows costs what they are, where `participant_filter` first
    collects every loop the user ever took part in, which grows with the years.
    """
    interview = aliased(Interview)  # never the caller's interviews, should its query have some
    return or_(
        Loop.recruiter_id == user.id, Loop.hiring_manager_id == user.id, Loop.bar_raiser_id == user.id,
        Loop.shadow_id == user.id,
        exists().where(interview.loop_id == Loop.id, interview.interviewer_id == user.id),
    )


def is_loop_participant(loop: Loop, user: User | None = None) -> bool:
    return bool(loop_roles(loop, _user(user)))


@cache
def _loop_by_id(dialect: str):
    """The statement that loads a loop page's loop, built once per database: SQLAlchemy reuses its compiled form.

    What nearly every loop page shows is loaded with it, in a fixed number of
    queries. Collections a page shows only at some steps (references, final
    votes) load on first use, one query each, so a page that never reads them
    pays nothing for them.

    Principles hang off a link table, which SQLAlchemy joins as a nested join.
    PostgreSQL flattens it; SQLite materializes the whole link table for it,
    so there the principles come in a query of their own instead.
    """
    principles = joinedload if dialect == "postgresql" else selectinload
    return (
        select(Loop).where(Loop.id == bindparam("loop_id"))
        .options(
            # One row each (or a few): joined into the loop's own query rather than a query apiece.
            joinedload(Loop.candidate), joinedload(Loop.decision), joinedload(Loop.offer),
            joinedload(Loop.requisition).options(principles(Requisition.principles)),
            joinedload(Loop.screen_decisions),  # none, one or two
            # Interviews with their interviewer, their (at most two) feedbacks and their principles.
            selectinload(Loop.interviews).options(
                joinedload(Interview.interviewer), joinedload(Interview.feedbacks),
                principles(Interview.principles)),
        )
    )


def get_loop_or_404(loop_id: int) -> Loop:
    """Load a loop the signed-in user takes part in; anyone else gets 404."""
    statement = _loop_by_id(db.session.get_bind().dialect.name)
    loop = db.session.execute(statement, {"loop_id": loop_id}).unique().scalar_one_or_none()
    if loop is None or not is_loop_participant(loop):
        abort(404)
    return loop


def can_manage_loop(loop: Loop, user: User | None = None) -> bool:
    """The loop's recruiter sets up its people and interviews while it is open."""
    user = _user(user)
    return loop.is_open and loop.recruiter_id == user.id


def can_close_loop(loop: Loop, user: User | None = None) -> bool:
    user = _user(user)
    return loop.is_open and user.id in (loop.recruiter_id, loop.hiring_manager_id)


def can_advance_loop(loop: Loop, user: User | None = None) -> bool:
    return loop.is_open and can_advance(loop, _user(user))


def can_screen(loop: Loop, step: int, user: User | None = None) -> bool:
    """Return whether the user records the résumé screen (2) or phone-screen decision (3) now."""
    user = _user(user)
    if not loop.is_open or loop.step != step:
        return False
    allowed = {loop.recruiter_id, loop.hiring_manager_id} if step == 2 else {loop.hiring_manager_id}
    return user.id in allowed


def can_record_references(loop: Loop, user: User | None = None) -> bool:
    user = _user(user)
    return loop.is_open and loop.step == 7 and user.id in (loop.recruiter_id, loop.hiring_manager_id)


def can_manage_offer(loop: Loop, user: User | None = None) -> bool:
    return loop.is_open and loop.step == 8 and _user(user).id == loop.recruiter_id


def require(allowed: bool) -> None:
    """Abort with 403 when a participant lacks the right."""
    if not allowed:
        abort(403)


def can_see_requisition(requisition: Requisition, user: User | None = None) -> bool:
    user = _user(user)
    return is_recruiter(user) or is_admin(user) or user.id == requisition.hiring_manager_id


def get_requisition_or_404(requisition_id: int) -> Requisition:
    requisition = db.session.get(Requisition, requisition_id)
    if requisition is None or not can_see_requisition(requisition):
        abort(404)
    return requisition


def can_see_candidate(candidate: Candidate, user: User | None = None) -> bool:
    """Recruiters see every candidate; others only those of loops they take part in."""
    user = _user(user)
    if is_recruiter(user):
        return True
    return bool(db.session.scalar(select(
        exists().where(Loop.candidate_id == candidate.id, participant_filter(user))
    )))


def can_read_resume(candidate: Candidate, user: User | None = None) -> bool:
    """A résumé is served to whoever added the candidate and to the participants of their loops."""
    user = _user(user)
    if candidate.created_by_id == user.id:
        return True
    return bool(db.session.scalar(select(
        exists().where(Loop.candidate_id == candidate.id, participant_filter(user))
    )))


def get_candidate_or_404(candidate_id: int) -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or not can_see_candidate(candidate):
        abort(404)
    return candidate


TEMPLATE_PREDICATES = (
    "is_admin", "is_recruiter", "is_loop_participant", "can_manage_loop", "can_close_loop",
    "can_advance_loop", "can_screen", "can_see_requisition", "can_read_resume", "can_record_references",
    "can_manage_offer",
)
