"""Interviewer calibration: first votes against outcomes, under the blind-feedback rule.

Votes are feedback content, so a loop's votes count here only when the viewer
may read others' feedback on that loop (`feedback_access(...).can_read_others`):
they take part in it and have submitted all their own feedback, or (with no
interviews of their own) the loop has reached the debrief.
"""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased, joinedload

from app.debrief.models import DebriefDecision, Outcome, Verdict
from app.extensions import db
from app.feedback.models import Feedback, FeedbackStatus, Vote
from app.interviews.models import Interview, InterviewKind
from app.loops.models import Loop, Step
from app.metrics.scope import Scope
from app.metrics.stats import share
from app.people.models import User


def result_of(outcome, verdict) -> bool | None:
    """Return True for Hire + Concur, False for No hire or a veto, None while undecided."""
    if outcome is None:
        return None
    if outcome == Outcome.NO_HIRE or verdict == Verdict.VETO:
        return False
    return True if verdict == Verdict.CONCUR else None


def debrief_result(decision: DebriefDecision | None) -> bool | None:
    """Return True for Hire + Concur, False for No hire or a veto, None while undecided."""
    return None if decision is None else result_of(decision.outcome, decision.verdict)


@dataclass
class CountedVote:
    loop_id: int | None  # None when counted from the rollups, which keep no loop
    vote: Vote
    result: bool | None
    loop: Loop | None = None  # loaded for the drill-down, which lists the loops

    @property
    def matched(self) -> bool | None:
        """A positive first vote matches a hire, a negative one a no-hire; None while undecided."""
        return None if self.result is None else self.vote.is_positive == self.result


@dataclass
class InterviewerCalibration:
    interviewer: User
    votes: list[CountedVote] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.votes)

    @property
    def distribution(self) -> dict[Vote, int]:
        counts = Counter(v.vote for v in self.votes)
        return {vote: counts[vote] for vote in Vote}

    @property
    def decided(self) -> int:
        return sum(1 for v in self.votes if v.result is not None)

    @property
    def matched(self) -> int:
        return sum(1 for v in self.votes if v.matched)

    @property
    def match_rate(self) -> float | None:
        return share(self.matched, self.decided)


@dataclass
class CalibrationCounts:
    """One interviewer's first votes as counted in the rollups: how many of each vote met each result."""

    interviewer: User
    counts: dict = field(default_factory=dict)  # (Vote, result: True, False or None) -> votes

    @property
    def votes(self) -> list[CountedVote]:
        return [CountedVote(None, vote, result) for (vote, result), n in sorted(self.counts.items(), key=str)
                for _ in range(n)]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def distribution(self) -> dict[Vote, int]:
        return {vote: sum(n for (v, _), n in self.counts.items() if v == vote) for vote in Vote}

    @property
    def decided(self) -> int:
        return sum(n for (_, result), n in self.counts.items() if result is not None)

    @property
    def matched(self) -> int:
        return sum(n for (vote, result), n in self.counts.items() if result is not None and vote.is_positive == result)

    @property
    def match_rate(self) -> float | None:
        return share(self.matched, self.decided)


def others_readable(viewer: User):
    """The blind rule's "may read others' feedback" on a loop the viewer takes part in, as SQL.

    The same rule as `feedback_access(loop, viewer).can_read_others`: with interviews of
    their own on the loop, the viewer has submitted feedback for every one of them;
    without, the loop has reached the debrief.
    """
    mine, own = aliased(Interview), aliased(Feedback)
    has_own = exists().where(mine.loop_id == Loop.id, mine.interviewer_id == viewer.id)
    own_unsubmitted = exists().where(
        mine.loop_id == Loop.id, mine.interviewer_id == viewer.id,
        ~exists().where(own.interview_id == mine.id, own.author_id == viewer.id,
                        own.status == FeedbackStatus.SUBMITTED))
    return and_(~own_unsubmitted, or_(has_own, Loop.step >= Step.DEBRIEF))


def calibration(scope: Scope, interviewer_id: int | None = None) -> list[InterviewerCalibration]:
    """Gather each interviewer's first votes (in-house feedback) on the loops the viewer may read; most votes first.

    The votes and the blind rule are one query whatever the number of loops; the drill-down
    (one interviewer) also loads the loops it lists.
    """
    interview, feedback, decision = aliased(Interview), aliased(Feedback), aliased(DebriefDecision)
    query = (
        select(Loop.id, interview.interviewer_id, feedback.vote, decision.outcome, decision.verdict)
        .select_from(Loop).join(interview, interview.loop_id == Loop.id)
        .join(feedback, and_(feedback.interview_id == interview.id, feedback.is_practice.is_(False)))
        .outerjoin(decision, decision.loop_id == Loop.id)
        .where(interview.kind == InterviewKind.IN_HOUSE, feedback.status == FeedbackStatus.SUBMITTED,
               *scope.readable_loops(), others_readable(scope.viewer))
        .order_by(Loop.created_at, Loop.id, interview.starts_at, interview.id)
    )
    if interviewer_id is not None:
        query = query.where(interview.interviewer_id == interviewer_id)
    rows = db.session.execute(query).all()
    if not rows:
        return []
    people = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_({row.interviewer_id for row in rows})))}
    loops = {}
    if interviewer_id is not None:
        loops = {loop.id: loop for loop in db.session.scalars(
            select(Loop).where(Loop.id.in_({row.id for row in rows}))
            .options(joinedload(Loop.candidate), joinedload(Loop.requisition), joinedload(Loop.decision)))}
    calibrations: dict[int, InterviewerCalibration] = {}
    for loop_id, person, vote, outcome, verdict in rows:
        row = calibrations.setdefault(person, InterviewerCalibration(people[person]))
        row.votes.append(CountedVote(loop_id, Vote(vote), result_of(outcome, verdict), loops.get(loop_id)))
    return sorted(calibrations.values(), key=lambda row: (-len(row.votes), row.interviewer.name))
