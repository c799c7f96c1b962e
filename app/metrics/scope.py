"""Which loops a metric may count: the viewer's reach, narrowed by the page's filters.

Queries that apply these conditions select from the plain `Loop` and alias every
other table the conditions name (`Interview`, `Requisition`), so the
conditions' subqueries correlate with the loop and nothing else.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select

from app.db_types import utcnow
from app.loops.models import Loop
from app.people.models import User
from app.permissions import is_admin, is_recruiter, participant_filter
from app.requisitions.models import Requisition


@dataclass(frozen=True)
class Filters:
    org_unit_id: int | None = None
    requisition_id: int | None = None
    bar_raiser_id: int | None = None
    created_from: datetime | None = None  # inclusive, UTC
    created_before: datetime | None = None  # exclusive, UTC


@dataclass(frozen=True)
class Scope:
    """One viewer's metrics question: which loops, as of when."""

    viewer: User
    filters: Filters = field(default_factory=Filters)
    now: datetime = field(default_factory=utcnow)

    @property
    def sees_every_loop(self) -> bool:
        return is_admin(self.viewer) or is_recruiter(self.viewer)

    def loops(self) -> list:
        """WHERE conditions on `Loop`: every loop for admins and recruiters, else the viewer's own."""
        f = self.filters
        conditions = [] if self.sees_every_loop else [participant_filter(self.viewer)]
        if f.org_unit_id:
            conditions.append(Loop.requisition_id.in_(
                select(Requisition.id).where(Requisition.org_unit_id == f.org_unit_id)))
        if f.requisition_id:
            conditions.append(Loop.requisition_id == f.requisition_id)
        if f.bar_raiser_id:
            conditions.append(Loop.bar_raiser_id == f.bar_raiser_id)
        if f.created_from:
            conditions.append(Loop.created_at >= f.created_from)
        if f.created_before:
            conditions.append(Loop.created_at < f.created_before)
        return conditions

    def watched_loops(self) -> list:
        """Loops whose submission times the viewer may see (PRODUCT.md: "Who has submitted and when").

        Admins and recruiters see every loop's; anyone else only those they
        recruit, hire for or raise the bar on, not those they only interview on.
        """
        if self.sees_every_loop:
            return self.loops()
        me = self.viewer.id
        return self.loops() + [or_(Loop.recruiter_id == me, Loop.hiring_manager_id == me, Loop.bar_raiser_id == me)]

    def readable_loops(self) -> list:
        """Loops the viewer takes part in: the only ones whose votes can ever be readable to them."""
        return self.loops() + ([participant_filter(self.viewer)] if self.sees_every_loop else [])
