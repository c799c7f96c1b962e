"""Time-based metrics: feedback turnaround, late feedback, debrief lead time, time in each step."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from app.audit.models import AuditEntry
from app.candidates.models import Candidate
from app.db_types import among, constant
from app.debrief.models import DebriefDecision
from app.extensions import db
from app.feedback.models import Feedback, FeedbackStatus
from app.interviews.models import Interview, InterviewKind
from app.loops.models import STEP_LABELS, Loop, LoopStatus, Step
from app.metrics.scope import Scope
from app.metrics.stats import Distribution, rounded, share
from app.metrics.tally import kept_duration, microseconds
from app.people.models import User
from app.requisitions.models import Requisition

HOUR = 3600
DAY = 24 * HOUR
STEP_BY_LABEL = {label: step for step, label in STEP_LABELS.items()}

TURNAROUND_EDGES = (4, 12, 24, 48)  # hours
TURNAROUND_BUCKETS = ("Under 4 hours", "4 to 12 hours", "12 to 24 hours", "1 to 2 days", "Over 2 days")
DECISION_EDGES = (1, 2, 4, 7)  # days
DECISION_BUCKETS = ("Under 1 day", "1 to 2 days", "2 to 4 days", "4 to 7 days", "7 days or more")


def _due() -> timedelta:
    return timedelta(hours=current_app.config["FEEDBACK_DUE_HOURS"])


@dataclass
class Turnaround:
    hours: Distribution  # interview end to submission, one per submitted counted feedback
    on_time: int  # submitted by the due time
    missing_late: int  # not submitted, due time passed, loop still open
    due_hours: int

    @property
    def submitted(self) -> int:
        return len(self.hours)

    @property
    def median_hours(self) -> float | None:
        return rounded(self.hours.median())

    @property
    def on_time_share(self) -> float | None:
        """Percent on time of everything that is due: the submitted, and the missing whose due time passed."""
        return share(self.on_time, self.submitted + self.missing_late)

    @property
    def buckets(self) -> list[tuple[str, int]]:
        return list(zip(TURNAROUND_BUCKETS, self.hours.bucket_counts(TURNAROUND_EDGES), strict=True))


@dataclass
class LateFeedback:
    loop_id: int
    candidate: str
    kind: str
    interviewer: str
    due_at: datetime
    hours_overdue: float


def _ends(starts_at: datetime, minutes: int) -> datetime:
    return starts_at + timedelta(minutes=minutes)


def turnaround(scope: Scope, missing_late: int) -> Turnaround:
    """Measure counted (not practice) feedback from the interview's end to its submission."""
    interview, feedback = aliased(Interview), aliased(Feedback)
    rows = db.session.execute(
        select(interview.starts_at, interview.duration_minutes, feedback.submitted_at)
        .select_from(Loop).join(interview, interview.loop_id == Loop.id)
        .join(feedback, feedback.interview_id == interview.id)
        .where(feedback.is_practice.is_(False), feedback.status == FeedbackStatus.SUBMITTED, *scope.watched_loops())
    ).all()
    due = microseconds(_due())
    hours, on_time = [], 0
    for starts_at, minutes, submitted_at in rows:
        # Kept as the rollups keep it (app/metrics/tally.py), so both ways of counting agree.
        us = kept_duration(submitted_at - _ends(starts_at, minutes))
        hours.append(us / 10**6 / HOUR)
        on_time += us <= due
    return Turnaround(Distribution.of(hours), on_time, missing_late, current_app.config["FEEDBACK_DUE_HOURS"])


def looked_up(column, key):
    """`column` of the row whose primary key is `key`, read for each row of the outer query by that key.

    The lists of open loops name their candidates, requisitions and people: a few hundred rows looked up in
    tables that grow with history. Joined, the planner may price the lookups above reading a whole table
    (at PostgreSQL's default random_page_cost it does); a scalar subquery is read by key for each row.
    """
    return select(column).where(column.table.c.id == key).scalar_subquery()


