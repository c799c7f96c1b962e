"""The metrics page as named sections: a definition, a chart, and the table with the exact numbers.

The page and the CSV downloads read the same `Table`, so they cannot disagree.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup, escape

from app.feedback.models import Vote
from app.formatting import localtime
from app.kits.coaching import RULES
from app.metrics import charts
from app.metrics.services import Metrics


@dataclass(frozen=True)
class Link:
    """A cell that links somewhere on the page and is plain text in a CSV; no `href`: not the viewer's to open."""

    text: str
    href: str | None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


class Rows(Sequence):
    """A table's rows made from its items when read: the page reads the first few of a table a big company
    fills with thousands (a row per interviewer), and only the CSV reads them all. `before` is given each batch
    of items before their rows are made (to look up at once what the rows link to)."""

    def __init__(self, items: Sequence, row: Callable[..., list], before: Callable[[list], None] | None = None):
        self.items, self.row, self.before = items, row, before

    def __len__(self) -> int:
        return len(self.items)

    def _made(self, items: list) -> list[list]:
        if self.before is not None:
            self.before(items)
        return [self.row(item) for item in items]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._made(self.items[index])
        return self._made([self.items[index]])[0]

    def __iter__(self):
        return iter(self[:])


@dataclass
class Table:
    columns: list[Column]
    rows: Sequence[list]  # cells: str, int, float, datetime, Link or None (no value)

    def body(self, limit: int | None = None) -> Markup:
        """The table's rows as HTML, the first `limit` of them: the first cell a row header; numbers right-aligned
        (one decimal for fractions), times in the viewer's zone, no value a dash; each cell labelled with its
        column for the phone's card layout. Rendered here, not cell by cell in a template: a page has thousands."""
        heads = [(' class="num"' if column.numeric else "", escape(column.label)) for column in self.columns]
        rows = []
        for row in self.rows if limit is None else self.rows[:limit]:
            cells = []
            for index, value in enumerate(row):
                numeric, label = heads[index]
                cells.append(f"<th scope=\"row\"{numeric}>{_cell(value)}</th>" if index == 0 else
                             f"<td{numeric} data-label=\"{label}\">{_cell(value)}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        # Every value in it was escaped by _cell, every label by escape.
        return Markup("\n".join(rows))  # nosec B704


NO_VALUE = '<span class="muted" aria-hidden="true">—</span><span class="visually-hidden">no value</span>'


def _cell(value) -> str:
    if value is None:
        return NO_VALUE
    if isinstance(value, Link):
        if value.href:
            return f'<a href="{escape(value.href)}">{escape(value.text)}</a>'
        return f'{escape(value.text)}<span class="cell-sub">Counted here; you are not part of this loop</span>'
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return f'<time class="nowrap" datetime="{value.isoformat()}">{escape(localtime(value))}</time>'
    return str(escape(value))


@dataclass
class Tile:
    value: str
    label: str


@dataclass
class Section:
    name: str
    title: str
    intro: str
    table: Table
    chart: Markup | None = None
    tiles: list[Tile] = field(default_factory=list)
    empty: str = "No loops match these filters."
    is_empty: bool = False

    @property
    def is_wide(self) -> bool:
        """A wide table gets the card's full width, under its chart rather than beside it."""
        return len(self.table.columns) > 5


class Links:
    """Where rows point: a loop's page (None where the viewer may not open it), an interviewer's drill-down.

    With `openable`, which of some loops the viewer may open is looked up for the rows a table shows, in one
    statement per table (`see`), not for every open loop the viewer takes part in."""

    def __init__(self, loop: Callable[[int], str], interviewer: Callable[[int], str],
                 openable: Callable[[set[int]], set[int]] | None = None):
        self._loop, self.interviewer, self._openable = loop, interviewer, openable
        self._known: dict[int, bool] = {}

    def see(self, loop_ids) -> None:
        """Find out at once which of these loops the viewer may open."""
        new = set(loop_ids) - self._known.keys()
        if self._openable is not None and new:
            found = self._openable(new)
            self._known.update((loop_id, loop_id in found) for loop_id in new)

    def loop(self, loop_id: int) -> str | None:
        if self._openable is not None:
            if loop_id not in self._known:
                self.see([loop_id])
            if not self._known[loop_id]:
                return None
        return self._loop(loop_id)


def number(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
    return f"{text}{unit}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _columns(*labels: str) -> list[Column]:
    """Columns from labels; a label starting with '#' is numeric."""
    return [Column(label.lstrip("#"), label.startswith("#")) for label in labels]


def turnaround(metrics: Metrics, links: Links) -> Section:
    t = metrics.turnaround
    due = f"{t.due_hours} hours"
    return Section(
        "turnaround", "Feedback turnaround",
        "Counted written feedback (not a shadow's practice feedback), from the end of the interview to the moment "
        f"it was submitted. On time means submitted within {due} of the interview's end; feedback still missing "
        "after that on an open loop counts as not on time.",
        Table(_columns("Time to submit", "#Feedback", "#Share (%)"),
              [[label, n, (round(100 * n / t.submitted, 1) if t.submitted else None)] for label, n in t.buckets]),
        chart=charts.bar_chart("turnaround", "Feedback by time from interview end to submission",
                               [(label, n, f"{n:,}") for label, n in t.buckets]),
        tiles=[Tile(number(t.median_hours, " h"), "median, interview end to submission"),
               Tile(number(t.on_time_share, "%"), f"on time: {t.on_time:,} of {t.submitted + t.missing_late:,} "
                                                  f"within {due}"),
               Tile(number(t.submitted), "feedback submitted"),
               Tile(number(t.missing_late), "missing and past due")],
        is_empty=not (t.submitted or t.missing_late),
        empty="No feedback has come due on these loops yet.",
    )


def late(metrics: Metrics, links: Links) -> Section:
    rows = metrics.late_feedback
    return Section(
        "late-feedback", "Feedback past due",
        "Feedback on open loops that is still not submitted after its due time, most overdue first.",
        Table(_columns("Candidate", "Interview", "Interviewer", "Due", "#Overdue (hours)"),
              Rows(rows, lambda r: [Link(r.candidate, links.loop(r.loop_id)), r.kind, r.interviewer, r.due_at,
                                    r.hours_overdue], before=lambda shown: links.see(r.loop_id for r in shown))),
        is_empty=not rows, empty="No feedback is past due.",
    )


def decision(metrics: Metrics, links: Links) -> Section:
    d = metrics.decision_time
    return Section(
        "decision-time", "Last interview to debrief decision",
        "For each loop with a debrief decision: from the end of its last in-house interview to the hiring "
        "manager's Hire or No hire.",
        Table(_columns("Time to decide", "#Loops", "#Share (%)"),
              [[label, n, round(100 * n / len(d.days), 1) if d.days else None] for label, n in d.buckets]),
        chart=charts.bar_chart("decision-time", "Loops by time from last in-house interview to decision",
                               [(label, n, f"{n:,}") for label, n in d.buckets]),
        tiles=[Tile(number(d.median_days, " days"), "median, last interview to decision"),
               Tile(number(len(d.days)), "loops decided")],
        is_empty=not d.days, empty="No loop on these filters has a debrief decision yet.",
    )


def steps(metrics: Metrics, links: Links) -> Section:
    rows = metrics.step_times.steps
    return Section(
        "steps", "Time in each step",
        "From entering a step (the loop's creation for the résumé review, then each move in the audit trail) to "
        "leaving it (the next move, or the loop closing). A loop still in its step counts with its time so far.",
        Table(_columns("Step", "#Stays", "#Still there", "#Median (days)", "#90th percentile (days)"),
              [[f"{s.step.value}. {s.step.label}", len(s.days), s.in_progress, s.median_days, s.p90_days]
               for s in rows]),
        chart=charts.paired_bar_chart(
            "steps", "Days in each step", ("Median", "90th percentile"),
            [(f"{s.step.value}. {s.step.label}", (s.median_days or 0, number(s.median_days, " d")),
              (s.p90_days or 0, number(s.p90_days, " d"))) for s in rows if s.days]),
        is_empty=not any(s.days for s in rows),
    )


CHART_LIMIT = 12


def stalled(metrics: Metrics, links: Links) -> Section:
    st = metrics.step_times
    rows = st.stalled
    links.see(r.loop_id for r in rows)
    shown = rows[:CHART_LIMIT]
    more = f" (the {len(shown)} longest; all {len(rows)} in the table)" if len(rows) > len(shown) else ""
    return Section(
        "stalled", "Stalled loops",
        f"Open loops that have been in their current step for more than {st.stalled_after_days} days, longest first.",
        Table(_columns("Candidate", "Requisition", "Step", "In step since", "#Days in step", "Recruiter"),
              [[Link(r.candidate, links.loop(r.loop_id)), r.requisition, f"{r.step.value}. {r.step.label}", r.since,
                r.days, r.recruiter] for r in rows]),
        chart=charts.bar_chart("stalled", f"Days in their step, stalled loops{more}",
                               [(f"{r.candidate} · {r.step.label}", r.days, number(r.days, " days")) for r in shown]),
        tiles=[Tile(number(len(rows)), f"open loops waiting over {st.stalled_after_days} days")],
        is_empty=not rows, empty=f"No open loop has waited in its step for more than {st.stalled_after_days} days.",
    )


def coverage(metrics: Metrics, links: Links) -> Section:
    c = metrics.coverage
    gaps = [g for g in c.principles if g.uncovered][:CHART_LIMIT]
    return Section(
        "coverage", "Principle coverage",
        "Loops at step 4 (in-house interviews) or later. A requisition's target principle is covered when at least "
        "one in-house interview is assigned to probe it; loops still at step 4 may be mid-way through scheduling.",
        Table(_columns("Principle", "#Loops targeting it", "#Left uncovered", "#Uncovered (%)"),
              [[g.name, g.targeted, g.uncovered, g.uncovered_share] for g in c.principles]),
        chart=charts.bar_chart("coverage", "Loops leaving each principle uncovered",
                               [(g.name, g.uncovered, f"{g.uncovered} of {g.targeted}") for g in gaps])
        if gaps else None,
        tiles=[Tile(number(c.loops), "loops at in-house interviews or later"),
               Tile(number(c.covered_share, "%"), f"every target principle covered ({c.covered} of {c.loops})")],
        is_empty=not c.loops, empty="No loop on these filters has reached the in-house interviews.",
    )


def bar_raisers(metrics: Metrics, links: Links) -> Section:
    rows = metrics.bar_raisers
    return Section(
        "bar-raisers", "Bar-raiser load and vetoes",
        "Load is the open loops each bar raiser holds. The veto rate is vetoes out of the verdicts they recorded "
        "(Concur or Veto on a Hire; a No hire needs no verdict).",
        Table(_columns("Bar raiser", "#Open loops", "#All loops", "#Verdicts", "#Vetoes", "#Veto rate (%)"),
              [[r.name, r.open_loops, r.loops, r.verdicts, r.vetoes, r.veto_rate] for r in rows]),
        chart=charts.bar_chart("bar-raisers", "Open loops per bar raiser",
                               [(r.name, r.open_loops, f"{r.open_loops} open") for r in rows[:CHART_LIMIT]]),
        is_empty=not rows, empty="No loop on these filters has a bar raiser yet.",
    )


def org_units(metrics: Metrics, links: Links) -> Section:
    rows = metrics.org_units
    rated = [r for r in rows if r.verdicts][:CHART_LIMIT]
    return Section(
        "org-units", "Vetoes by org unit",
        "Verdicts and vetoes on loops for each org unit's requisitions; the veto rate is vetoes out of verdicts.",
        Table(_columns("Org unit", "#Loops", "#Open loops", "#Verdicts", "#Vetoes", "#Veto rate (%)"),
              [[r.name, r.loops, r.open_loops, r.verdicts, r.vetoes, r.veto_rate] for r in rows]),
        chart=charts.bar_chart("org-units", "Veto rate per org unit",
                               [(r.name, r.veto_rate or 0, f"{number(r.veto_rate, '%')} ({r.vetoes} of {r.verdicts})")
                                for r in rated], largest=100) if rated else None,
        is_empty=not rows,
    )


VOTE_SERIES = (
    (Vote.STRONGLY_INCLINED.label, "#17663a", "#ffffff"),
    (Vote.INCLINED.label, "#9bd8b0", "#16181d"),
    (Vote.NOT_INCLINED.label, "#f6b9ae", "#16181d"),
    (Vote.STRONGLY_NOT_INCLINED.label, "#a11d23", "#ffffff"),
)


def calibration(metrics: Metrics, links: Links) -> Section:
    rows = metrics.calibration
    return Section(
        "calibration", "Interviewer calibration",
        "First votes (the vote in each in-house interview's written feedback), only on loops where you may read "
        "others' feedback: loops you take part in, once you have submitted all your own feedback there (or, with "
        "no interview of your own, once the loop reached the debrief). A vote matches the outcome when an inclined "
        "vote meets Hire + Concur, or a not-inclined vote meets No hire or a veto; undecided loops are left out of "
        "the match rate.",
        Table(_columns("Interviewer", *(f"#{v.label}" for v in Vote), "#Votes", "#Decided", "#Matched",
                       "#Match rate (%)"),
              Rows(rows, lambda r: [Link(r.interviewer.name, links.interviewer(r.interviewer.id)),
                                    *r.distribution.values(), r.total, r.decided, r.matched, r.match_rate])),
        chart=charts.stacked_bar_chart(
            "calibration", "First votes per interviewer", VOTE_SERIES,
            [(r.interviewer.name, f"{plural(r.total, 'vote')} · " + (
                "undecided" if r.match_rate is None else f"{number(r.match_rate, '%')} match"),
              list(r.distribution.values())) for r in rows[:CHART_LIMIT]]),
        is_empty=not rows,
        empty="No votes you may read on these loops. Votes count here once you may read the loop's feedback.",
    )


def coaching(metrics: Metrics, links: Links) -> Section:
    rows = metrics.coaching
    return Section(
        "coaching", "Evidence coaching",
        "How many of each interviewer's sealed in-house feedbacks carried each evidence-coaching flag, on the "
        "same loops as the calibration above. Flags never block a submission; a pattern is something to raise "
        "at calibration.",
        Table(_columns("Interviewer", "#Sealed feedbacks", *(f"#{rule.title}" for rule in RULES)),
              Rows(rows, lambda r: [Link(r.interviewer.name, links.interviewer(r.interviewer.id)), r.sealed,
                                    *r.per_rule])),
        is_empty=not rows,
        empty="No sealed feedback you may read on these loops.",
    )


def funnel(metrics: Metrics, links: Links) -> Section:
    f = metrics.funnel
    return Section(
        "funnel", "Funnel",
        "Loops (created in the period) that reached each step. Every loop starts at the résumé review, after its "
        "requisition's approved job description, and never skips a step.",
        Table(_columns("Step", "#Loops that reached it", "#Of all loops (%)"),
              [[f"{n}. {c.label}", c.count, c.share] for n, c in enumerate(f.steps, start=2)]),
        chart=charts.bar_chart("funnel", "Loops that reached each step",
                               [(f"{n}. {c.label}", c.count, f"{c.count:,}") for n, c in enumerate(f.steps, start=2)]),
        is_empty=not f.total,
    )


def outcomes(metrics: Metrics, links: Links) -> Section:
    f = metrics.funnel
    return Section(
        "outcomes", "Outcomes",
        "How the loops stand: hired (offer accepted), not hired (No hire at the debrief), vetoed by the bar raiser, "
        "rejected, withdrawn by the candidate, or still open.",
        Table(_columns("Outcome", "#Loops", "#Share (%)"), [[c.label, c.count, c.share] for c in f.outcomes]),
        chart=charts.bar_chart("outcomes", "Loops by outcome",
                               [(c.label, c.count, f"{c.count:,}") for c in f.outcomes]),
        is_empty=not f.total,
    )


BUILDERS: dict[str, Callable[[Metrics, Links], Section]] = {
    "turnaround": turnaround,
    "late-feedback": late,
    "decision-time": decision,
    "steps": steps,
    "stalled": stalled,
    "coverage": coverage,
    "bar-raisers": bar_raisers,
    "org-units": org_units,
    "calibration": calibration,
    "coaching": coaching,
    "funnel": funnel,
    "outcomes": outcomes,
}


# The two metrics pages: the loops and their steps, and the interviewers (their votes and coaching flags, counted
# only where the viewer may read them: a big company's run to thousands of names, read only on their own page).
PAGES = {
    "metrics.index": ("turnaround", "late-feedback", "decision-time", "steps", "stalled", "coverage", "bar-raisers",
                      "org-units", "funnel", "outcomes"),
    "metrics.interviewers": ("calibration", "coaching"),
}


def build_sections(metrics: Metrics, links: Links, page: str = "metrics.index") -> list[Section]:
    return [BUILDERS[name](metrics, links) for name in PAGES[page]]


def cell_text(value, zone) -> str | int | float:
    """Render a cell for a CSV: numbers stay numbers, times are local ISO 8601, no value is empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="minutes")
    if isinstance(value, int | float):
        return value
    return str(value)
