"""The metrics of every loop in a scope, read from the rollups: a few rows per grain, not per loop ever held.

All time is one row per grain key; any other period is read as its whole
years and the whole months around them (`MetricRollup`), or, when that is
fewer rows, as all time less the years and months outside it (`plan`). A
period that starts or ends inside a month adds the hours it holds of that
month, or takes the hours outside it away from the month's row, whichever is
shorter, from the tallies of the loops created in them (`LoopTally`, by its
created_at index; `bounds`). The grain read
follows the filters: the company, per org unit and per bar raiser when there
is none; org unit and bar raiser when those are chosen; requisition and bar
raiser when a requisition is. The viewer's readable votes for all time and the
whole company are a row per interviewer (`ReadableCounts`), which the database
ranks and pages (`Listed`).
"""

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import Row, and_, case, func, literal, or_, select

from app.db_types import among, constant
from app.extensions import db
from app.feedback.models import Vote
from app.loops.models import Step
from app.metrics import calibration as votes
from app.metrics import coaching as coached
from app.metrics import funnel as output
from app.metrics import panel, timing
from app.metrics.models import LoopTally, MetricRollup, ReadableCounts
from app.metrics.rollups import BREAKDOWN_COLUMNS, BREAKDOWN_GRAINS
from app.metrics.scope import Scope
from app.metrics.stats import Distribution
from app.metrics.tally import BREAKDOWN, month_of, pairs
from app.people.models import OrgUnit, User
from app.principles.models import Principle
from app.requisitions.models import Requisition

HOUR_US = 3600 * 10**6


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def bounds(start: datetime | None, end: datetime | None) -> tuple[tuple[date | None, date | None] | None, list]:
    """How to read the period [start, end) (None: open): the whole months [first, last) read as rollup rows (None:
    none), and the stretches read loop by loop, each (from, before, sign): added, or (-1) taken away.

    A period that starts or ends inside a month reads that month's row when the part outside the period is the
    shorter one, and takes away that part's loops: a big company creates hundreds of loops a month, and the
    twelve months to now start at midnight where the viewer lives, hours into a UTC month or hours before it.
    """
    first = last = None
    stretches = []
    if start is not None:
        month = month_of(start)
        begins, after = _moment(month, start), _moment(_next_month(month), start)
        if begins == start:
            first = month
        elif start - begins < after - start:
            first = month
            stretches.append((begins, start, -1))
        else:
            first = _next_month(month)
            stretches.append((start, after, 1))
    if end is not None:
        month = month_of(end)
        begins, after = _moment(month, end), _moment(_next_month(month), end)
        if begins == end:
            last = month
        elif after - end < end - begins:
            last = _next_month(month)
            stretches.append((end, after, -1))
        else:
            last = month
            stretches.append((begins, end, 1))
    if first is not None and last is not None and (
            first >= last or sum((until - since for since, until, _ in stretches), timedelta(0)) >= end - start):
        return None, [(start, end, 1)]  # within a month or two, and shorter read loop by loop
    return (first, last), stretches


def _moment(day: date, like: datetime) -> datetime:
    return datetime(day.year, day.month, 1, tzinfo=like.tzinfo)


def spans(first: date | None, last: date | None) -> list[tuple[str, date | None, date | None]]:
    """The rollup rows that make up the whole months [first, last) (None: open): (span, from, before).

    All time is its own row; otherwise the whole years inside, and the months before and after them.
    """
    if first is None and last is None:
        return [("all", None, None)]
    from_year = first if first is None or first.month == 1 else date(first.year + 1, 1, 1)
    before_year = None if last is None else date(last.year, 1, 1)
    if from_year is not None and before_year is not None and from_year >= before_year:
        return [("month", first, last)]
    result = [("year", from_year, before_year)]
    if first is not None and from_year != first:
        result.append(("month", first, from_year))
    if last is not None and before_year != last:
        result.append(("month", before_year, last))
    return result


def _months_between(start: date, before: date) -> int:
    return max(0, (before.year - start.year) * 12 + before.month - start.month)


def rows_per_key(parts: list[tuple[str, date | None, date | None]], history: tuple[date, date]) -> int:
    """How many rows per grain key the spans read, in a history of whole months [first, last]."""
    first, last = history
    after_last = _next_month(last)
    rows = 0
    for span, start, before in parts:
        start, before = max(start or first, first), min(before or after_last, after_last)
        if span == "all":
            rows += 1
        elif span == "year":
            rows += before.year - start.year + (before.month > 1) if start < before else 0  # years begun
        else:
            rows += _months_between(start, before)
    return rows