FIRST_ROWS = 50  # the rows a metrics page shows of a long table (views.PAGE_ROWS), worked out at once


class LateList(Sequence):
    """The late feedback, most overdue first (the earliest due time), read as far as it is read.

    A big company's open loops hold a thousand late feedbacks; the page counts them and shows the first
    few, and only the CSV reads them all. On PostgreSQL the database works out each due time, counts the late
    ones and sends the first few, in one statement; SQLite has no exact time arithmetic, so there they are
    read and counted here. Each slice read names its candidates and interviewers in two statements, by key."""

    HEAD = FIRST_ROWS  # rows read with the count: a page's worth

    def __init__(self, scope: Scope):
        interview, feedback = _aliases()["interview"], _aliases()["feedback"]
        self.scope, self.due, self.interview = scope, _due(), interview
        submitted = exists().where(feedback.interview_id == interview.id, feedback.is_practice.is_(False),
                                   feedback.status == FeedbackStatus.SUBMITTED)
        # An interview that started less than the due time ago cannot be late yet: the database skips it.
        self.query = (
            select(Loop.id, Loop.candidate_id, interview.kind, interview.interviewer_id, interview.starts_at,
                   interview.duration_minutes)
            .select_from(Loop).join(interview, interview.loop_id == Loop.id)
            .where(Loop.status == constant(LoopStatus.OPEN), interview.starts_at < scope.now - self.due, ~submitted,
                   *scope.watched_loops()))
        self.in_sql = db.session.get_bind().dialect.name == "postgresql"
        self.head: list[tuple] = []  # the first rows, in order
        self.size: int | None = None

    def _late(self, rows) -> list[tuple]:
        """(loop, candidate id, kind, interviewer id, due at, hours overdue) of the rows past due, in order."""
        now, late = self.scope.now, []
        for loop_id, candidate, kind, interviewer, starts_at, minutes, *_ in rows:
            due_at = _ends(starts_at, minutes) + self.due
            if due_at < now:
                late.append((loop_id, candidate, kind, interviewer, due_at,
                             round((now - due_at).total_seconds() / HOUR, 1)))
        return sorted(late, key=lambda row: (row[4], row[0], row[3]))

    def _read(self, n: int | None) -> None:
        """Read the first n rows (all with None) and the count."""
        if not self.in_sql:
            self.head = self._late(db.session.execute(self.query))
            self.size = len(self.head)
            return
        i = self.interview
        ends = i.starts_at + func.make_interval(0, 0, 0, 0, 0, i.duration_minutes)
        query = (self.query.add_columns(func.count().over()).where(ends < self.scope.now - self.due)
                 .order_by(ends, Loop.id, i.interviewer_id))
        rows = db.session.execute(query if n is None else query.limit(n)).all()
        self.head, self.size = self._late(rows), rows[0][-1] if rows else 0

    def __len__(self) -> int:
        if self.size is None:
            self._read(self.HEAD)
        return self.size

    def _first(self, n: int) -> list[tuple]:
        if self.size is None or (len(self.head) < min(n, self.size)):
            self._read(None if self.size is not None and n >= self.size else max(n, self.HEAD))
        return self.head[:n]

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return self._named(self._first(len(self) if step < 0 else stop)[index])
        return self._named([self._first(len(self) if index < 0 else index + 1)[index]])[0]

    def __iter__(self):
        return iter(self[:])

    @staticmethod
    def _named(rows: list[tuple]) -> list[LateFeedback]:
        candidates, people = names_of(Candidate, {row[1] for row in rows}), names_of(User, {row[3] for row in rows})
        return [LateFeedback(loop_id, candidates[candidate], InterviewKind(kind).label, people[interviewer], due_at,
                             overdue) for loop_id, candidate, kind, interviewer, due_at, overdue in rows]


