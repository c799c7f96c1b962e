"""The loop list's queries: the loops, shared by the page and its CSV export, and its filters' choices."""

from dataclasses import dataclass

from sqlalchemy import Select, and_, or_, select

from app.extensions import db
from app.integers import int_arg
from app.interviews.models import Interview
from app.loops.models import Loop, LoopStatus
from app.people.models import OrgUnit, User
from app.permissions import participant_filter, takes_part
from app.requisitions.models import Requisition


def loop_list_query(user: User, args) -> Select:
    """Select the loops `user` takes part in, filtered by step, status, requisition, org unit and person.

    Status defaults to open; any other value than a known status means all of them.
    A number filter that is not a whole number in the ids' range is refused with 400 (see `int_arg`).
    Sorted by how long a loop has waited in its step, longest first.
    """
    status = args.get("status", "open")
    # The open loops are few, so each is tested; any other listing reads the user's own loops by index.
    mine = takes_part(user) if status == LoopStatus.OPEN else participant_filter(user)
    query = select(Loop).join(Loop.requisition).where(mine)
    if status in {s.value for s in LoopStatus}:
        query = query.where(Loop.status == status)
    if step := int_arg(args, "step"):
        query = query.where(Loop.step == step)
    if requisition := int_arg(args, "requisition"):
        query = query.where(Loop.requisition_id == requisition)
    if org_unit := int_arg(args, "org_unit"):
        query = query.where(Requisition.org_unit_id == org_unit)
    if person := int_arg(args, "person"):
        query = query.where(
            (Loop.recruiter_id == person) | (Loop.hiring_manager_id == person) | (Loop.bar_raiser_id == person)
            | Loop.interviews.any(Interview.interviewer_id == person)
        )
    return query.order_by(Loop.step_entered_at, Loop.id)


@dataclass(frozen=True)
class FilterChoices:
    requisitions: list  # rows of (id, title, level)
    org_units: list  # rows of (id, name)
    people: list  # rows of (id, name)


def filter_choices(user: User, status: str, requisition_id: int | None) -> FilterChoices:
    """Return the loop list's filter choices, drawn from the viewer's own loops.

    Nobody learns of requisitions they are not part of. The requisitions are
    those of the loops in the status being listed (and the one chosen): years
    of closed loops would otherwise make the default view's list grow without
    end. Rows of the columns the filters show, not ORM objects: a recruiter's
    history has hundreds.
    """
    mine = takes_part(user) if status == LoopStatus.OPEN else participant_filter(user)
    if status in {s.value for s in LoopStatus}:
        listed = Loop.status == status
        mine = and_(mine, or_(listed, Loop.requisition_id == requisition_id) if requisition_id else listed)
    # Joined from the viewer's loops, so the database walks those loops and looks each requisition up by its key.
    return FilterChoices(
        requisitions=db.session.execute(
            select(Requisition.id, Requisition.title, Requisition.level)
            .join(Loop, Loop.requisition_id == Requisition.id).where(mine).distinct()
            .order_by(Requisition.title, Requisition.id)).all(),
        org_units=db.session.execute(
            select(OrgUnit.id, OrgUnit.name).join(Requisition, Requisition.org_unit_id == OrgUnit.id)
            .join(Loop, Loop.requisition_id == Requisition.id).where(mine).distinct()
            .order_by(OrgUnit.name, OrgUnit.id)).all(),
        people=db.session.execute(select(User.id, User.name).where(User.active).order_by(User.name)).all(),
    )