def plan(first: date | None, last: date | None, history: tuple[date, date] | None) -> tuple[list, list]:
    """The spans to add and the spans to take away to make the whole months [first, last) (None: open).

    A period is its years and the months around them; a long one (ten years of a big company's rollups, per bar
    raiser) may read more rows than all time less the months before and after it (the same figures: tallies add
    and subtract), so the fewer of the two is read."""
    direct = spans(first, last)
    if history is None or (first is None and last is None):
        return direct, []
    rest = (spans(None, first) if first is not None else []) + (spans(last, None) if last is not None else [])
    if 1 + rows_per_key(rest, history) < rows_per_key(direct, history):
        return [("all", None, None)], rest
    return direct, []


def _history() -> tuple[date, date] | None:
    """The first and last month the company's rollups hold, or None when they hold none."""
    row = db.session.execute(select(func.min(MetricRollup.month), func.max(MetricRollup.month)).where(
        MetricRollup.grain == "all", MetricRollup.org_unit_id == 0, MetricRollup.span == "month")).one()
    return None if row[0] is None else (row[0], row[1])


def _span_condition(span: str, start: date | None, before: date | None):
    return and_(MetricRollup.span == constant(span), *([MetricRollup.month >= start] if start else []),
                *([MetricRollup.month < before] if before else []))


class Summed:
    """Tallies added up for reading: counts summed; distributions kept as the rows hold them, each added or
    taken away, and read without merging (`Distribution.of_parts`). A loop's own few values (the loops at a
    period's ends) are pooled, so that a distribution has a part per rollup row and two for those loops."""

    SMALL = 32  # pairs a stored distribution may hold and still be pooled rather than kept as a part

    def __init__(self):
        self.counts: Counter = Counter()
        self.parts: dict[str, list[tuple[int, list | dict]]] = defaultdict(list)  # name -> (sign, as stored)
        self.pooled: dict[str, tuple[dict, dict]] = {}  # name -> (added, taken away): value -> how often
        self.read: dict[tuple[str, float], Distribution] = {}

    def add(self, data: dict, reader: int | None = None, sign: int = 1) -> None:
        """Add a stored tally (with `sign` -1, take it away); with `reader`, only that reader's counts
        (`r:<reader>:...`), without the prefix."""
        if reader is None:
            if sign > 0:
                self.counts.update(data["c"])
            else:
                self.counts.subtract(data["c"])
            for name, stored in data["v"].items():
                if isinstance(stored, dict):  # packed: a rollup row's thousands of values
                    self.parts[name].append((sign, stored))
                    continue
                stored = pairs(stored)
                if len(stored) > self.SMALL:
                    self.parts[name].append((sign, stored))
                    continue
                pool = self.pooled.get(name)
                if pool is None:
                    pool = self.pooled[name] = ({}, {})
                pool = pool[sign < 0]
                for value, n in stored:
                    pool[value] = pool.get(value, 0) + n
            return
        prefix = f"r:{reader}:"
        for name, n in data["c"].items():
            if name.startswith(prefix):
                self.counts[name[len(prefix):]] += sign * n

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)

    def listed(self, name: str, unit: float = 1) -> Distribution:
        """The durations recorded under `name`, in `unit` seconds (as the direct computation gives them)."""
        found = self.read.get((name, unit))
        if found is None:
            parts = list(self.parts.get(name, ()))
            added, taken = self.pooled.get(name, ({}, {}))
            parts += [(sign, sorted(pool.items())) for sign, pool in ((1, added), (-1, taken)) if pool]
            found = self.read[(name, unit)] = Distribution.of_parts(parts, 10**6, unit)
        return found

    def at_most(self, name: str, us: int) -> int:
        return self.listed(name).stored_at_most(us)

    def names(self, prefix: str) -> list[str]:
        return [name for name in self.counts if name.startswith(prefix)]