def names_of(model, ids) -> dict[int, str]:
    """The names of these rows of `model` (people, candidates, principles, org units), in one statement by key."""
    return dict(db.session.execute(select(model.id, model.name).where(among(model.id, ids))).all()) if ids else {}


def late_feedback(scope: Scope) -> LateList:
    """The counted feedback on open loops still unsubmitted after its due time, most overdue first."""
    return LateList(scope)


@dataclass
class DecisionTime:
    days: Distribution  # last in-house interview's end to the hiring manager's decision, one per decided loop

    @property
    def median_days(self) -> float | None:
        return rounded(self.days.median())

    @property
    def buckets(self) -> list[tuple[str, int]]:
        return list(zip(DECISION_BUCKETS, self.days.bucket_counts(DECISION_EDGES), strict=True))


def decision_time(scope: Scope) -> DecisionTime:
    """Measure each decided loop from the end of its last in-house interview to the debrief decision."""
    interview, decision = aliased(Interview), aliased(DebriefDecision)
    rows = db.session.execute(
        select(Loop.id, decision.decided_at, interview.starts_at, interview.duration_minutes)
        .select_from(Loop).join(decision, decision.loop_id == Loop.id)
        .join(interview, interview.loop_id == Loop.id)
        .where(interview.kind == InterviewKind.IN_HOUSE, *scope.loops())
    ).all()
    last_end: dict[int, datetime] = {}
    decided: dict[int, datetime] = {}
    for loop_id, decided_at, starts_at, minutes in rows:
        ends = _ends(starts_at, minutes)
        last_end[loop_id] = max(ends, last_end.get(loop_id, ends))
        decided[loop_id] = decided_at
    return DecisionTime(Distribution.of(kept_duration(decided[i] - last_end[i]) / 10**6 / DAY for i in decided))


@dataclass
class StepTime:
    step: Step
    days: Distribution  # one per stay in the step, finished or not
    in_progress: int  # stays of open loops still in the step

    @property
    def median_days(self) -> float | None:
        return rounded(self.days.median())

    @property
    def p90_days(self) -> float | None:
        return rounded(self.days.percentile(90))


@dataclass
class StalledLoop:
    loop_id: int
    candidate: str
    requisition: str
    step: Step
    since: datetime
    days: float
    recruiter: str


@dataclass
class StepTimes:
    steps: list[StepTime]
    stalled: list[StalledLoop]
    stalled_after_days: int


@cache
def _aliases() -> dict:
    """The aliases the open-loop lists read, made once (an alias costs to make; made at import, it would map the
    models before they are all defined). The scope's conditions name the plain tables, never these."""
    return {"interview": aliased(Interview, name="late_interviews"),
            "feedback": aliased(Feedback, name="late_feedback"),
            "requisition": aliased(Requisition, name="stalled_requisitions"),
            "recruiter": aliased(User, name="recruiters")}


def stalled_loops(scope: Scope, waiting: list[tuple[int, int, datetime]]) -> list[StalledLoop]:
    """Of the open loops `waiting` (id, step, in it since), those that have waited in their step longer than the
    stalled threshold, longest first.

    Only those are named: the candidates, requisitions and recruiters of a few rows, looked up by key. (Picked
    here, not by a range of step_entered_at: SQLite would read that range by its index, most of history.)"""
    after = timedelta(days=current_app.config["STALLED_AFTER_DAYS"])
    since = {loop_id: (step, entered) for loop_id, step, entered in waiting if scope.now - entered > after}
    if not since:
        return []
    requisition, recruiter = _aliases()["requisition"], _aliases()["recruiter"]
    rows = db.session.execute(
        select(Loop.id, looked_up(Candidate.name, Loop.candidate_id), looked_up(requisition.title, Loop.requisition_id),
               looked_up(recruiter.name, Loop.recruiter_id)).where(among(Loop.id, since))
    ).all()
    stalled = [StalledLoop(loop_id, candidate, title, Step(since[loop_id][0]), since[loop_id][1],
                           round((scope.now - since[loop_id][1]).total_seconds() / DAY, 1), recruiter_name)
               for loop_id, candidate, title, recruiter_name in rows]
    return sorted(stalled, key=lambda row: (-row.days, row.loop_id))


