"""Deliver the outbox: each waiting row is sent, failed (tried again next run) or skipped, and committed."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, select

from app.db_types import utcnow
from app.extensions import db
from app.loops.models import Step
from app.notifications.mailer import Mailer, MailError
from app.notifications.messages import compose
from app.notifications.models import Notification, NotificationKind, NotificationStatus
from app.notifications.reminders import is_still_awaited

# After this many failed tries a message stays failed for a person to look at.
MAX_ATTEMPTS = 5


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def is_deliverable():
    return and_(Notification.status.in_([NotificationStatus.PENDING, NotificationStatus.FAILED]),
                Notification.attempts < MAX_ATTEMPTS)


def stale_reason(notification: Notification, now: datetime) -> str | None:
    """Return why the message is no longer worth sending, or None if it still is."""
    kind, loop, interview = NotificationKind(notification.kind), notification.loop, notification.interview
    if not notification.recipient.active:
        return "the recipient's account is deactivated"
    if kind in (NotificationKind.INTERVIEW_ASSIGNED, NotificationKind.INTERVIEW_RESCHEDULED):
        if not loop.is_open:
            return "the loop closed before the interview"
        if interview.ends_at <= now:
            return "the interview is over"
    if kind == NotificationKind.INTERVIEW_RESCHEDULED and is_superseded(notification):
        return "a later change replaced it"
    if kind in (NotificationKind.FEEDBACK_REMINDER, NotificationKind.FEEDBACK_ESCALATION) \
            and not is_still_awaited(interview):
        return "the feedback was submitted or the loop closed"
    if kind == NotificationKind.DEBRIEF_READY and not (loop.is_open and loop.step == Step.DEBRIEF):
        return "the loop has left the debrief"
    return None


def is_superseded(notification: Notification) -> bool:
    """Whether a later update of the same interview is queued: it carries the event as it stands."""
    return db.session.scalar(select(Notification.id).where(
        Notification.interview_id == notification.interview_id,
        Notification.kind == NotificationKind.INTERVIEW_RESCHEDULED, Notification.id > notification.id)
        .limit(1)) is not None


def deliver(notification: Notification, mailer: Mailer, report: DeliveryReport) -> None:
    """Send one message and record the result on its row; a failure is logged, never raised."""
    now = utcnow()
    reason = stale_reason(notification, now)
    if reason is not None:
        notification.status, notification.last_error = NotificationStatus.SKIPPED, reason
        report.skipped += 1
        return
    notification.attempts += 1
    try:
        mailer.send(compose(notification))
    except Exception as error:  # one bad message (even a bug in its template) must not hold up the rest
        notification.status, notification.last_error = NotificationStatus.FAILED, str(error) or repr(error)
        current_app.logger.warning(
            "E-mail %s (%s to user %s) failed, attempt %s of %s: %s", notification.id, notification.kind,
            notification.recipient_id, notification.attempts, MAX_ATTEMPTS, notification.last_error,
            exc_info=not isinstance(error, MailError))
        report.failed += 1
        return
    notification.status, notification.sent_at = NotificationStatus.SENT, now
    report.sent += 1


def deliver_pending() -> DeliveryReport:
    """Send every pending or failed message with tries left, committing after each one.

    Each row is locked while it is sent (PostgreSQL), so two runs at once never
    send one message twice; a row another run holds is left to it.
    """
    report = DeliveryReport()
    waiting = db.session.scalars(select(Notification.id).where(is_deliverable()).order_by(Notification.id)).all()
    db.session.rollback()
    with Mailer(current_app.config) as mailer:
        for notification_id in waiting:
            notification = db.session.scalar(
                select(Notification).where(Notification.id == notification_id, is_deliverable())
                .with_for_update(skip_locked=True).execution_options(populate_existing=True))
            if notification is not None:
                deliver(notification, mailer, report)
            db.session.commit()
    return report
