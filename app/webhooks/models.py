"""Webhook endpoints, the events written with the changes they announce, and the outbox that delivers them.

One outbox carries two kinds of message: a signed event for an endpoint an admin
registered, and a chat notice (the text of an e-mail the app sends) for a
person's or a requisition's chat channel. Each delivery is tried with backoff and
every try is kept.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import EnumString, UTCDateTime, not_blank, one_of, utcnow
from app.extensions import db
from app.people.models import User


class EventType(StrEnum):
    LOOP_CREATED = "loop.created"
    LOOP_MOVED = "loop.moved"
    LOOP_CLOSED = "loop.closed"
    DEBRIEF_DECIDED = "debrief.decided"
    OFFER_RESOLVED = "offer.resolved"
    INTERVIEW_SCHEDULED = "interview.scheduled"
    INTERVIEW_CANCELLED = "interview.cancelled"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS = {
    EventType.LOOP_CREATED: "A loop is created",
    EventType.LOOP_MOVED: "A loop moves to its next step",
    EventType.LOOP_CLOSED: "A loop ends (with its outcome)",
    EventType.DEBRIEF_DECIDED: "The debrief's result is final",
    EventType.OFFER_RESOLVED: "An offer is accepted, declined or rescinded",
    EventType.INTERVIEW_SCHEDULED: "An interview is scheduled",
    EventType.INTERVIEW_CANCELLED: "An interview is cancelled",
}


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next try
    DELIVERED = "delivered"  # the receiver answered 2xx; never sent again unless an admin redelivers it
    FAILED = "failed"  # every try failed; an admin may redeliver it
    SKIPPED = "skipped"  # a chat notice no longer true when its turn came, or an endpoint since disabled


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        not_blank("url"),
        not_blank("events"),
        not_blank("secret_ciphertext"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    # The event types wanted, space-separated (each one of EventType; the form and the service check).
    events: Mapped[str] = mapped_column(String(400))
    # The signing secret must be read back to sign each message (HMAC needs the key itself), so it cannot
    # be kept as a digest like a bearer token; it is kept encrypted with a key derived from SECRET_KEY.
    secret_ciphertext: Mapped[str] = mapped_column(Text)
    secret_hint: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    secret_rotated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User] = relationship()

    @property
    def event_types(self) -> list[EventType]:
        return [EventType(name) for name in self.events.split()]

    def wants(self, event_type: str) -> bool:
        return event_type in self.events.split()

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.url}>"


class WebhookEvent(db.Model):
    """One thing that happened, with the exact JSON body every endpoint that wants it is sent."""

    __tablename__ = "webhook_events"
    __table_args__ = (one_of("type", EventType),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(EnumString(EventType, 40), index=True)
    payload: Mapped[str] = mapped_column(Text)  # the signed body, byte for byte
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatHook(db.Model):
    """A Slack-compatible incoming-webhook address for one person or one requisition."""

    __tablename__ = "chat_hooks"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (requisition_id IS NULL)", name="one_owner"),
        not_blank("url_ciphertext"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    requisition_id: Mapped[int | None] = mapped_column(ForeignKey("requisitions.id", ondelete="CASCADE"),
                                                       unique=True)
    # An incoming-webhook address is itself a credential (whoever has it posts to the channel): encrypted.
    url_ciphertext: Mapped[str] = mapped_column(Text)
    url_hint: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()
    requisition = relationship("Requisition")


class WebhookDelivery(db.Model):
    """One message on its way: an event to an endpoint, or a notice to a chat channel."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        one_of("status", DeliveryStatus),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("(status = 'delivered') = (delivered_at IS NOT NULL)", name="delivered_has_time"),
        CheckConstraint("status NOT IN ('failed', 'skipped') OR last_error IS NOT NULL", name="failed_has_error"),
        CheckConstraint(
            "(event_id IS NOT NULL AND endpoint_id IS NOT NULL AND notification_id IS NULL AND chat_hook_id IS NULL"
            " AND topic IS NULL) OR (event_id IS NULL AND endpoint_id IS NULL AND notification_id IS NOT NULL"
            " AND chat_hook_id IS NOT NULL AND topic IS NOT NULL)",
            name="event_or_chat"),
        CheckConstraint("(claim IS NULL) = (claimed_until IS NULL)", name="claim_has_lease"),
        UniqueConstraint("event_id", "endpoint_id"),
        UniqueConstraint("chat_hook_id", "topic"),
        # An endpoint's delivery log, newest first a page at a time, however many other endpoints deliver.
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Standard Webhooks message id: the same on every try, so a receiver drops a duplicate.
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"),
                                                        index=True)
    chat_hook_id: Mapped[int | None] = mapped_column(ForeignKey("chat_hooks.id", ondelete="CASCADE"), index=True)
    # What makes a chat notice the same notice on one channel (a requisition's channel hears
    # "debrief ready" once, not once per participant).
    topic: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(EnumString(DeliveryStatus), default=DeliveryStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # tries since it was (re)armed
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A worker's claim: set by a conditional UPDATE, so two workers never send one message at once.
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[WebhookEvent | None] = relationship()
    endpoint: Mapped[WebhookEndpoint | None] = relationship()
    notification = relationship("Notification")
    chat_hook: Mapped[ChatHook | None] = relationship()
    tries: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.id.desc()", cascade="all, delete-orphan",
        passive_deletes=True)

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.status} attempts={self.attempts}>"


class DeliveryAttempt(db.Model):
    """One try: when, what the receiver answered (or why there was no answer), how long it took."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        CheckConstraint("duration_ms >= 0", name="duration_not_negative"),
        CheckConstraint("status_code IS NOT NULL OR error IS NOT NULL", name="answer_or_error"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="tries")

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
