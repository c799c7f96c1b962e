"""The offer (step 8): extended, then accepted (hired), declined or rescinded."""

from app.audit.services import record
from app.db_types import utcnow
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.loops.models import Loop, LoopStatus, Step
from app.loops.workflow import Ending, WorkflowError, end_loop, require_open
from app.offers.models import Offer, OfferStatus
from app.people.models import User
from app.webhooks import events as webhooks

# How each answer to the offer ends the loop (see the workflow's ENDINGS).
LOOP_ENDINGS = {
    OfferStatus.ACCEPTED: LoopStatus.HIRED,
    OfferStatus.DECLINED: LoopStatus.WITHDRAWN,
    OfferStatus.RESCINDED: LoopStatus.REJECTED,
}


def _require_offer_step(loop: Loop, actor: User) -> None:
    require_open(loop)
    if loop.step != Step.OFFER:
        raise WorkflowError("Offers are made while the loop is at the offer step.")
    if actor.id != loop.recruiter_id:
        raise WorkflowError("Only the loop's recruiter records the offer.")


def extend_offer(loop: Loop, actor: User, terms: str) -> Offer:
    _require_offer_step(loop, actor)
    if loop.offer is not None:
        raise Conflict("An offer was already extended on this loop.")
    offer = Offer(loop=loop, terms=terms.strip(), extended_by=actor)
    db.session.add(offer)
    db.session.flush()
    record("offer.extended", offer, actor, loop=loop, to_state=OfferStatus.EXTENDED.label)
    return offer


def resolve_offer(loop: Loop, actor: User, status: str, reason: str = "") -> Offer:
    """Accept (the loop ends hired), decline or rescind (the loop closes) the extended offer."""
    _require_offer_step(loop, actor)
    offer = loop.offer
    if offer is None or offer.status != OfferStatus.EXTENDED:
        raise Conflict("There is no open offer on this loop.")
    status, reason = OfferStatus(status), reason.strip()
    if status not in LOOP_ENDINGS:
        raise ServiceError("An offer is accepted, declined or rescinded.", field="status")
    if status == OfferStatus.RESCINDED and not reason:
        raise ServiceError("Say why the offer is rescinded.", field="reason")
    offer.status, offer.resolved_at, offer.resolved_by = status, utcnow(), actor
    db.session.flush()
    record(f"offer.{status.value}", offer, actor, loop=loop, from_state=OfferStatus.EXTENDED.label,
           to_state=status.label, reason=reason)
    end_loop(loop, actor, LOOP_ENDINGS[status], reason or f"Offer {status.value}.", how=Ending.OFFER)
    webhooks.offer_resolved(loop, offer)
    return offer