@dataclass
class Totals:
    """The sums a scope's figures come from: all its loops, split by bar raiser and by org unit, and the
    counts of votes and coaching flags the viewer may read."""

    all: Summed = field(default_factory=Summed)
    by_bar_raiser: dict[int, Summed] = field(default_factory=lambda: defaultdict(Summed))
    by_unit: dict[int, Summed] = field(default_factory=lambda: defaultdict(Summed))
    reader: Summed = field(default_factory=Summed)


# What each grain adds to: the whole scope, its bar-raiser split, its org-unit split, the viewer's readable counts.
ADDS_TO = {
    "all": ("all",), "unit": ("unit",), "bar_raiser": ("bar_raiser",),
    "unit_bar_raiser": ("all", "bar_raiser", "unit"), "requisition_bar_raiser": ("all", "bar_raiser", "unit"),
    "member_unit_bar_raiser": ("all", "bar_raiser", "unit"),
    "member_requisition_bar_raiser": ("all", "bar_raiser", "unit"),
    "reader": ("reader",), "reader_unit_bar_raiser": ("reader",), "reader_requisition_bar_raiser": ("reader",),
}


def totals(scope: Scope, reader: bool = False) -> Totals:
    """Sum the rollups of the scope's whole months and the tallies of its loops on the days around them: the
    figures of every loop in scope, or (with `reader`) the votes and coaching flags the viewer may read, which
    only the interviewer tables need (a big company's run to thousands of names)."""
    f, result, me = scope.filters, Totals(), scope.viewer.id
    start, end = (None if moment is None else moment.astimezone(UTC) for moment in (f.created_from, f.created_before))
    months, stretches = bounds(start, end)
    unit = None
    # Admins and recruiters count every loop; anyone else the loops they take part in (the member grains).
    everyone = scope.sees_every_loop
    if f.requisition_id:
        unit = db.session.scalar(select(Requisition.org_unit_id).where(Requisition.id == f.requisition_id))
        if unit is None or (f.org_unit_id and unit != f.org_unit_id):
            return result
        grains = ("requisition_bar_raiser" if everyone else "member_requisition_bar_raiser",
                  "reader_requisition_bar_raiser")
        where = [MetricRollup.requisition_id == f.requisition_id]
    elif f.org_unit_id or f.bar_raiser_id or not everyone:
        grains, where = ("unit_bar_raiser" if everyone else "member_unit_bar_raiser",
                         "reader_unit_bar_raiser" if f.org_unit_id or f.bar_raiser_id else "reader"), []
        if f.org_unit_id:
            where.append(MetricRollup.org_unit_id == f.org_unit_id)
    else:
        grains, where = ("all", "unit", "bar_raiser", "reader"), []
    if f.bar_raiser_id:
        where.append(MetricRollup.bar_raiser_id == f.bar_raiser_id)

    grains = tuple(grain for grain in grains if ("reader" in ADDS_TO[grain]) == reader)
    if months is not None:
        # A requisition's rows are kept by month alone: its loops span months, not years. A reader's rows for all
        # time and the whole company are kept per interviewer (`Listed`): their periods are read directly.
        if f.requisition_id:
            added, taken = [("month", *months)], []
        else:
            added, taken = spans(*months), []
            # Two rows per key (the twelve months to now: a month and this year) are never more than the rest.
            if not reader and months != (None, None) and (
                    months[0] is None or rows_per_key(added, (months[0], month_of(scope.now))) > 2):
                added, taken = plan(*months, _history())
        where.append(or_(*(_span_condition(*span) for span in added + taken)))
        for grain in grains:
            if grain in BREAKDOWN_GRAINS:
                _add_breakdown(result, grain, where, signed=bool(taken))
                continue
            # One statement per grain, each an equality on (grain, reader) and a range of months: read by index.
            # Each row is sent whole: the grains read for their counts alone (per org unit, per bar raiser, the
            # reader's) keep no distributions (`rollups.contributions`), and asking PostgreSQL for a part of a
            # row would have it parse the row's JSON first (the reader's all-time row is a few hundred kB).
            rows = db.session.execute(
                select(MetricRollup.span, MetricRollup.org_unit_id, MetricRollup.bar_raiser_id, MetricRollup.data)
                .where(MetricRollup.grain == grain,
                       MetricRollup.person_id == (me if grain.startswith(("reader", "member")) else 0), *where))
            for span, row_unit, bar_raiser, data in rows:
                # With spans taken away, every row but all time's is outside the period.
                sign = 1 if not taken or span == "all" else -1
                counts = data["c"]
                for target in ADDS_TO[grain]:
                    if target == "all":
                        result.all.add(data, sign=sign)
                    elif target == "bar_raiser":
                        _count(result.by_bar_raiser[bar_raiser].counts, counts, sign)
                    elif target == "unit":
                        _count(result.by_unit[unit or row_unit].counts, counts, sign)
                    else:
                        result.reader.counts.update(counts)

    for stretch_start, stretch_end, sign in stretches:
        conditions = [LoopTally.created_at >= stretch_start] if stretch_start is not None else []
        if stretch_end is not None:
            conditions.append(LoopTally.created_at < stretch_end)
        for column, value in ((LoopTally.org_unit_id, f.org_unit_id), (LoopTally.requisition_id, f.requisition_id),
                              (LoopTally.bar_raiser_id, f.bar_raiser_id)):
            if value:
                conditions.append(column == value)
        # The readers' counts (most of a loop's names) only for the interviewer tables.
        for row_unit, bar_raiser, data, readers in db.session.execute(
                select(LoopTally.org_unit_id, LoopTally.bar_raiser_id, LoopTally.data,
                       LoopTally.readers if reader else literal(None)).where(*conditions)):
            counts = data["c"]
            if not everyone and not counts.get(f"p:{me}"):
                continue  # not a loop of theirs
            if reader:
                result.reader.add({"c": readers}, reader=me, sign=sign)
                continue
            if everyone:
                general = data  # its participants' names (`p:`, `w:`) are added too, and never read
            else:
                values = data["v"] if counts.get(f"w:{me}") else {
                    name: listed for name, listed in data["v"].items() if name != "turnaround"}
                general = {"c": {n: c for n, c in counts.items() if not n.startswith(("p:", "w:"))}, "v": values}
            result.all.add(general, sign=sign)
            breakdown = {name: counts[name] for name in BREAKDOWN if name in counts}
            _count(result.by_bar_raiser[bar_raiser].counts, breakdown, sign)
            _count(result.by_unit[row_unit].counts, breakdown, sign)
    return result


