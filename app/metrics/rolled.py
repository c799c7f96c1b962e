"""The metrics of every loop in a scope, read from the rollups: rows per month shown, not per loop ever held.

Whole UTC months inside the period come from `MetricRollup`; the days at
either end that do not fill a month come from the tallies of the loops
created on them (`LoopTally`, by its created_at index). The grain read
follows the filters: the company, per org unit and per bar raiser when there
is none; org unit and bar raiser when those are chosen; requisition and bar
raiser when a requisition is.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.loops.models import Step
from app.metrics import funnel as output
from app.metrics import panel, timing
from app.metrics.models import LoopTally, MetricRollup
from app.metrics.scope import Scope
from app.metrics.tally import Tally, month_of
from app.people.models import OrgUnit, User
from app.principles.models import Principle
from app.requisitions.models import Requisition

HOUR_US, DAY_US = 3600 * 10**6, 86400 * 10**6


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def whole_months(start: datetime | None, end: datetime | None) -> tuple[date | None, date | None] | None:
    """The first and (exclusive) last month wholly inside [start, end), None for an open end; None if no month fits."""
    first = None
    if start is not None:
        first = month_of(start)
        if datetime(first.year, first.month, 1, tzinfo=start.tzinfo) < start:
            first = _next_month(first)
    last = month_of(end) if end is not None else None
    if first is not None and last is not None and first >= last:
        return None
    return first, last


def _moment(day: date, like: datetime) -> datetime:
    return datetime(day.year, day.month, 1, tzinfo=like.tzinfo)


@dataclass
class Totals:
    """The sums a scope's figures come from: all its loops, and the same split by bar raiser and by org unit."""

    all: Tally = field(default_factory=Tally)
    by_bar_raiser: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_unit: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))


def totals(scope: Scope) -> Totals:
    """Sum the rollups of the scope's whole months and the tallies of its loops on the days around them."""
    f, result = scope.filters, Totals()
    start, end = (None if moment is None else moment.astimezone(UTC) for moment in (f.created_from, f.created_before))
    months = whole_months(start, end)
    if f.requisition_id:
        unit = db.session.scalar(select(Requisition.org_unit_id).where(Requisition.id == f.requisition_id))
        if unit is None or (f.org_unit_id and unit != f.org_unit_id):
            return result
        grains, where = ("requisition_bar_raiser",), [MetricRollup.requisition_id == f.requisition_id]
    elif f.org_unit_id or f.bar_raiser_id:
        unit, grains, where = None, ("unit_bar_raiser",), []
        if f.org_unit_id:
            where.append(MetricRollup.org_unit_id == f.org_unit_id)
    else:
        unit, grains, where = None, ("all", "unit", "bar_raiser"), []
    if f.bar_raiser_id:
        where.append(MetricRollup.bar_raiser_id == f.bar_raiser_id)

    if months is not None:
        first, last = months
        if first is not None:
            where.append(MetricRollup.month >= first)
        if last is not None:
            where.append(MetricRollup.month < last)
        for grain, row_unit, bar_raiser, data in db.session.execute(
                select(MetricRollup.grain, MetricRollup.org_unit_id, MetricRollup.bar_raiser_id, MetricRollup.data)
                .where(MetricRollup.grain.in_(grains), *where)):
            tally = Tally(data)
            row_unit = unit or row_unit
            if grain in ("all", "unit_bar_raiser", "requisition_bar_raiser"):
                result.all.add(tally)
            if grain in ("bar_raiser", "unit_bar_raiser", "requisition_bar_raiser"):
                result.by_bar_raiser[bar_raiser].add(tally)
            if grain in ("unit", "unit_bar_raiser", "requisition_bar_raiser"):
                result.by_unit[row_unit].add(tally)

    for edge_start, edge_end in _edges(start, end, months):
        conditions = [LoopTally.created_at >= edge_start] if edge_start is not None else []
        if edge_end is not None:
            conditions.append(LoopTally.created_at < edge_end)
        for column, value in ((LoopTally.org_unit_id, f.org_unit_id), (LoopTally.requisition_id, f.requisition_id),
                              (LoopTally.bar_raiser_id, f.bar_raiser_id)):
            if value:
                conditions.append(column == value)
        for row_unit, bar_raiser, data in db.session.execute(
                select(LoopTally.org_unit_id, LoopTally.bar_raiser_id, LoopTally.data).where(*conditions)):
            tally = Tally(data)
            result.all.add(tally)
            result.by_bar_raiser[bar_raiser].add(tally)
            result.by_unit[row_unit].add(tally)
    return result


