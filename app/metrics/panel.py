"""How loops are staffed: principle coverage, bar-raiser load, veto rates."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from app.debrief.models import DebriefDecision, Verdict
from app.extensions import db
from app.interviews.models import Interview, InterviewKind, interview_principles
from app.loops.models import Loop, LoopStatus, Step
from app.metrics.scope import Scope
from app.metrics.stats import share
from app.people.models import OrgUnit, User
from app.principles.models import Principle
from app.requisitions.models import Requisition, requisition_principles


@dataclass
class PrincipleGap:
    name: str
    targeted: int  # loops (at step 4 or later) whose requisition targets the principle
    uncovered: int  # of those, loops where no in-house interview is assigned it

    @property
    def uncovered_share(self) -> float | None:
        return share(self.uncovered, self.targeted)


@dataclass
class CoverageSummary:
    loops: int  # loops that reached the in-house interviews (step 4)
    covered: int  # of those, loops with 1+ target principle, each assigned to an in-house interview
    principles: list[PrincipleGap]  # most often uncovered first

    @property
    def covered_share(self) -> float | None:
        return share(self.covered, self.loops)


def coverage(scope: Scope) -> CoverageSummary:
    """Check, for loops at step 4 or later, that every target principle is assigned to an in-house interview."""
    interview = aliased(Interview)
    targets = db.session.execute(
        select(Loop.id, Principle.id, Principle.name, Principle.position)
        .select_from(Loop)
        .outerjoin(requisition_principles, requisition_principles.c.requisition_id == Loop.requisition_id)
        .outerjoin(Principle, Principle.id == requisition_principles.c.principle_id)
        .where(Loop.step >= Step.IN_HOUSE_INTERVIEWS, *scope.loops())
    ).all()
    # The loops in scope as a list: the database then reads only their interviews, by index.
    in_scope = select(Loop.id).where(Loop.step >= Step.IN_HOUSE_INTERVIEWS, *scope.loops())
    assigned = set(db.session.execute(
        select(interview.loop_id, interview_principles.c.principle_id).distinct()
        .select_from(interview)
        .join(interview_principles, interview_principles.c.interview_id == interview.id)
        .where(interview.kind == InterviewKind.IN_HOUSE, interview.loop_id.in_(in_scope))
    ).all())
    wanted: dict[int, set[int]] = {}
    names: dict[int, tuple[int, str]] = {}
    targeted, uncovered = Counter(), Counter()
    for loop_id, principle_id, name, position in targets:
        ids = wanted.setdefault(loop_id, set())  # a loop targeting nothing counts, as not covered
        if principle_id is None:
            continue
        ids.add(principle_id)
        names[principle_id] = (position, name)
        targeted[principle_id] += 1
        uncovered[principle_id] += (loop_id, principle_id) not in assigned
    covered = sum(1 for loop_id, ids in wanted.items() if ids and all((loop_id, p) in assigned for p in ids))
    gaps = [PrincipleGap(names[p][1], targeted[p], uncovered[p]) for p in targeted]
    gaps.sort(key=lambda gap: (-gap.uncovered, -(gap.uncovered_share or 0), gap.name))
    return CoverageSummary(len(wanted), covered, gaps)


@dataclass
class VetoRow:
    name: str
    loops: int
    open_loops: int
    verdicts: int  # Concur or Veto recorded on a Hire
    vetoes: int

    @property
    def veto_rate(self) -> float | None:
        """Percent of recorded verdicts that were vetoes."""
        return share(self.vetoes, self.verdicts)


def _veto_columns(decision):
    return (
        func.count(Loop.id),
        func.count(case((Loop.status == LoopStatus.OPEN, 1))),
        func.count(decision.verdict),
        func.count(case((decision.verdict == Verdict.VETO, 1))),
    )


def bar_raiser_load(scope: Scope) -> list[VetoRow]:
    """Count each bar raiser's loops, open loops (their load), verdicts and vetoes; busiest first."""
    bar_raiser, decision = aliased(User), aliased(DebriefDecision)
    rows = db.session.execute(
        select(bar_raiser.id, bar_raiser.name, *_veto_columns(decision))
        .select_from(Loop).join(bar_raiser, bar_raiser.id == Loop.bar_raiser_id)
        .outerjoin(decision, decision.loop_id == Loop.id)
        .where(*scope.loops()).group_by(bar_raiser.id, bar_raiser.name)
    ).all()
    result = [VetoRow(name, *numbers) for _, name, *numbers in rows]
    return sorted(result, key=lambda row: (-row.open_loops, -row.loops, row.name))


def vetoes_by_org_unit(scope: Scope) -> list[VetoRow]:
    """Count verdicts and vetoes per org unit of the requisition; highest veto rate first."""
    requisition, unit, decision = aliased(Requisition), aliased(OrgUnit), aliased(DebriefDecision)
    rows = db.session.execute(
        select(unit.id, unit.name, *_veto_columns(decision))
        .select_from(Loop).join(requisition, requisition.id == Loop.requisition_id)
        .join(unit, unit.id == requisition.org_unit_id)
        .outerjoin(decision, decision.loop_id == Loop.id)
        .where(*scope.loops()).group_by(unit.id, unit.name)
    ).all()
    result = [VetoRow(name, *numbers) for _, name, *numbers in rows]
    return sorted(result, key=lambda row: (-(row.veto_rate or 0), -row.verdicts, row.name))
