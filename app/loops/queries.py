"""The loop list's queries: the loops (the page's and its CSV export's), their bounded count, the filters' choices.

Every query starts from the viewer's own rows of `loop_members` (one per loop
they take part in, kept by the database), walked by index in the order the
list shows: a page costs what it shows, however many loops the viewer has
taken part in over the years.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, exists, func, select, tuple_
from sqlalchemy.orm import aliased

from app.extensions import db
from app.integers import int_arg
from app.loops.models import Loop, LoopMember, LoopStatus
from app.people.models import OrgUnit, User
from app.permissions import membership
from app.requisitions.models import Requisition

# The count stops here: past it the list says "1,000+" and pages on; from page 41 it counts to 2,000, and so on.
COUNT_LIMIT = 1000
# The requisition and org unit filters offer those of the viewer's latest loops in the listed status.
CHOICES_FROM = 300

STATUSES = frozenset(s.value for s in LoopStatus)


def _mine(user: User, status: str):
    """The viewer's member rows in the listed status (any value but a known status lists them all)."""
    conditions = [LoopMember.person_id == user.id]
    if status in STATUSES:
        conditions.append(LoopMember.status == status)
    return conditions


def member_rows(user: User, args) -> Select:
    """Select the viewer's member rows (loop id, step entered) the list shows, filtered, in the list's order.

    Filtered by step, status, requisition, org unit and person. Status defaults to open; any other
    value than a known status means all of them. A number filter that is not a whole number in the
    ids' range is refused with 400 (see `int_arg`). Sorted by how long a loop has waited in its
    step, longest first: the order of the viewer's index, so the database reads what it returns.
    """
    status = args.get("status", "open")
    query = select(LoopMember.loop_id, LoopMember.step_entered_at).where(*_mine(user, status))
    if step := int_arg(args, "step"):
        query = query.where(LoopMember.step == step)
    if requisition := int_arg(args, "requisition"):
        # The requisition's few loops, by the loops' requisition index, each looked up among the viewer's rows.
        query = query.where(LoopMember.loop_id.in_(select(Loop.id).where(Loop.requisition_id == requisition)))
    if org_unit := int_arg(args, "org_unit"):
        query = query.where(LoopMember.requisition_id.in_(
            select(Requisition.id).where(Requisition.org_unit_id == org_unit)))
    if person := int_arg(args, "person"):
        other = aliased(LoopMember)
        query = query.where(exists().where(other.person_id == person, other.loop_id == LoopMember.loop_id))
    return query.order_by(LoopMember.step_entered_at, LoopMember.loop_id)


def loops_of(rows: Select) -> Select:
    """Select the loops of a bounded selection of member rows (a page, a batch), in its order, each by its key."""
    chosen = rows.subquery()
    return select(Loop).join(chosen, chosen.c.loop_id == Loop.id).order_by(chosen.c.step_entered_at, Loop.id)


def loop_list_page(user: User, args, offset: int, limit: int) -> Select:
    """Select one page of the loops `user` takes part in, as `member_rows` filters and orders them."""
    return loops_of(member_rows(user, args).offset(offset).limit(limit))


def loop_list_batches(user: User, args, size: int, options=()) -> Iterator[list[Loop]]:
    """Return the batches of every loop of the listing in its order, `size` at a time, for the CSV export.

    The filters are read (and refused) now; each batch is read when asked
    for, walking the viewer's index on from the last batch's key. The
    session holds loaded rows weakly, so a batch handed on is let go.
    """
    rows = member_rows(user, args)

    def batches():
        after = None
        while True:
            batch_rows = rows if after is None else rows.where(
                tuple_(LoopMember.step_entered_at, LoopMember.loop_id) > tuple_(*after))
            batch = db.session.scalars(loops_of(batch_rows.limit(size)).options(*options)).all()
            if batch:
                yield batch
            if len(batch) < size:
                return
            after = (batch[-1].step_entered_at, batch[-1].id)

    return batches()


def counted_to(offset: int, page_size: int) -> int:
    """Where the count of a page's listing stops: the first multiple of `COUNT_LIMIT` past the page's end."""
    return -(-(offset + page_size) // COUNT_LIMIT) * COUNT_LIMIT


def bounded_count(user: User, args, limit: int) -> int:
    """Count the listing's rows up to `limit`, and one more if there are more."""
    limited = member_rows(user, args).order_by(None).limit(limit + 1)
    return db.session.scalar(select(func.count()).select_from(limited.subquery()))


@dataclass(frozen=True)
class FilterChoices:
    requisitions: list  # rows of (id, title, level)
    org_units: list  # rows of (id, name)
    people: list  # rows of (id, name)


def filter_choices(user: User, status: str, requisition_id: int | None,
                   org_unit_id: int | None = None) -> FilterChoices:
    """Return the loop list's filter choices, drawn from the viewer's own loops.

    Nobody learns of requisitions they are not part of. The requisitions (and
    their org units) are those of the viewer's latest `CHOICES_FROM` loops in
    the status being listed, by when they entered their step, and the chosen
    ones: years of closed loops would otherwise make the list grow without
    end. Rows of the columns the filters show, not ORM objects.
    """
    latest = (select(LoopMember.requisition_id).where(*_mine(user, status))
              .order_by(LoopMember.step_entered_at.desc(), LoopMember.loop_id.desc()).limit(CHOICES_FROM))
    ids = set(db.session.scalars(latest))
    if requisition_id and requisition_id not in ids and db.session.scalar(select(exists().where(
            Loop.requisition_id == requisition_id, membership(user)))):
        ids.add(requisition_id)  # chosen, and one of the viewer's, if not among their latest
    requisitions = db.session.execute(
        select(Requisition.id, Requisition.title, Requisition.level, Requisition.org_unit_id)
        .where(Requisition.id.in_(sorted(ids))).order_by(Requisition.title, Requisition.id)).all() if ids else []
    units = {row.org_unit_id for row in requisitions} | ({org_unit_id} if org_unit_id else set())
    return FilterChoices(
        requisitions=requisitions,
        org_units=db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(sorted(units)))
                                     .order_by(OrgUnit.name, OrgUnit.id)).all() if units else [],
        people=db.session.execute(select(User.id, User.name).where(User.active).order_by(User.name)).all(),
    )