# Each breakdown grain (`rollups.BREAKDOWN_GRAINS`): its key column, and the split of `Totals` it adds to.
BREAKDOWN_SPLITS = {"unit": (MetricRollup.org_unit_id, "by_unit"), "bar_raiser": (MetricRollup.bar_raiser_id,
                                                                                   "by_bar_raiser")}


def _add_breakdown(result: Totals, grain: str, where: list, signed: bool) -> None:
    """Add a breakdown grain's counts, summed by the database per key from the columns that keep them: a long
    period of a big company reads thousands of these small rows (a dozen per bar raiser and org unit). With
    `signed`, every row but all time's is taken away."""
    column, target = BREAKDOWN_SPLITS[grain]
    sign = case((MetricRollup.span == constant("all"), 1), else_=-1) if signed else literal(1)
    sums = [func.coalesce(func.sum(sign * getattr(MetricRollup, name)), 0) for name in BREAKDOWN_COLUMNS]
    split = getattr(result, target)
    for key, *counts in db.session.execute(
            select(column, *sums).where(MetricRollup.grain == grain, MetricRollup.person_id == 0, *where)
            .group_by(column)):
        split[key].counts.update(dict(zip(BREAKDOWN_COLUMNS.values(), counts, strict=True)))


def _count(counts: Counter, more: dict, sign: int) -> None:
    if sign > 0:
        counts.update(more)
    else:
        counts.subtract(more)


# -- the figures, in the shapes the direct computation gives -------------------------------------------------

def funnel(t: Totals) -> output.Funnel:
    total = t.all["loops"]
    steps = [output.Count(step.label, sum(t.all[f"step:{s}"] for s in Step if s >= step), total)
             for step in Step if step >= Step.RESUME_REVIEW]
    outcomes = [output.Count(label, t.all[f"outcome:{label}"], total) for label in output.OUTCOMES]
    return output.Funnel(steps, outcomes)


def turnaround(t: Totals, missing_late: int) -> timing.Turnaround:
    due_hours = current_app.config["FEEDBACK_DUE_HOURS"]
    on_time = t.all.at_most("turnaround", due_hours * HOUR_US)
    return timing.Turnaround(t.all.listed("turnaround", timing.HOUR), on_time, missing_late, due_hours)


