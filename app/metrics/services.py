"""All the input metrics for one scope, each computed once and only when asked for.

The number of queries is fixed: every metric reads the loops it needs in one
or two statements (aggregated in SQL where it can be), never one per loop.
"""

from functools import cached_property

from app.metrics import calibration as votes
from app.metrics import coaching as coached
from app.metrics import funnel as output
from app.metrics import panel, timing
from app.metrics.scope import Scope


class Metrics:
    def __init__(self, scope: Scope):
        self.scope = scope

    @cached_property
    def late_feedback(self) -> list[timing.LateFeedback]:
        return timing.late_feedback(self.scope)

    @cached_property
    def turnaround(self) -> timing.Turnaround:
        return timing.turnaround(self.scope, missing_late=len(self.late_feedback))

    @cached_property
    def decision_time(self) -> timing.DecisionTime:
        return timing.decision_time(self.scope)

    @cached_property
    def step_times(self) -> timing.StepTimes:
        return timing.step_times(self.scope)

    @cached_property
    def coverage(self) -> panel.CoverageSummary:
        return panel.coverage(self.scope)

    @cached_property
    def bar_raisers(self) -> list[panel.VetoRow]:
        return panel.bar_raiser_load(self.scope)

    @cached_property
    def org_units(self) -> list[panel.VetoRow]:
        return panel.vetoes_by_org_unit(self.scope)

    @cached_property
    def calibration(self) -> list[votes.InterviewerCalibration]:
        return votes.calibration(self.scope)

    @cached_property
    def coaching(self) -> list[coached.InterviewerCoaching]:
        return coached.coaching(self.scope)

    @cached_property
    def funnel(self) -> output.Funnel:
        return output.funnel(self.scope)
