"""The output side: how far loops get through the eight steps, and how they end."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.debrief.models import DebriefDecision, Verdict
from app.extensions import db
from app.loops.models import Loop, LoopStatus, Step
from app.metrics.scope import Scope
from app.metrics.stats import share

OUTCOMES = ("Hired", "Not hired", "Vetoed", "Rejected", "Withdrawn", "Open")


@dataclass
class Count:
    label: str
    count: int
    of: int  # the whole the share is of

    @property
    def share(self) -> float | None:
        return share(self.count, self.of)


@dataclass
class Funnel:
    steps: list[Count]  # loops that reached each step, of all loops
    outcomes: list[Count]  # how loops stand: hired, not hired (No hire), vetoed, rejected, withdrawn, open

    @property
    def total(self) -> int:
        return self.steps[0].of if self.steps else 0


def funnel(scope: Scope) -> Funnel:
    """Count the loops that reached each step (loops never skip one) and each outcome."""
    per_step = dict(db.session.execute(
        select(Loop.step, func.count()).where(*scope.loops()).group_by(Loop.step)
    ).all())
    total = sum(per_step.values())
    steps = [Count(step.label, sum(n for s, n in per_step.items() if s >= step), total)
             for step in Step if step >= Step.RESUME_REVIEW]
    decision = aliased(DebriefDecision)
    counts = dict.fromkeys(OUTCOMES, 0)
    for status, verdict, n in db.session.execute(
        select(Loop.status, decision.verdict, func.count())
        .select_from(Loop).outerjoin(decision, decision.loop_id == Loop.id)
        .where(*scope.loops()).group_by(Loop.status, decision.verdict)
    ):
        if status == LoopStatus.NOT_HIRED and verdict == Verdict.VETO:
            counts["Vetoed"] += n
        else:
            counts[LoopStatus(status).label] += n
    return Funnel(steps, [Count(label, n, total) for label, n in counts.items()])
