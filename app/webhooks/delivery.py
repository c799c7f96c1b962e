"""Deliver the webhook outbox: claim a due delivery, send it, record the try, and retry with backoff.

A worker claims a delivery with one conditional UPDATE (it must still be
pending, due and unclaimed, or its claim's lease must have run out) and commits
before it sends, so two workers never send the same delivery, and no row lock
is held while a receiver takes its time. A delivered delivery is never sent
again unless an admin redelivers it.
"""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from standardwebhooks.webhooks import Webhook

from app.db_types import utcnow
from app.extensions import db
from app.webhooks import transport
from app.webhooks.crypto import UnreadableSecret, unseal
from app.webhooks.models import DeliveryAttempt, DeliveryStatus, WebhookDelivery

LEASE = timedelta(minutes=5)  # far longer than a try can take (the timeout), so a claim never lapses mid-send
BACKOFF_FACTOR = 4
LONGEST_WAIT = timedelta(hours=6)


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class Outgoing:
    url: str
    body: bytes
    headers: dict[str, str]


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 30 s, 2, 8, 32 minutes, ... (six hours at most)."""
    base = current_app.config["WEBHOOK_RETRY_BASE_SECONDS"]
    return min(timedelta(seconds=base * BACKOFF_FACTOR ** (attempts - 1)), LONGEST_WAIT)


def retry_schedule() -> list[timedelta]:
    """The waits between the tries of one delivery, for the pages and the README."""
    return [retry_delay(n) for n in range(1, current_app.config["WEBHOOK_MAX_ATTEMPTS"])]


def is_due(now: datetime):
    return and_(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))


def claim(delivery_id: int, now: datetime) -> str | None:
    """Take a due delivery for this worker and commit; return the claim, or None if another worker has it."""
    token = secrets.token_hex(16)
    result = db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, is_due(now))
        .values(claim=token, claimed_until=now + LEASE).execution_options(synchronize_session=False))
    db.session.commit()
    return token if result.rowcount == 1 else None


def signed(delivery: WebhookDelivery) -> Outgoing:
    """The event's body with the Standard Webhooks headers, signed with the endpoint's secret."""
    body = delivery.event.payload
    signer = Webhook(unseal(delivery.endpoint.secret_ciphertext))
    at = utcnow().replace(microsecond=0)  # the signing time: receivers refuse one too far from their clock
    return Outgoing(delivery.endpoint.url, body.encode(), {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signer.sign(delivery.message_id, at, body),
    })


def outgoing(delivery: WebhookDelivery, now: datetime) -> Outgoing | str:
    """Return what to send, or why the delivery is no longer worth sending."""
    if delivery.endpoint_id is not None:
        if not delivery.endpoint.is_active:
            return "the endpoint was disabled"
        return signed(delivery)
    from app.notifications.delivery import stale_reason
    from app.webhooks.chat import compose_text

    reason = stale_reason(delivery.notification, now)
    if reason is not None:
        return reason
    hook = delivery.chat_hook
    text = compose_text(delivery.notification, for_channel=hook.requisition_id is not None)
    return Outgoing(unseal(hook.url_ciphertext), json.dumps({"text": text}).encode(), {})


def settle(delivery: WebhookDelivery, answer: transport.Answer, now: datetime, report: DeliveryReport) -> None:
    """Record one try and what follows from it: delivered, another try later, or failed for good."""
    delivery.attempts += 1
    delivery.tries.append(DeliveryAttempt(attempted_at=now, status_code=answer.status_code, error=answer.error,
                                          duration_ms=answer.duration_ms))
    delivery.last_status_code, delivery.last_error = answer.status_code, answer.error
    if answer.ok:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
        report.delivered += 1
    elif delivery.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        delivery.status = DeliveryStatus.FAILED
        report.failed += 1
        current_app.logger.warning("Webhook delivery %s failed for good after %s tries: %s", delivery.id,
                                   delivery.attempts, answer.error)
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        report.retrying += 1


def load(delivery_id: int) -> WebhookDelivery:
    return db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                             .execution_options(populate_existing=True))


def deliver_one(delivery_id: int, now: datetime, report: DeliveryReport) -> None:
    """Claim, send and record one delivery (a delivery another worker claimed is left to it)."""
    token = claim(delivery_id, now)
    if token is None:
        return
    delivery = load(delivery_id)
    try:
        message = outgoing(delivery, now)
    except UnreadableSecret as error:
        message = transport.Answer(None, str(error), 0)
    if isinstance(message, Outgoing):
        db.session.rollback()  # no transaction stays open while the receiver takes its time
        message = transport.post(message.url, message.body, message.headers,
                                 timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
        delivery = load(delivery_id)
        if delivery.claim != token:  # cannot happen within the lease; if it did, the new holder records the try
            db.session.rollback()
            return
    if isinstance(message, str):
        delivery.status, delivery.last_error = DeliveryStatus.SKIPPED, f"Skipped: {message}."
        report.skipped += 1
    else:
        settle(delivery, message, now, report)
    delivery.claim = delivery.claimed_until = None
    db.session.commit()


def deliver_due(now: datetime | None = None, limit: int = 1000) -> DeliveryReport:
    """Send every delivery that is due, oldest first, committing after each one."""
    report = DeliveryReport()
    at = now or utcnow()
    due = db.session.scalars(select(WebhookDelivery.id).where(is_due(at))
                             .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)).all()
    db.session.rollback()
    for delivery_id in due:
        deliver_one(delivery_id, now or utcnow(), report)
    return report


def next_due() -> datetime | None:
    """When the earliest waiting delivery is due, if any."""
    return db.session.scalar(select(func.min(WebhookDelivery.next_attempt_at))
                             .where(WebhookDelivery.status == DeliveryStatus.PENDING))