def current_stays(scope: Scope) -> StepTimes:
    """The open loops' stays in their current step, which grow with the clock, and the stalled loops.

    Every other stay (the steps an open loop has left, and each closed loop's) is in the rollups: this reads
    the open loops in scope alone, and no trail."""
    waiting = db.session.execute(
        select(Loop.id, Loop.step, Loop.step_entered_at).where(*scope.loops(), Loop.status == constant(LoopStatus.OPEN))
    ).all()
    stays: dict[Step, list[int]] = defaultdict(list)  # in microseconds, as the rollups keep the finished ones
    for _, step, entered in waiting:
        stays[Step(step)].append(kept_duration(max(scope.now - entered, timedelta(0))))
    steps = [StepTime(step, Distribution.of(stays[step], 10**6, DAY), len(stays[step]))
             for step in Step if step >= Step.RESUME_REVIEW]
    return StepTimes(steps, stalled_loops(scope, waiting), current_app.config["STALLED_AFTER_DAYS"])


def step_times(scope: Scope) -> StepTimes:
    """Work out each loop's stay in each step from the audit trail, and the loops stalled in theirs.

    A loop enters step 2 when it is created and each later step at its
    loop.advanced entry; it leaves a step at the next loop.advanced entry, when
    it closes, or (if open) is still there now, counted since step_entered_at.
    """
    loops = db.session.execute(
        select(Loop.id, Loop.step, Loop.status, Loop.created_at, Loop.step_entered_at, Loop.closed_at)
        .where(*scope.loops())
    ).all()
    moves = defaultdict(list)
    for loop_id, from_state, to_state, at in db.session.execute(
        # Each loop's moves in order is all that is needed: with the loops in scope as a list and
        # the trail ordered by loop, the database reads only those loops' entries, by index.
        select(AuditEntry.loop_id, AuditEntry.from_state, AuditEntry.to_state, AuditEntry.at)
        .where(AuditEntry.action == "loop.advanced", AuditEntry.loop_id.in_(select(Loop.id).where(*scope.loops())))
        .order_by(AuditEntry.loop_id, AuditEntry.at, AuditEntry.id)
    ):
        moves[loop_id].append((STEP_BY_LABEL.get(from_state), STEP_BY_LABEL.get(to_state), at))

    stays: dict[Step, list[float]] = defaultdict(list)
    in_progress: dict[Step, int] = defaultdict(int)
    for loop_id, current, status, created_at, step_entered_at, closed_at in loops:
        entered: dict[int, datetime] = {Step.RESUME_REVIEW: created_at}
        left: dict[int, datetime] = {}
        for from_step, to_step, at in moves[loop_id]:
            if from_step:
                left[from_step] = at
            if to_step:
                entered[to_step] = at
        entered[current] = step_entered_at
        is_open = status == LoopStatus.OPEN
        for step, start in entered.items():
            end = left.get(step)
            if end is None:
                if step != current:
                    continue  # a gap in the trail: no honest number for this stay
                end = scope.now if is_open else closed_at
                in_progress[Step(step)] += is_open
            stays[Step(step)].append(kept_duration(max(end - start, timedelta(0))) / 10**6 / DAY)
    steps = [StepTime(step, Distribution.of(stays[step]), in_progress[step])
             for step in Step if step >= Step.RESUME_REVIEW]
    waiting = [(loop_id, step, entered) for loop_id, step, status, _, entered, _ in loops if status == LoopStatus.OPEN]
    return StepTimes(steps, stalled_loops(scope, waiting), current_app.config["STALLED_AFTER_DAYS"])