def decision_time(t: Totals) -> timing.DecisionTime:
    return timing.DecisionTime(t.all.listed("decision", timing.DAY))


def step_times(t: Totals, scope: Scope) -> timing.StepTimes:
    """Finished stays from the rollups; the open loops' stays in their current step (which grow with the clock)
    from the open loops."""
    live = timing.current_stays(scope)
    steps = [timing.StepTime(s.step, t.all.listed(f"stay:{int(s.step)}", timing.DAY) + s.days, s.in_progress)
             for s in live.steps]
    return timing.StepTimes(steps, live.stalled, live.stalled_after_days)


def coverage(t: Totals) -> panel.CoverageSummary:
    ids = {int(name.split(":")[1]) for name in t.all.names("targeted:") if t.all[name]}
    names = timing.names_of(Principle, ids)
    gaps = [panel.PrincipleGap(names[p], t.all[f"targeted:{p}"], t.all[f"uncovered:{p}"]) for p in ids]
    gaps.sort(key=lambda gap: (-gap.uncovered, -(gap.uncovered_share or 0), gap.name))
    return panel.CoverageSummary(t.all["coverage_loops"], t.all["covered"], gaps)


def _veto_row(name: str, tally: Summed) -> panel.VetoRow:
    return panel.VetoRow(name, tally["loops"], tally["open"], tally["verdicts"], tally["vetoes"])


def bar_raiser_load(t: Totals) -> list[panel.VetoRow]:
    ids = [i for i, tally in t.by_bar_raiser.items() if i and tally["loops"]]
    names = timing.names_of(User, ids)
    rows = [_veto_row(names[i], t.by_bar_raiser[i]) for i in ids]
    return sorted(rows, key=lambda row: (-row.open_loops, -row.loops, row.name))


def vetoes_by_org_unit(t: Totals) -> list[panel.VetoRow]:
    ids = [i for i, tally in t.by_unit.items() if tally["loops"]]
    names = timing.names_of(OrgUnit, ids)
    rows = [_veto_row(names[i], t.by_unit[i]) for i in ids]
    return sorted(rows, key=lambda row: (-(row.veto_rate or 0), -row.verdicts, row.name))



RESULTS = {"hire": True, "no_hire": False, "undecided": None}
VOTES = {vote.value: vote for vote in Vote}


@dataclass
class Readable:
    """The viewer's readable counts per interviewer, read from the reader tally in one pass over its names:
    first votes by (vote, result), sealed feedbacks, and the feedbacks carrying each coaching flag."""

    votes: dict[int, dict] = field(default_factory=dict)  # (Vote, result) -> votes
    sealed: dict[int, int] = field(default_factory=dict)
    flagged: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    # What each table ranks by, added up in the same pass: all first votes, all flags.
    votes_in_all: dict[int, int] = field(default_factory=dict)
    flags_in_all: dict[int, int] = field(default_factory=dict)


VOTED, SEALED, FLAGGED, OTHER = range(4)
PARSED: dict[str, tuple] = {}  # a reader count's name, parsed: (kind, interviewer, what)
PARSED_LIMIT = 500_000  # names kept parsed: a few per interviewer, so a company's whole staff many times over


def _parsed(name: str) -> tuple:
    """A reader count's name as (kind, interviewer, what): `vote:<id>:<vote>:<result>`, `sealed:<id>` or
    `flag:<id>:<rule>`. Kept once parsed: every visit reads the same few names per interviewer."""
    found = PARSED.get(name)
    if found is None:
        kind, interviewer, *rest = name.split(":")
        if kind == "vote":
            found = (VOTED, int(interviewer), (VOTES[rest[0]], RESULTS[rest[1]]))
        elif kind in ("sealed", "flag"):
            found = (SEALED if kind == "sealed" else FLAGGED, int(interviewer), rest[0] if rest else None)
        else:
            found = (OTHER, 0, None)
        if len(PARSED) < PARSED_LIMIT:
            PARSED[name] = found
    return found


def reads_all_time(scope: Scope) -> bool:
    """Whether the interviewer tables count every loop the viewer may read, ever: no period and no filter. Those
    counts are kept a row per interviewer (`ReadableCounts`), not in the viewer's `reader` rollup rows."""
    f = scope.filters
    return not (f.created_from or f.created_before or f.org_unit_id or f.requisition_id or f.bar_raiser_id)