def _edges(start, end, months) -> list[tuple]:
    """The stretches of the period outside its whole months, read loop by loop."""
    if months is None:
        return [(start, end)]
    first, last = months
    like = start or end
    edges = []
    if start is not None and _moment(first, like) > start:
        edges.append((start, _moment(first, like)))
    if end is not None and _moment(last, like) < end:
        edges.append((_moment(last, like), end))
    return edges


# -- the figures, in the shapes the direct computation gives -------------------------------------------------

def funnel(t: Totals) -> output.Funnel:
    total = t.all["loops"]
    steps = [output.Count(step.label, sum(t.all[f"step:{s}"] for s in Step if s >= step), total)
             for step in Step if step >= Step.RESUME_REVIEW]
    outcomes = [output.Count(label, t.all[f"outcome:{label}"], total) for label in output.OUTCOMES]
    return output.Funnel(steps, outcomes)


def turnaround(t: Totals, missing_late: int) -> timing.Turnaround:
    due_hours = current_app.config["FEEDBACK_DUE_HOURS"]
    values = t.all.listed("turnaround")
    on_time = sum(1 for us in values if us <= due_hours * HOUR_US)
    return timing.Turnaround([us / 10**6 / timing.HOUR for us in values], on_time, missing_late, due_hours)


def decision_time(t: Totals) -> timing.DecisionTime:
    return timing.DecisionTime([us / 10**6 / timing.DAY for us in t.all.listed("decision")])


def step_times(t: Totals, scope: Scope) -> timing.StepTimes:
    """Closed loops' stays from the rollups, open loops' (which grow with the clock) from the open loops."""
    live = timing.step_times(scope, open_only=True)
    steps = [timing.StepTime(s.step, [us / 10**6 / timing.DAY for us in t.all.listed(f"stay:{int(s.step)}")]
                             + s.days, s.in_progress) for s in live.steps]
    return timing.StepTimes(steps, live.stalled, live.stalled_after_days)


def _names(model, ids) -> dict[int, str]:
    """Names of the few principles, people or org units a table lists, in one statement."""
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}


def coverage(t: Totals) -> panel.CoverageSummary:
    ids = {int(name.split(":")[1]) for name in t.all.names("targeted:") if t.all[name]}
    names = _names(Principle, ids)
    gaps = [panel.PrincipleGap(names[p], t.all[f"targeted:{p}"], t.all[f"uncovered:{p}"]) for p in ids]
    gaps.sort(key=lambda gap: (-gap.uncovered, -(gap.uncovered_share or 0), gap.name))
    return panel.CoverageSummary(t.all["coverage_loops"], t.all["covered"], gaps)


def _veto_row(name: str, tally: Tally) -> panel.VetoRow:
    return panel.VetoRow(name, tally["loops"], tally["open"], tally["verdicts"], tally["vetoes"])


def bar_raiser_load(t: Totals) -> list[panel.VetoRow]:
    ids = [i for i, tally in t.by_bar_raiser.items() if i and tally["loops"]]
    names = _names(User, ids)
    rows = [_veto_row(names[i], t.by_bar_raiser[i]) for i in ids]
    return sorted(rows, key=lambda row: (-row.open_loops, -row.loops, row.name))


def vetoes_by_org_unit(t: Totals) -> list[panel.VetoRow]:
    ids = [i for i, tally in t.by_unit.items() if tally["loops"]]
    names = _names(OrgUnit, ids)
    rows = [_veto_row(names[i], t.by_unit[i]) for i in ids]
    return sorted(rows, key=lambda row: (-(row.veto_rate or 0), -row.verdicts, row.name))

