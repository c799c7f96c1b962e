"""The debrief's agenda and the outline of the bar raiser's summary, drafted from the feedback.

The process runs a debrief in a set order: first the principles the ratings
disagree on most, then the Not inclined votes before the Inclined ones, then
the rest (principles the panel agrees on, single data points, uncovered ones).
The outline also lists the evidence-coaching flags (app/kits) the feedback carried.
Built from a `DebriefSummary`, so the same blind rule applies: callers show it
only to readers who may read the others' feedback.
"""

from dataclasses import dataclass, field
from statistics import pvariance

from app.debrief.summary import Column, DebriefSummary, GridRow
from app.feedback.models import Rating, Vote
from app.kits.debrief import flag_table
from app.loops.models import Loop
from app.principles.models import Principle

# Ratings on one line, so a spread can be measured: 3 is the widest disagreement.
SCORE = {Rating.RAISES_THE_BAR: 3, Rating.MEETS_THE_BAR: 2, Rating.BELOW_THE_BAR: 1, Rating.STRONG_CONCERN: 0}
# Not inclined votes are heard first, the strongest objection first.
VOTE_ORDER = [Vote.STRONGLY_NOT_INCLINED, Vote.NOT_INCLINED, Vote.INCLINED, Vote.STRONGLY_INCLINED]


@dataclass
class Evidence:
    column: Column
    rating: Rating | None
    text: str


@dataclass
class PrincipleItem:
    principle: Principle
    evidence: list[Evidence]  # only the interviewers who rated it
    note: object = None  # the bar raiser's AgendaNote, if written

    @property
    def ratings(self) -> list[Rating]:
        return [e.rating for e in self.evidence if e.rating is not None]

    @property
    def spread(self) -> int:
        scores = [SCORE[r] for r in self.ratings]
        return max(scores) - min(scores) if len(scores) > 1 else 0

    @property
    def variance(self) -> float:
        scores = [SCORE[r] for r in self.ratings]
        return pvariance(scores) if len(scores) > 1 else 0.0

    @property
    def is_disagreement(self) -> bool:
        return self.spread > 0

    @property
    def kind(self) -> str:
        if not self.ratings:
            return "uncovered"
        if len(self.ratings) == 1:
            return "single"
        return "disagreement" if self.is_disagreement else "agreement"


@dataclass
class Agenda:
    disagreements: list[PrincipleItem]
    not_inclined: list[Column]
    inclined: list[Column]
    rest: list[PrincipleItem]
    items: list[PrincipleItem] = field(default_factory=list)

    @property
    def first(self) -> PrincipleItem | None:
        """Where the debrief starts: the principle the interviewers disagree on most."""
        return self.disagreements[0] if self.disagreements else None


def principle_item(row: GridRow, columns: list[Column]) -> PrincipleItem:
    evidence = []
    for column, rating in zip(columns, row.ratings, strict=True):
        if column.feedback is None:
            continue
        entry = next((r for r in column.feedback.ratings if r.principle_id == row.principle.id), None)
        if entry is not None and (entry.rating is not None or entry.evidence):
            evidence.append(Evidence(column, rating, entry.evidence))
    return PrincipleItem(row.principle, evidence)


def build_agenda(summary: DebriefSummary, notes=()) -> Agenda:
    """Order the debrief: disagreements (most first), Not inclined then Inclined votes, then the rest."""
    by_principle = {n.principle_id: n for n in notes}
    items = [principle_item(row, summary.columns) for row in summary.grid]
    for item in items:
        item.note = by_principle.get(item.principle.id)
    disagreements = sorted((i for i in items if i.is_disagreement),
                           key=lambda i: (-i.spread, -i.variance, i.principle.position))
    rest = [i for i in items if not i.is_disagreement]
    voted = [c for c in summary.columns if c.first_vote is not None]
    voted.sort(key=lambda c: (VOTE_ORDER.index(c.first_vote), c.interviewer.name))
    return Agenda(
        disagreements=disagreements,
        not_inclined=[c for c in voted if not c.first_vote.is_positive],
        inclined=[c for c in voted if c.first_vote.is_positive],
        rest=rest,
        items=disagreements + rest,
    )


def coaching_flags(loop: Loop) -> list[str]:
    """The evidence-coaching flags the loop's sealed feedback carried, one line per interviewer who has any."""
    rules, rows = flag_table(loop)
    titles = {rule.name: rule.title for rule in rules}
    return [f"{row.interviewer.name}: " + "; ".join(f"{titles.get(name, name)} ({n})" for name, n in row.counts.items())
            for row in rows if row.total]


def draft_outline(summary: DebriefSummary, loop: Loop | None = None) -> str:
    """Draft the bar raiser's summary outline from the feedback (and the loop's coaching flags), for them to edit."""
    agenda = build_agenda(summary)
    lines = ["Disagreements"]
    for item in agenda.disagreements:
        who = "; ".join(f"{e.column.interviewer.name}: {e.rating.label}" for e in item.evidence if e.rating)
        lines.append(f"- {item.principle.name} ({who}). What the discussion must settle: ")
    if not agenda.disagreements:
        lines.append("- None: the ratings agree on every principle.")
    singles = [i for i in agenda.rest if i.kind == "single"]
    lines += ["", "Single data points"]
    lines += [f"- {i.principle.name}: only {i.evidence[0].column.interviewer.name} rated it." for i in singles] or [
        "- None."]
    lines += ["", "Uncovered principles"]
    lines += [f"- {p.name}: nobody rated it." for p in summary.uncovered] or ["- None."]
    late = [c for c in summary.columns if c.is_late]
    lines += ["", "Late feedback"]
    lines += [f"- {c.interviewer.name}" for c in late] or ["- None: every feedback came in on time."]
    lines += ["", "Coaching flags"]
    lines += [f"- {flag}" for flag in (coaching_flags(loop) if loop is not None else [])] or [
        "- None: no evidence was flagged."]
    lines += ["", "My read", "- "]
    return "\n".join(lines)
