"""Setting retention policies and placing and releasing legal holds; each change is audited."""

from sqlalchemy import func, select

from app.audit.services import record
from app.candidates.models import Candidate
from app.db_types import utcnow
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.people.models import OrgUnit, User
from app.requisitions.models import Requisition
from app.retention import rules
from app.retention.models import KEEP_COLUMNS, MAX_DAYS, LegalHold, PolicyScope, RetentionPolicy


def _require_admin(actor: User) -> None:
    if not (actor.active and actor.is_admin):
        raise ServiceError("Only admins set retention policies and legal holds.")


def set_policy(actor: User, *, scope: str, org_unit: OrgUnit | None = None, location: str = "",
               days: dict[str, int]) -> RetentionPolicy:
    """Create or replace the policy for a scope: the default, an org unit, or a location."""
    _require_admin(actor)
    scope = PolicyScope(scope)
    location = " ".join((location or "").split())
    if scope == PolicyScope.ORG_UNIT and org_unit is None:
        raise ServiceError("Choose the org unit this policy covers.", field="org_unit_id")
    if scope == PolicyScope.LOCATION and not location:
        raise ServiceError("Enter the location this policy covers, such as Berlin.", field="location")
    for status, column in KEEP_COLUMNS.items():
        value = days.get(status)
        if value is None or not 0 <= value <= MAX_DAYS:
            raise ServiceError(f"Enter a number of days from 0 to {MAX_DAYS}.", field=column)
    query = select(RetentionPolicy).where(RetentionPolicy.scope == scope)
    if scope == PolicyScope.ORG_UNIT:
        query = query.where(RetentionPolicy.org_unit_id == org_unit.id)
    elif scope == PolicyScope.LOCATION:
        query = query.where(func.lower(RetentionPolicy.location) == location.lower())
    policy = db.session.scalar(query)
    before = None if policy is None else {s: policy.days_for(s) for s in KEEP_COLUMNS}
    if policy is None:
        policy = RetentionPolicy(scope=scope, org_unit=org_unit if scope == PolicyScope.ORG_UNIT else None,
                                 location=location if scope == PolicyScope.LOCATION else None)
        db.session.add(policy)
    for status, column in KEEP_COLUMNS.items():
        setattr(policy, column, days[status])
    policy.updated_by = actor
    db.session.flush()
    record("retention.policy_set", policy, actor, scope=str(scope), covers=policy.label,
           before=before, after={s: days[s] for s in KEEP_COLUMNS})
    rules.refresh_all_dates()
    return policy


def remove_policy(actor: User, policy: RetentionPolicy) -> None:
    _require_admin(actor)
    record("retention.policy_removed", policy, actor, covers=policy.label,
           days={s: policy.days_for(s) for s in KEEP_COLUMNS})
    db.session.delete(policy)
    db.session.flush()
    rules.refresh_all_dates()


def place_hold(actor: User, *, reason: str, candidate: Candidate | None = None,
               requisition: Requisition | None = None, org_unit: OrgUnit | None = None) -> LegalHold:
    """Stop erasure of a candidate, a requisition's candidates, or an org unit's, until released."""
    _require_admin(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError("Say why the records are held, such as the claim or request it answers.", field="reason")
    targets = [t for t in (candidate, requisition, org_unit) if t is not None]
    if len(targets) != 1:
        raise ServiceError("Choose one thing to hold: a candidate, a requisition or an org unit.", field="target")
    if candidate is not None and candidate.anonymized_at is not None:
        raise ServiceError(f"{candidate.name}'s data was already erased; there is nothing left to hold.",
                           field="target")
    hold = LegalHold(candidate=candidate, requisition=requisition, org_unit=org_unit, reason=reason,
                     placed_by=actor)
    db.session.add(hold)
    db.session.flush()
    record("retention.hold_placed", hold, actor, reason=reason, about_candidate=getattr(candidate, "id", None),
           covers=hold.target if candidate is None else f"candidate {candidate.id}",
           candidate_id=getattr(candidate, "id", None),
           requisition_id=getattr(requisition, "id", None), org_unit_id=getattr(org_unit, "id", None))
    return hold


def release_hold(actor: User, hold: LegalHold) -> None:
    _require_admin(actor)
    if not hold.is_active:
        raise Conflict(f"Hold {hold.id} was already released by {hold.released_by.name}.")
    hold.released_at, hold.released_by = utcnow(), actor
    db.session.flush()
    record("retention.hold_released", hold, actor, candidate_id=hold.candidate_id,
           requisition_id=hold.requisition_id, org_unit_id=hold.org_unit_id)
