"""Register, change, disable and re-key webhook endpoints; redeliver a message. Admins only, each change audited."""

from app.audit.services import record
from app.db_types import utcnow
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.people.models import User
from app.permissions.roles import is_admin
from app.webhooks.crypto import new_signing_secret, seal
from app.webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint
from app.webhooks.ssrf import UnsafeAddress, check

SECRET_HINT_LENGTH = 10  # "whsec_" and four characters: enough to tell two secrets apart


def require_webhook_admin(actor: User) -> None:
    if not is_admin(actor):
        raise ServiceError("Only admins manage webhooks.")


def checked_url(url: str, field: str = "url") -> str:
    """Return the URL trimmed, or refuse it beside its field: not http(s), or not a public address."""
    url = (url or "").strip()
    if not url:
        raise ServiceError("Enter the address to send to.", field=field)
    if len(url) > 2000:
        raise ServiceError("An address is at most 2,000 characters.", field=field)
    try:
        check(url)
    except UnsafeAddress as refusal:
        raise ServiceError(str(refusal), field=field) from None
    return url


def checked_events(events: list[str]) -> str:
    chosen = [e for e in EventType if e.value in set(events or [])]
    if not chosen or len(chosen) != len(set(events)):
        raise ServiceError("Choose at least one event.", field="events")
    return " ".join(e.value for e in chosen)


def create_endpoint(actor: User, *, url: str, description: str, events: list[str],
                    is_active: bool = True) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; return it and its signing secret, which is shown this once."""
    require_webhook_admin(actor)
    description = (description or "").strip()
    if len(description) > 200:
        raise ServiceError("A description is at most 200 characters.", field="description")
    endpoint = WebhookEndpoint(url=checked_url(url), description=description, events=checked_events(events),
                               is_active=is_active, created_by=actor)
    secret = set_secret(endpoint)
    db.session.add(endpoint)
    db.session.flush()
    record("webhook.endpoint_created", endpoint, actor, url=endpoint.url, events=endpoint.events.split(),
           active=endpoint.is_active)
    return endpoint, secret


def set_secret(endpoint: WebhookEndpoint) -> str:
    secret = new_signing_secret()
    endpoint.secret_ciphertext, endpoint.secret_hint = seal(secret), secret[:SECRET_HINT_LENGTH]
    endpoint.secret_rotated_at = utcnow()
    return secret


def update_endpoint(endpoint: WebhookEndpoint, actor: User, *, url: str, description: str, events: list[str],
                    is_active: bool) -> None:
    require_webhook_admin(actor)
    description = (description or "").strip()
    if len(description) > 200:
        raise ServiceError("A description is at most 200 characters.", field="description")
    after = {"url": checked_url(url), "description": description, "events": checked_events(events),
             "is_active": bool(is_active)}
    changes = {key: [getattr(endpoint, key), value] for key, value in after.items() if getattr(endpoint, key) != value}
    for key, (_, value) in changes.items():
        setattr(endpoint, key, value)
    if changes:
        record("webhook.endpoint_changed", endpoint, actor, changes=changes)
    db.session.flush()


def disable_endpoint(endpoint: WebhookEndpoint, actor: User) -> None:
    """Stop sending to an endpoint; what waits for it is skipped when its turn comes."""
    require_webhook_admin(actor)
    if not endpoint.is_active:
        raise Conflict("This endpoint is already disabled.")
    endpoint.is_active = False
    record("webhook.endpoint_disabled", endpoint, actor, url=endpoint.url)
    db.session.flush()


def rotate_secret(endpoint: WebhookEndpoint, actor: User) -> str:
    """Give the endpoint a new signing secret (shown once); the old one stops signing at once."""
    require_webhook_admin(actor)
    secret = set_secret(endpoint)
    record("webhook.secret_rotated", endpoint, actor, url=endpoint.url)
    db.session.flush()
    return secret


def redeliver(delivery: WebhookDelivery, actor: User) -> None:
    """Send a delivered, failed or skipped message again, with the same webhook-id, and a fresh set of tries."""
    require_webhook_admin(actor)
    if delivery.status == DeliveryStatus.PENDING:
        raise Conflict("This message is already waiting to be sent.")
    if delivery.endpoint is not None and not delivery.endpoint.is_active:
        raise Conflict("Enable the endpoint before redelivering to it.")
    before = delivery.status
    delivery.status, delivery.attempts, delivery.delivered_at = DeliveryStatus.PENDING, 0, None
    delivery.next_attempt_at = utcnow()
    record("webhook.redelivered", delivery, actor, from_state=str(before), to_state=str(delivery.status),
           message_id=delivery.message_id, endpoint=delivery.endpoint_id)
    db.session.flush()
    from app.jobs.queue import enqueue_after_commit
    from app.jobs.tasks import deliver_webhooks

    enqueue_after_commit(deliver_webhooks)