def readable(t: Totals) -> Readable:
    """Parse the reader tally, once for both tables that list interviewers (a period's holds hundreds)."""
    found = Readable()
    votes_of, sealed, flagged, voted, flags = {}, found.sealed, found.flagged, found.votes_in_all, found.flags_in_all
    for name, n in t.reader.counts.items():
        if not n:
            continue
        kind, interviewer, what = PARSED.get(name) or _parsed(name)
        if kind == VOTED:
            counts = votes_of.get(interviewer)
            if counts is None:
                counts = votes_of[interviewer] = {}
            counts[what] = counts.get(what, 0) + n
            voted[interviewer] = voted.get(interviewer, 0) + n
        elif kind == SEALED:
            sealed[interviewer] = n
        elif kind == FLAGGED:
            flagged[interviewer][what] = n
            flags[interviewer] = flags.get(interviewer, 0) + n
    found.votes = votes_of
    return found


class Ranked(Sequence):
    """Interviewers, the highest score first and then by name, named only as far as they are read: the page
    reads the first few of the thousands a big company lists, and only the CSV reads them all. The first n
    need the names of those scoring at least the n-th highest score alone (ties are ordered by name)."""

    def __init__(self, scores: dict[int, int], make: Callable[[Row], object], at_least: int = 0):
        self.scores, self.make, self.at_least = scores, make, at_least
        self.named: dict[int, Row] = {}  # (id, name) of those named so far
        self.order: list[int] | None = None  # every id in order, once all are named
        self.head: list[int] = []  # the first ids in order, as far as they have been worked out

    def __len__(self) -> int:
        return len(self.scores)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def _first(self, n: int) -> list[int]:
        """The first n ids in order. At least `at_least` are worked out at once: a page reads its chart's few
        rows, then its table's."""
        if self.order is not None:
            return self.order[:n]
        if n <= len(self.head):
            return self.head[:n]
        wanted = max(n, self.at_least)
        if wanted < len(self.scores):
            self.head = self._work_out(wanted)
            return self.head[:n]
        return self._work_out(wanted)[:n]

    def _work_out(self, n: int) -> list[int]:
        if n >= len(self.scores):
            self.named.update(_people([i for i in self.scores if i not in self.named]))
            self.order = sorted(self.scores, key=lambda i: (-self.scores[i], self.named[i].name, i))
            return self.order
        if n <= 0:
            return []
        least = heapq.nlargest(n, self.scores.values())[-1]
        above = [i for i, score in self.scores.items() if score > least]
        self.named.update(_people([i for i in above if i not in self.named]))
        # Of those tied at the n-th score, the first few by name: the database sorts them (thousands, at 0).
        tied = _people([i for i, score in self.scores.items() if score == least], first=n - len(above))
        self.named.update(tied)
        return sorted(above, key=lambda i: (-self.scores[i], self.named[i].name, i)) + list(tied)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            ids = self._first(len(self) if step < 0 else stop)
            return [self.make(self.named[i]) for i in ids[index]]
        return self.make(self.named[self._first(len(self) if index < 0 else index + 1)[index]])

    def __iter__(self):
        return iter(self[:])


def calibration(found: Readable) -> Ranked:
    """Each interviewer's first votes the viewer may read (counted per reader by the rollups); most votes first."""
    return Ranked(found.votes_in_all,
                  lambda person: votes.CalibrationCounts(person, found.votes[person.id]), at_least=timing.FIRST_ROWS)


def coaching(found: Readable) -> Ranked:
    """Each interviewer's sealed feedbacks the viewer may read, and how many carried each flag; most flagged first."""
    scores = dict.fromkeys(found.sealed, 0)
    scores.update((i, n) for i, n in found.flags_in_all.items() if i in scores)
    return Ranked(scores, lambda person: coached.InterviewerCoaching(person, found.sealed[person.id],
                                                                     found.flagged.get(person.id, {})),
                  at_least=timing.FIRST_ROWS)


class Interviewers:
    """How many interviewers the viewer may read anything of, over all time: counted once for both tables."""

    def __init__(self, reader: int):
        self.reader = reader
        self._total: int | None = None

    def __len__(self) -> int:
        if self._total is None:
            self._total = db.session.scalar(select(func.count()).select_from(ReadableCounts).where(
                ReadableCounts.reader_id == self.reader, ReadableCounts.sealed > 0))
        return self._total


