"""The loop list's query, shared by the page and its CSV export."""

from sqlalchemy import Select, select

from app.interviews.models import Interview
from app.loops.models import Loop, LoopStatus
from app.people.models import User
from app.permissions import participant_filter, takes_part
from app.requisitions.models import Requisition


def int_arg(args, name: str) -> int | None:
    value = args.get(name, "")
    return int(value) if value.isdigit() else None


def loop_list_query(user: User, args) -> Select:
    """Select the loops `user` takes part in, filtered by step, status, requisition, org unit and person.

    Status defaults to open; any other value than a known status means all of them.
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
