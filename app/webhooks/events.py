"""Write webhook events in the caller's transaction; the services call the hooks below after they change state.

An event is written only when an active endpoint wants it, with one delivery
row per such endpoint, and the delivery job is asked for after the commit: a
change that rolls back leaves no event and sends nothing.

What an event may say: ids, steps, statuses, outcomes, dates, the loop's
requisition and candidate by reference. Never feedback, ratings, votes, notes,
rationales or reasons (`refuse_private` stops a payload that tries).
"""

import json
import secrets
from datetime import UTC, datetime

from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent

# Keys no payload carries, at any depth: what people wrote or voted about a candidate.
PRIVATE_KEYS = frozenset({
    "feedback", "feedbacks", "rating", "ratings", "vote", "votes", "final_vote", "final_votes", "first_vote",
    "evidence", "note", "notes", "summary", "rationale", "verdict_rationale", "reason", "close_reason",
    "amendment", "amendments", "raises_bar", "terms", "comment", "comments", "text", "body",
})


def refuse_private(value, where: str = "data") -> None:
    """Raise ValueError if a payload holds a key for feedback content, ratings, votes or notes."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if str(key).lower() in PRIVATE_KEYS:
                raise ValueError(f"A webhook payload never carries {where}.{key}.")
            refuse_private(inner, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            refuse_private(inner, f"{where}[{index}]")


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def body_of(event_type: EventType, data: dict, at: datetime) -> str:
    """The Standard Webhooks body: type, timestamp, data; compact, keys sorted, so it reads the same every time."""
    return json.dumps({"type": event_type.value, "timestamp": iso(at), "data": data},
                      separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def emit(event_type: str, data: dict) -> WebhookEvent | None:
    """Write an event and a delivery per active endpoint that wants it; return it, or None if nobody does."""
    event_type = EventType(event_type)
    refuse_private(data)
    endpoints = [e for e in db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.is_active.is_(True))
                                               .order_by(WebhookEndpoint.id)) if e.wants(event_type)]
    if not endpoints:
        return None
    now = utcnow()
    event = WebhookEvent(type=event_type, payload=body_of(event_type, data, now), created_at=now)
    db.session.add(event)
    for endpoint in endpoints:
        db.session.add(WebhookDelivery(event=event, endpoint=endpoint, message_id=new_message_id(),
                                       status=DeliveryStatus.PENDING, next_attempt_at=now))
    db.session.flush()
    from app.jobs.queue import enqueue_after_commit
    from app.jobs.tasks import deliver_webhooks

    enqueue_after_commit(deliver_webhooks)
    return event


def about_loop(loop) -> dict:
    """What every loop event says of its loop: ids, step, status, and where to read more (signed in)."""
    from app.loops.models import Step
    from app.notifications.messages import absolute_url

    return {
        "loop": {"id": loop.id, "step": int(loop.step), "step_name": Step(loop.step).label,
                 "status": str(loop.status), "created_at": iso(loop.created_at),
                 "url": absolute_url("loops.show", loop_id=loop.id)},
        "requisition": {"id": loop.requisition_id},
        "candidate": {"id": loop.candidate_id},
    }


def loop_created(loop) -> None:
    emit(EventType.LOOP_CREATED, about_loop(loop))


def loop_moved(loop, from_step: int) -> None:
    from app.loops.models import Step

    emit(EventType.LOOP_MOVED, {**about_loop(loop), "from_step": int(from_step),
                                "from_step_name": Step(from_step).label, "moved_at": iso(loop.step_entered_at)})


def loop_closed(loop, ending: str) -> None:
    """The loop ended: `outcome` is its final status (hired, not_hired, rejected, withdrawn)."""
    emit(EventType.LOOP_CLOSED, {**about_loop(loop), "outcome": str(loop.status), "ending": str(ending),
                                 "closed_at": iso(loop.closed_at)})


def debrief_decided(loop, decision) -> None:
    """The debrief's result is final: No hire, or Hire with the bar raiser's Concur or Veto."""
    hired = decision.outcome == "hire" and decision.verdict == "concur"
    emit(EventType.DEBRIEF_DECIDED, {
        **about_loop(loop), "decision": str(decision.outcome),
        "verdict": None if decision.verdict is None else str(decision.verdict),
        "outcome": "hire" if hired else "no_hire",
        "decided_at": iso(decision.verdict_at or decision.decided_at)})


def offer_resolved(loop, offer) -> None:
    emit(EventType.OFFER_RESOLVED, {**about_loop(loop), "offer": {
        "id": offer.id, "status": str(offer.status), "extended_at": iso(offer.extended_at),
        "resolved_at": iso(offer.resolved_at)}})


def about_interview(interview) -> dict:
    return {"id": interview.id, "kind": str(interview.kind), "interviewer_id": interview.interviewer_id,
            "starts_at": iso(interview.starts_at), "ends_at": iso(interview.ends_at)}


def interview_scheduled(interview) -> None:
    emit(EventType.INTERVIEW_SCHEDULED, {**about_loop(interview.loop), "interview": about_interview(interview)})


def interview_cancelled(interview) -> None:
    emit(EventType.INTERVIEW_CANCELLED, {**about_loop(interview.loop), "interview": about_interview(interview)})
