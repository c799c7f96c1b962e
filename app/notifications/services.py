"""Queue e-mails in the outbox, in the caller's transaction; `flask send-reminders` delivers them.

Services call the hooks below after they change state. Queueing never sends
and never commits, so a mail server that is down cannot break the request.
"""

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.interviews.models import Interview
from app.jobs.queue import enqueue_after_commit
from app.loops.models import Loop, Step
from app.notifications.models import INVITATION_KINDS, Notification, NotificationKind, NotificationStatus
from app.people.models import User


def dedupe_key(kind: NotificationKind, recipient: User, loop: Loop, interview: Interview | None,
               occasion: str = "") -> str:
    """Return what makes a message the same message: kind, subject, recipient, occasion."""
    subject = f"interview-{interview.id}" if interview is not None else f"loop-{loop.id}"
    return ":".join(filter(None, [kind.value, subject, f"user-{recipient.id}", occasion]))


def is_queued(key: str) -> bool:
    return db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)) is not None


def queue(kind: str, recipient: User, *, loop: Loop, interview: Interview | None = None,
          occasion: str = "", cancelled_interview=None) -> Notification | None:
    """Add a pending e-mail unless the same one is already queued; return it, or None if not added.

    The insert runs in a savepoint: a concurrent request that queued the same
    message first costs this one its duplicate row, not its transaction.
    """
    kind = NotificationKind(kind)
    if not recipient.active:
        return None
    key = dedupe_key(kind, recipient, loop, interview, occasion)
    db.session.flush()  # the caller's own writes fail (or not) outside the savepoint
    if is_queued(key):
        return None
    notification = Notification(kind=kind, recipient=recipient, loop=loop, interview=interview, dedupe_key=key,
                                cancelled_interview=cancelled_interview)
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        return None
    from app.jobs.tasks import deliver_outbox
    from app.webhooks.chat import notification_queued

    enqueue_after_commit(deliver_outbox)
    notification_queued(notification)  # its chat copies, if the person or the requisition has a channel
    return notification


def interview_scheduled(interview: Interview) -> None:
    """Tell the interviewer about a new interview (the .ics goes with the mail)."""
    queue(NotificationKind.INTERVIEW_ASSIGNED, interview.interviewer, loop=interview.loop, interview=interview)


def interview_rescheduled(interview: Interview) -> None:
    """Send the interviewer the updated invitation (the same event, a higher SEQUENCE)."""
    queue(NotificationKind.INTERVIEW_RESCHEDULED, interview.interviewer, loop=interview.loop, interview=interview,
          occasion=f"sequence-{interview.calendar_sequence}")


def invitation_went_out(interview: Interview) -> bool:
    """Whether an invitation to the interview was sent, or tried: then its calendar may hold the event."""
    return db.session.scalar(select(Notification.id).where(
        Notification.interview_id == interview.id, Notification.kind.in_(INVITATION_KINDS),
        or_(Notification.status == NotificationStatus.SENT, Notification.attempts > 0)).limit(1)) is not None


def interview_cancelled(cancelled) -> None:
    """Send the interviewer the cancellation of the event (a CancelledInterview: the interview is gone)."""
    queue(NotificationKind.INTERVIEW_CANCELLED, cancelled.interviewer, loop=cancelled.loop,
          occasion=f"cancelled-{cancelled.id}", cancelled_interview=cancelled)


def loop_closed(loop: Loop) -> None:
    """Cancel, in their calendars, the invited interviews a closing loop leaves in the future."""
    for interview in loop.interviews:
        if interview.starts_at >= loop.closed_at and invitation_went_out(interview):
            queue(NotificationKind.INTERVIEW_CANCELLED, interview.interviewer, loop=loop, interview=interview,
                  occasion="loop-closed")


def loop_advanced(loop: Loop, actor: User) -> None:
    """Tell the participants, the mover aside, when the loop reaches the debrief."""
    if loop.step != Step.DEBRIEF:
        return
    for person in loop.participants:
        if person.id != actor.id:
            queue(NotificationKind.DEBRIEF_READY, person, loop=loop)


def decision_recorded(loop: Loop, actor: User) -> None:
    """Tell the participants that the debrief has decided; never what it decided.

    A Hire waits for the bar raiser, who alone is told then; everyone else is told
    once the outcome is final, so how many mails arrive does not betray it either.
    """
    if loop.is_open and loop.step == Step.DEBRIEF:
        if loop.bar_raiser is not None and loop.bar_raiser_id != actor.id:
            queue(NotificationKind.DECISION_RECORDED, loop.bar_raiser, loop=loop, occasion="awaiting-verdict")
        return
    for person in loop.participants:
        if person.id != actor.id:
            queue(NotificationKind.DECISION_RECORDED, person, loop=loop)
