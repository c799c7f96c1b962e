"""The outbox: one row per e-mail to send, written in the transaction of the change it announces."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import EnumString, UTCDateTime, not_blank, one_of, utcnow
from app.extensions import db
from app.people.models import User


class NotificationKind(StrEnum):
    INTERVIEW_ASSIGNED = "interview_assigned"
    FEEDBACK_REMINDER = "feedback_reminder"
    FEEDBACK_ESCALATION = "feedback_escalation"
    DEBRIEF_READY = "debrief_ready"
    DECISION_RECORDED = "decision_recorded"
    INTERVIEW_RESCHEDULED = "interview_rescheduled"
    INTERVIEW_CANCELLED = "interview_cancelled"

    @property
    def is_about_an_interview(self) -> bool:
        return self in INTERVIEW_KINDS


INTERVIEW_KINDS = (NotificationKind.INTERVIEW_ASSIGNED, NotificationKind.FEEDBACK_REMINDER,
                   NotificationKind.FEEDBACK_ESCALATION, NotificationKind.INTERVIEW_RESCHEDULED)
CANCELLATION_NAMES_ITS_EVENT = (
    "(kind = 'interview_cancelled' AND (interview_id IS NULL) <> (cancelled_interview_id IS NULL)) "
    "OR (kind <> 'interview_cancelled' AND cancelled_interview_id IS NULL)")
# Mails that carry the interview's calendar event (an iTIP REQUEST or CANCEL).
INVITATION_KINDS = (NotificationKind.INTERVIEW_ASSIGNED, NotificationKind.INTERVIEW_RESCHEDULED)


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # tried and refused or unreachable; tried again on the next run
    SKIPPED = "skipped"  # no longer true when its turn came (the loop closed, the feedback arrived)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        one_of("kind", NotificationKind),
        one_of("status", NotificationStatus),
        not_blank("dedupe_key"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_has_time"),
        CheckConstraint("status <> 'failed' OR last_error IS NOT NULL", name="failed_has_error"),
        CheckConstraint(
            "kind NOT IN ({}) OR interview_id IS NOT NULL".format(", ".join(f"'{k.value}'" for k in INTERVIEW_KINDS)),
            name="interview_kinds_name_interview",
        ),
        # A cancellation names the interview (its loop closed first) or what is kept of it (it was cancelled).
        CheckConstraint(CANCELLATION_NAMES_ITS_EVENT, name="cancellations_name_their_event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(EnumString(NotificationKind, 24))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), index=True)
    # A cancelled interview takes its unsent announcement with it.
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    # The cancellation notice outlives the interview: it names what calendars keep of it.
    cancelled_interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("cancelled_interviews.id", ondelete="CASCADE"), index=True)
    # What makes this message the same message twice: a second queue() with it adds nothing.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(EnumString(NotificationStatus), default=NotificationStatus.PENDING,
                                        index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User] = relationship()
    loop = relationship("Loop")
    interview = relationship("Interview")
    cancelled_interview = relationship("CancelledInterview")

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} to={self.recipient_id} {self.status}>"
