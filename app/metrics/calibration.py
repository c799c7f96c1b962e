"""Interviewer calibration: first votes against outcomes, under the blind-feedback rule.

Votes are feedback content, so a loop's votes count here only when the viewer
may read others' feedback on that loop (`feedback_access(...).can_read_others`):
they take part in it and have submitted all their own feedback, or (with no
interviews of their own) the loop has reached the debrief.
"""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.debrief.models import DebriefDecision, Outcome, Verdict
from app.extensions import db
from app.feedback.models import FeedbackStatus, Vote
from app.feedback.policy import feedback_access
from app.interviews.models import Interview, InterviewKind
from app.loops.models import Loop
from app.loops.workflow import counted_feedback
from app.metrics.scope import Scope
from app.metrics.stats import share
from app.people.models import User


def debrief_result(decision: DebriefDecision | None) -> bool | None:
    """Return True for Hire + Concur, False for No hire or a veto, None while undecided."""
    if decision is None:
        return None
    if decision.outcome == Outcome.NO_HIRE or decision.verdict == Verdict.VETO:
        return False
    return True if decision.verdict == Verdict.CONCUR else None


@dataclass
class CountedVote:
    loop: Loop
    vote: Vote
    result: bool | None

    @property
    def matched(self) -> bool | None:
        """A positive first vote matches a hire, a negative one a no-hire; None while undecided."""
        return None if self.result is None else self.vote.is_positive == self.result


@dataclass
class InterviewerCalibration:
    interviewer: User
    votes: list[CountedVote] = field(default_factory=list)

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


def calibration(scope: Scope, interviewer_id: int | None = None) -> list[InterviewerCalibration]:
    """Gather each interviewer's first votes (in-house feedback) on the loops the viewer may read; most votes first."""
    loops = db.session.scalars(
        select(Loop).where(*scope.readable_loops())
        .options(selectinload(Loop.interviews).selectinload(Interview.feedbacks),
                 selectinload(Loop.interviews).selectinload(Interview.interviewer),
                 selectinload(Loop.decision), selectinload(Loop.candidate), selectinload(Loop.requisition))
        .order_by(Loop.created_at, Loop.id)
    ).all()
    people: dict[int, InterviewerCalibration] = {}
    for loop in loops:
        if not feedback_access(loop, scope.viewer).can_read_others:
            continue
        result = debrief_result(loop.decision)
        for interview in loop.interviews:
            if interview.kind != InterviewKind.IN_HOUSE:
                continue
            if interviewer_id is not None and interview.interviewer_id != interviewer_id:
                continue
            feedback = counted_feedback(interview)
            if feedback is None or feedback.status != FeedbackStatus.SUBMITTED:
                continue
            row = people.setdefault(interview.interviewer_id, InterviewerCalibration(interview.interviewer))
            row.votes.append(CountedVote(loop, Vote(feedback.vote), result))
    return sorted(people.values(), key=lambda row: (-len(row.votes), row.interviewer.name))