class Listed(Sequence):
    """An interviewer table for all time, read from the viewer's rows per interviewer (`ReadableCounts`): the
    database counts, ranks (the highest score first, then by name, as `Ranked` orders) and names them, so a page
    reads the rows it shows, however many interviewers the company's history holds. The first
    `timing.FIRST_ROWS` are read at once (the chart's rows, then the table's); only the CSV reads them all."""

    def __init__(self, interviewers: Interviewers, score, make: Callable[[Row], object]):
        self.interviewers, self.reader, self.score, self.make = interviewers, interviewers.reader, score, make
        self.rows: list[Row] = []  # the first rows in order, as far as they have been read
        self.complete = False

    def _first(self, n: int | None) -> list[Row]:
        """The first n rows in order; None: all of them."""
        if self.complete or (n is not None and n <= len(self.rows)):
            return self.rows[:n]
        # Ranked on narrow rows (score, name), then the rows shown joined to their counts: a big company's
        # reader has thousands of interviewers, each carrying their counts through the sort would cost more.
        ranked = (select(ReadableCounts.interviewer_id, self.score.label("score"), User.name.label("name"))
                  .join(User, User.id == ReadableCounts.interviewer_id)
                  .where(ReadableCounts.reader_id == self.reader, ReadableCounts.sealed > 0)
                  .order_by(self.score.desc(), _by_name(), User.id))
        limit = None if n is None else max(n, timing.FIRST_ROWS)
        if limit is not None:
            ranked = ranked.limit(limit)
        ranked = ranked.subquery()
        query = (select(ranked.c.interviewer_id.label("id"), ranked.c.name, ReadableCounts.sealed,
                        ReadableCounts.counts)
                 .join(ReadableCounts, and_(ReadableCounts.reader_id == self.reader,
                                            ReadableCounts.interviewer_id == ranked.c.interviewer_id))
                 .order_by(ranked.c.score.desc(), _by_name(ranked.c.name), ranked.c.interviewer_id))
        self.rows = db.session.execute(query).all()
        self.complete = limit is None or len(self.rows) < limit
        return self.rows[:n]

    def __len__(self) -> int:
        return len(self.interviewers)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            rows = self._first(None if step < 0 or stop >= len(self) else stop)
            return [self.make(row) for row in rows[index]]
        if index < 0:
            index += len(self)
        rows = self._first(index + 1)
        if not 0 <= index < len(rows):
            raise IndexError(index)
        return self.make(rows[index])

    def __iter__(self):
        return iter(self[:])


def _votes(counts: dict) -> dict:
    """An interviewer's first votes by (Vote, result), from their counts named `vote:<vote>:<result>`."""
    found = {}
    for name, n in counts.items():
        kind, *what = name.split(":")
        if kind == "vote" and n:
            found[(VOTES[what[0]], RESULTS[what[1]])] = n
    return found


def _flags(counts: dict) -> dict[str, int]:
    return {name[len("flag:"):]: n for name, n in counts.items() if name.startswith("flag:") and n}


def calibration_ever(interviewers: Interviewers) -> Listed:
    """`calibration` for all time and the whole company: most votes first."""
    return Listed(interviewers, ReadableCounts.votes,
                  lambda row: votes.CalibrationCounts(row, _votes(row.counts)))


def coaching_ever(interviewers: Interviewers) -> Listed:
    """`coaching` for all time and the whole company: most flags first."""
    return Listed(interviewers, ReadableCounts.flags,
                  lambda row: coached.InterviewerCoaching(row, row.sealed, _flags(row.counts)))


def _by_name(name=User.name):
    """People's names in code-point order, as Python sorts them."""
    return name.collate("C") if db.session.get_bind().dialect.name == "postgresql" else name


def _people(ids, first: int | None = None) -> dict[int, Row]:
    """The id and name of each person a table lists (rows, not users: a big company's tables list thousands);
    with `first`, only the first few by name (in code-point order, as Python sorts), in that order."""
    if not ids:
        return {}
    query = select(User.id, User.name).where(among(User.id, ids))
    if first is not None:
        query = query.order_by(_by_name(), User.id).limit(first)
    return {row.id: row for row in db.session.execute(query)}
