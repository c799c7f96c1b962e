"""When a candidate's personal data is erased: the policies that keep it, the holds that stop erasure.

A closed loop keeps its candidate's data for the longest of the policies that
cover it (the default, its requisition's org unit, its requisition's
location) for the way it closed; a candidate is due when every loop of theirs
is closed and the last keep has run out. An open loop or an active legal hold
(on the candidate, a requisition of theirs, or the org unit of one) stops
erasure; `problems` says so in the words the purge and the pages show.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, or_, select

from app.candidates.models import Candidate
from app.db_types import utcnow
from app.extensions import db
from app.loops.models import Loop, LoopStatus
from app.requisitions.models import Requisition
from app.retention.models import LegalHold, PolicyScope, RetentionDate, RetentionPolicy

DUE_WINDOW_DAYS = 30
DUE_PAGE = 100
REFRESH_BATCH = 500


@dataclass
class Policies:
    default: RetentionPolicy | None = None
    by_org_unit: dict[int, RetentionPolicy] = field(default_factory=dict)
    by_location: dict[str, RetentionPolicy] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Policies":
        found = cls()
        for policy in db.session.scalars(select(RetentionPolicy)):
            if policy.scope == PolicyScope.DEFAULT:
                found.default = policy
            elif policy.scope == PolicyScope.ORG_UNIT:
                found.by_org_unit[policy.org_unit_id] = policy
            else:
                found.by_location[policy.location.casefold()] = policy
        return found

    def keep(self, status: str, org_unit_id: int | None, location: str | None) -> tuple[int, str] | None:
        """Return (days, which policy) for a loop closed as `status`: the longest that covers it, or None."""
        covering = [self.default, self.by_org_unit.get(org_unit_id),
                    self.by_location.get((location or "").casefold()) if location else None]
        covering = [policy for policy in covering if policy is not None]
        if not covering:
            return None
        winner = max(covering, key=lambda policy: policy.days_for(status))
        return winner.days_for(status), winner.label


@dataclass
class LoopKeep:
    loop_id: int
    status: str
    closed_at: datetime | None
    keep_until: datetime | None = None
    because: str = ""


@dataclass
class ErasureStatus:
    """Where one candidate stands: when their data is erased, and what keeps it."""

    candidate_id: int
    name: str
    erased_at: datetime | None
    loops: list[LoopKeep] = field(default_factory=list)
    holds: list[LegalHold] = field(default_factory=list)
    no_policy: bool = False

    @property
    def open_loops(self) -> list[int]:
        return [keep.loop_id for keep in self.loops if keep.status == LoopStatus.OPEN]

    @property
    def erase_on(self) -> datetime | None:
        """The day the last keep runs out; None while a loop is open, without loops, or without a policy."""
        if not self.loops or self.open_loops or self.no_policy or self.erased_at is not None:
            return None
        return max(keep.keep_until for keep in self.loops)

    @property
    def kept_by(self) -> str:
        """Which loop and policy keep the data longest, in words."""
        if self.erase_on is None:
            return ""
        last = max(self.loops, key=lambda keep: keep.keep_until)
        return f"loop {last.loop_id}, {LoopStatus(last.status).label.lower()}: {last.because}"

    def problems(self, now: datetime | None = None) -> list[str]:
        """Return why the candidate may not be erased now, in words; empty when they may."""
        now = now or utcnow()
        if self.erased_at is not None:
            return ["Their data was already erased."]
        found = [f"Loop {loop_id} is still open; a candidate is erased only once every loop of theirs is closed."
                 for loop_id in self.open_loops]
        found += [f"Legal hold {hold.id} on {hold.target} keeps them: {hold.reason}" for hold in self.holds]
        if not found:
            if not self.loops:
                found.append("They were never in a loop; no policy covers them.")
            elif self.no_policy:
                found.append("No retention policy covers their loops; set a default policy.")
            elif self.erase_on > now:
                found.append(f"Kept until {self.erase_on:%d %b %Y} ({self.kept_by}).")
        return found


def statuses(candidate_ids: list[int] | None = None, *, older_than_days: int | None = None,
             now: datetime | None = None) -> list[ErasureStatus]:
    """Return the erasure status of the given candidates (default: every candidate not yet erased).

    `older_than_days` replaces the policies: every loop's keep runs out that many days after it closed.
    """
    now = now or utcnow()
    query = select(Candidate.id, Candidate.name, Candidate.anonymized_at)
    query = query.where(Candidate.id.in_(candidate_ids)) if candidate_ids is not None else query.where(
        Candidate.anonymized_at.is_(None))
    found = {row.id: ErasureStatus(row.id, row.name, row.anonymized_at) for row in db.session.execute(query)}
    if not found:
        return []
    policies = Policies.load() if older_than_days is None else None
    # The requisition's org unit and location looked up by key for each loop, not joined: a join of a page of
    # loops may read every requisition to hash them.
    of_requisition = Requisition.id == Loop.requisition_id
    loops = db.session.execute(
        select(Loop.id, Loop.candidate_id, Loop.status, Loop.closed_at, Loop.requisition_id,
               select(Requisition.org_unit_id).where(of_requisition).scalar_subquery().label("org_unit_id"),
               select(Requisition.location).where(of_requisition).scalar_subquery().label("location"))
        .where(Loop.candidate_id.in_(list(found))).order_by(Loop.id)).all()
    requisitions, units = defaultdict(set), defaultdict(set)
    for row in loops:
        status = found[row.candidate_id]
        requisitions[row.requisition_id].add(row.candidate_id)
        units[row.org_unit_id].add(row.candidate_id)
        keep = LoopKeep(row.id, row.status, row.closed_at)
        if row.status != LoopStatus.OPEN:
            if policies is None:
                keep.keep_until, keep.because = row.closed_at + timedelta(days=older_than_days), (
                    f"{older_than_days} days (--older-than)")
            else:
                rule = policies.keep(row.status, row.org_unit_id, row.location)
                if rule is None:
                    status.no_policy = True
                else:
                    keep.keep_until = row.closed_at + timedelta(days=rule[0])
                    keep.because = f"{rule[1]}, {rule[0]} days"
        status.loops.append(keep)
    holds = db.session.scalars(select(LegalHold).where(LegalHold.released_at.is_(None)).where(
        LegalHold.candidate_id.in_(list(found)) | LegalHold.requisition_id.in_(list(requisitions))
        | LegalHold.org_unit_id.in_([unit for unit in units if unit is not None])).order_by(LegalHold.id))
    for hold in holds:
        if hold.candidate_id is not None:
            held = {hold.candidate_id}
        elif hold.requisition_id is not None:
            held = requisitions[hold.requisition_id]
        else:
            held = units[hold.org_unit_id]
        for candidate_id in held:
            found[candidate_id].holds.append(hold)
    return list(found.values())


def status_of(candidate: Candidate, **kwargs) -> ErasureStatus:
    return statuses([candidate.id], **kwargs)[0]


def refresh_dates(candidate_ids: list[int]) -> None:
    """Write when each of these candidates may be erased (`RetentionDate`), or remove the row: while a loop of
    theirs is open, before their first loop, once erased. Call it wherever a loop opens or closes."""
    ids = sorted(set(candidate_ids))
    if not ids:
        return
    rows = []
    for status in statuses(ids):
        if status.erased_at is None and status.loops and not status.open_loops:
            rows.append({"candidate_id": status.candidate_id,
                         "loops_closed_at": max(keep.closed_at for keep in status.loops),
                         "erase_on": status.erase_on})
    db.session.execute(delete(RetentionDate).where(RetentionDate.candidate_id.in_(ids)))
    if rows:
        db.session.execute(insert(RetentionDate), rows)


def refresh_all_dates() -> None:
    """Recompute every stored date, a batch at a time: after a policy changes. Who has a row does not change
    with the policies (only with the loops), so the rows are all there is to recompute."""
    after = 0
    while ids := list(db.session.scalars(
            select(RetentionDate.candidate_id).where(RetentionDate.candidate_id > after)
            .order_by(RetentionDate.candidate_id).limit(REFRESH_BATCH))):
        refresh_dates(ids)
        after = ids[-1]


@dataclass
class DuePage:
    statuses: list[ErasureStatus]
    next_after: tuple[datetime, int] | None  # where the next page starts (its date and candidate), if any


def due_page(within_days: int = DUE_WINDOW_DAYS, *, older_than_days: int | None = None, now: datetime | None = None,
             after: tuple[datetime, int] | None = None, limit: int | None = None) -> DuePage:
    """One page of the candidates due within `within_days` (held ones included, marked), soonest first.

    They are found through `RetentionDate`'s indexes: by the policies' date, or
    with `older_than_days` by when their last loop closed; each is then checked
    against the rules as they stand, so a date not yet refreshed never erases
    anyone early. `after` is the (date, candidate) the previous page ended at.
    """
    now, limit = now or utcnow(), limit or DUE_PAGE
    horizon = now + timedelta(days=within_days)
    if older_than_days is None:
        key = RetentionDate.erase_on
        query = select(RetentionDate.candidate_id, key).where(key <= horizon)
    else:
        key = RetentionDate.loops_closed_at
        query = select(RetentionDate.candidate_id, key).where(key <= horizon - timedelta(days=older_than_days))
    if after is not None:
        query = query.where(or_(key > after[0], and_(key == after[0], RetentionDate.candidate_id > after[1])))
    rows = db.session.execute(query.order_by(key, RetentionDate.candidate_id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    found = [status for status in statuses([row.candidate_id for row in rows], older_than_days=older_than_days,
                                           now=now)
             if status.erase_on is not None and status.erase_on <= horizon]
    found.sort(key=lambda status: (status.erase_on, status.candidate_id))
    return DuePage(found, (rows[-1][1], rows[-1][0]) if more else None)


def due(within_days: int = DUE_WINDOW_DAYS, *, older_than_days: int | None = None,
        now: datetime | None = None) -> list[ErasureStatus]:
    """Every candidate due within `within_days` (held ones included, marked), soonest first, a page at a time."""
    found, after = [], None
    while True:
        page = due_page(within_days, older_than_days=older_than_days, now=now, after=after)
        found += page.statuses
        if page.next_after is None:
            return found
        after = page.next_after
