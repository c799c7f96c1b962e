"""All the input metrics for one scope, each computed once and only when asked for.

The number of queries is fixed. The figures that sum over the period come from
the rollups (app/metrics/rolled.py: rows per month shown), those of every loop
for admins and recruiters, those of the viewer's own loops for anyone else, and
the votes and coaching flags the blind rule lets the viewer read (for all time, a
row per interviewer the database ranks and pages). What moves
with the clock (open loops: late feedback, their stays, stalled loops) is read
from the open loops. `direct=True` reads every figure from the records instead,
as the rollups are checked against.
"""

from collections.abc import Sequence
from functools import cached_property

from app.metrics import calibration as votes
from app.metrics import coaching as coached
from app.metrics import funnel as output
from app.metrics import panel, rolled, timing
from app.metrics.scope import Scope


class Metrics:
    def __init__(self, scope: Scope, direct: bool = False):
        self.scope = scope
        self.rolled = not direct

    @cached_property
    def totals(self) -> rolled.Totals:
        return rolled.totals(self.scope)

    @cached_property
    def reader_totals(self) -> rolled.Totals:
        return rolled.totals(self.scope, reader=True)

    @cached_property
    def late_feedback(self) -> timing.LateList:
        return timing.late_feedback(self.scope)

    @cached_property
    def turnaround(self) -> timing.Turnaround:
        if self.rolled:
            return rolled.turnaround(self.totals, missing_late=len(self.late_feedback))
        return timing.turnaround(self.scope, missing_late=len(self.late_feedback))

    @cached_property
    def decision_time(self) -> timing.DecisionTime:
        return rolled.decision_time(self.totals) if self.rolled else timing.decision_time(self.scope)

    @cached_property
    def step_times(self) -> timing.StepTimes:
        return rolled.step_times(self.totals, self.scope) if self.rolled else timing.step_times(self.scope)

    @cached_property
    def coverage(self) -> panel.CoverageSummary:
        return rolled.coverage(self.totals) if self.rolled else panel.coverage(self.scope)

    @cached_property
    def bar_raisers(self) -> list[panel.VetoRow]:
        return rolled.bar_raiser_load(self.totals) if self.rolled else panel.bar_raiser_load(self.scope)

    @cached_property
    def org_units(self) -> list[panel.VetoRow]:
        return rolled.vetoes_by_org_unit(self.totals) if self.rolled else panel.vetoes_by_org_unit(self.scope)

    @cached_property
    def interviewers(self) -> rolled.Interviewers:
        """How many interviewers the all-time tables list: one count for both."""
        return rolled.Interviewers(self.scope.viewer.id)

    @cached_property
    def readable(self) -> rolled.Readable:
        return rolled.readable(self.reader_totals)

    @cached_property
    def calibration(self) -> Sequence[votes.InterviewerCalibration | votes.CalibrationCounts]:
        if not self.rolled:
            return votes.calibration(self.scope)
        if rolled.reads_all_time(self.scope):
            return rolled.calibration_ever(self.interviewers)
        return rolled.calibration(self.readable)

    @cached_property
    def coaching(self) -> Sequence[coached.InterviewerCoaching]:
        if not self.rolled:
            return coached.coaching(self.scope)
        if rolled.reads_all_time(self.scope):
            return rolled.coaching_ever(self.interviewers)
        return rolled.coaching(self.readable)

    @cached_property
    def funnel(self) -> output.Funnel:
        return rolled.funnel(self.totals) if self.rolled else output.funnel(self.scope)
