"""The blind-feedback rule, implemented once for every read path.

You always read your own feedback. Someone else's (content, ratings, votes,
and any tally built from them) only if you take part in the loop, it is
submitted, and you have submitted every feedback of your own on the loop. A
participant with no interviews on the loop reads feedback once the loop has
reached the debrief. Shadows' practice feedback is never counted, but reads
under the same rule.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.feedback.models import Feedback, FeedbackStatus
from app.interviews.models import Interview, InterviewKind
from app.loops.models import Loop, LoopRole, Step
from app.people.models import User

# Who may learn who has (not) submitted feedback, and when: PRODUCT.md, "Who may read what".
SUBMISSION_WATCHERS = {LoopRole.RECRUITER, LoopRole.HIRING_MANAGER, LoopRole.BAR_RAISER}


class WriterRole(StrEnum):
    COUNTED = "counted"  # the interview's interviewer
    PRACTICE = "practice"  # the loop's shadow, on an in-house interview


def writer_role(interview: Interview, user: User) -> WriterRole | None:
    """Return how `user` writes feedback for the interview: counted, practice, or not at all (None)."""
    if interview.interviewer_id == user.id:
        return WriterRole.COUNTED
    if interview.loop.shadow_id == user.id and interview.kind == InterviewKind.IN_HOUSE:
        return WriterRole.PRACTICE
    return None


def can_write_feedback(interview: Interview, user: User) -> bool:
    """The interviewer writes the interview's feedback; the loop's shadow writes practice feedback."""
    return writer_role(interview, user) is not None


def own_counted_interviews(loop: Loop, user: User):
    return [i for i in loop.interviews if i.interviewer_id == user.id]


def own_practice_interviews(loop: Loop, user: User):
    """The in-house interviews a shadow writes practice feedback for."""
    if loop.shadow_id != user.id:
        return []
    return [i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE]


def has_submitted_all_own(loop: Loop, user: User) -> bool:
    """Return whether the user has submitted every feedback the loop asks of them."""
    mine = own_counted_interviews(loop, user)
    return all(
        any(f.author_id == user.id and f.status == FeedbackStatus.SUBMITTED for f in i.feedbacks) for i in mine
    )


@dataclass(frozen=True)
class FeedbackAccess:
    """One reader's view of one loop, worked out once and asked many times."""

    user_id: int
    is_participant: bool
    unlocked: bool

    def can_read(self, feedback: Feedback) -> bool:
        if feedback.author_id == self.user_id:
            return True
        return self.is_participant and self.unlocked and feedback.status == FeedbackStatus.SUBMITTED

    @property
    def can_read_others(self) -> bool:
        """Whether tallies and grids built from others' feedback may be shown."""
        return self.is_participant and self.unlocked


def feedback_access(loop: Loop, user: User) -> FeedbackAccess:
    """Work out what `user` may read of the loop's feedback."""
    roles = loop.roles_of(user)
    if not roles:
        return FeedbackAccess(user.id, False, False)
    if own_counted_interviews(loop, user):
        unlocked = has_submitted_all_own(loop, user)
    else:
        unlocked = loop.step >= Step.DEBRIEF
    return FeedbackAccess(user.id, True, unlocked)


def can_read_feedback(user: User, feedback: Feedback) -> bool:
    return feedback_access(feedback.interview.loop, user).can_read(feedback)


def readable_feedback(loop: Loop, user: User) -> list[Feedback]:
    """Every feedback on the loop the user may read, in interview order."""
    access = feedback_access(loop, user)
    return [f for i in loop.interviews for f in i.feedbacks if access.can_read(f)]


def can_see_submissions(loop: Loop, user: User) -> bool:
    """The loop's recruiter, hiring manager and bar raiser see who submitted and when."""
    return bool(loop.roles_of(user) & SUBMISSION_WATCHERS)
