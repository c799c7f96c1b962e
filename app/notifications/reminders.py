"""Find feedback that is coming due or late, and queue the reminder or the escalation."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, not_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.feedback.models import Feedback, FeedbackStatus
from app.feedback.services import due_at
from app.interviews.models import Interview
from app.loops.models import Loop, LoopStatus
from app.notifications.models import Notification, NotificationKind
from app.notifications.services import queue

# The interviewer hears this long before their feedback is due.
REMINDER_LEAD = timedelta(hours=2)


def awaiting_feedback(now: datetime) -> list[Interview]:
    """Return interviews on open loops whose counted feedback is unsubmitted and may need a mail now."""
    submitted = exists().where(Feedback.interview_id == Interview.id, Feedback.is_practice.is_(False),
                               Feedback.status == FeedbackStatus.SUBMITTED)
    escalated = exists().where(Notification.interview_id == Interview.id,
                               Notification.kind == NotificationKind.FEEDBACK_ESCALATION)
    # An interview lasts 15 minutes at least, so none that started later can be in its reminder window.
    latest_start = now - timedelta(hours=current_app.config["FEEDBACK_DUE_HOURS"], minutes=15) + REMINDER_LEAD
    query = (
        select(Interview).join(Interview.loop)
        .where(Loop.status == LoopStatus.OPEN, Interview.starts_at <= latest_start, not_(submitted), not_(escalated))
        .options(selectinload(Interview.loop).selectinload(Loop.recruiter), selectinload(Interview.interviewer))
        .order_by(Interview.id)
    )
    return list(db.session.scalars(query))


def queue_feedback_reminders(now: datetime) -> int:
    """Queue a reminder to interviewers whose feedback is due soon, an escalation to the recruiter once late."""
    queued = 0
    for interview in awaiting_feedback(now):
        due, loop = due_at(interview), interview.loop
        if now > due:
            queued += queue(NotificationKind.FEEDBACK_ESCALATION, loop.recruiter, loop=loop,
                            interview=interview) is not None
        elif now >= due - REMINDER_LEAD:
            queued += queue(NotificationKind.FEEDBACK_REMINDER, interview.interviewer, loop=loop,
                            interview=interview) is not None
    return queued


def is_still_awaited(interview: Interview) -> bool:
    """Return whether the interview's counted feedback is still unsubmitted on an open loop."""
    submitted = db.session.scalar(select(exists().where(and_(
        Feedback.interview_id == interview.id, Feedback.is_practice.is_(False),
        Feedback.status == FeedbackStatus.SUBMITTED))))
    return interview.loop.is_open and not submitted
