"""Provisioning tokens, and the changes an identity provider makes to people (through app/people/services).

Every change is audited with no person as its actor and the token that made
it named in the entry. A refusal is a scim2-models exception, which the views
answer with the SCIM error it stands for; the caller rolls back, so nothing of
a refused request is written.
"""

import secrets
from dataclasses import replace
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from scim2_models import (
    InvalidValueException,
    NotFoundException,
    PatchOp,
    PreconditionFailedException,
    UniquenessException,
)
from sqlalchemy import func, select

from app.audit.services import record
from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.integers import parse_int
from app.people import services as people
from app.people.models import User
from app.scim import schemas
from app.scim.filters import condition_of
from app.scim.models import ScimToken
from app.tokens import digest_of, issue

PREFIX = "hrt_scim_"  # the visible start of every provisioning token, so a leaked one is recognised
LAST_USED_PRECISION = timedelta(minutes=1)  # a busy token is not written on every request


class TokenError(ServiceError):
    """A change to a provisioning token was refused."""


# --- tokens ---------------------------------------------------------------------------------------------------

def create_token(actor: User) -> tuple[ScimToken, str]:
    """Make a token; return it and its plaintext, which is shown once and never stored."""
    issued = issue(PREFIX)
    token = ScimToken(digest=issued.digest, hint=issued.hint, created_by=actor)
    db.session.add(token)
    db.session.flush()
    record("scim_token.created", token, actor, hint=token.hint)
    return token, issued.plaintext


def revoke_token(token: ScimToken, actor: User) -> None:
    """Revoke a token: the identity provider holding it is refused from the next request on."""
    if token.is_revoked:
        raise TokenError("This token is already revoked.")
    token.revoked_at, token.revoked_by = utcnow(), actor
    record("scim_token.revoked", token, actor, hint=token.hint)


def tokens() -> list[ScimToken]:
    return list(db.session.scalars(select(ScimToken).order_by(ScimToken.revoked_at.is_not(None),
                                                              ScimToken.created_at.desc(), ScimToken.id.desc())))


def token_for(presented: str) -> ScimToken | None:
    """The live token a request presents, or None; notes when it was last used."""
    if not presented:
        return None
    token = db.session.scalar(select(ScimToken).where(ScimToken.digest == digest_of(presented)))
    if token is None or token.is_revoked:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
    return token


def via(token: ScimToken) -> dict:
    """What the audit entry of a provisioning change says acted."""
    return {"via": "scim", "scim_token_id": token.id, "scim_token": token.hint}


# --- people ---------------------------------------------------------------------------------------------------

def person_or_404(resource_id: str, *, for_update: bool = False) -> User:
    """The person a SCIM id names; an id that is not one of ours is 404, as RFC 7644 §3.12 says."""
    person_id = parse_int(resource_id, minimum=1)
    query = select(User).where(User.id == person_id)
    if for_update:
        query = query.with_for_update(of=User)
    person = db.session.scalar(query) if person_id is not None else None
    if person is None:
        raise NotFoundException(detail=f"No User has the id {resource_id!r}.")
    return person


def search(search_request) -> tuple[int, list[User]]:
    """The people a search request's filter matches (all without one): how many, and its page of them."""
    query = select(User)
    if search_request.filter is not None:
        query = query.where(condition_of(search_request.filter))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    count = schemas.MAX_RESULTS if search_request.count is None else min(search_request.count,
                                                                            schemas.MAX_RESULTS)
    start = (search_request.start_index or 1) - 1
    if not count or start >= total:  # past the end (however far: no offset the database cannot hold)
        return total, []
    page = db.session.scalars(query.order_by(User.id).offset(start).limit(count)).all()
    return total, list(page)


def require_version(person: User, location: str, if_match: str | None) -> None:
    """Refuse a write whose If-Match names a version the person no longer has (RFC 7644 §3.14)."""
    if not if_match or if_match.strip() == "*":
        return
    current = schemas.version_of(schemas.resource_of(person, location))
    presented = [tag.strip() for tag in if_match.split(",")]
    if current not in presented and current.removeprefix("W/") not in presented:
        raise PreconditionFailedException(detail="The User changed since that version; read it again.")


def create_person(token: ScimToken, resource) -> User:
    """Create a person from a SCIM User."""
    wanted = checked(schemas.wanted_of(resource))
    require_unique(wanted, None)
    is_admin, is_recruiter = mapped_roles(wanted.roles, False, False)
    person = translated(lambda: people.create_user(
        email=wanted.email, name=wanted.name, password=wanted.password or secrets.token_urlsafe(32),
        is_admin=is_admin, is_recruiter=is_recruiter, external_id=wanted.external_id, via=via(token)))
    if not wanted.active:
        translated(lambda: people.set_active(person, False, None, via=via(token)))
    return person


def replace_person(token: ScimToken, person: User, resource) -> None:
    """Make a person what a SCIM User says (PUT).

    RFC 7644 §3.5.1 lets a provider treat a readWrite attribute the request
    leaves out as "not asserted": externalId, active, roles and the password
    stay as they are when a replacement omits them.
    """
    wanted = checked(schemas.wanted_of(resource))
    if "external_id" not in resource.model_fields_set:
        wanted = replace(wanted, external_id=person.external_id)
    if resource.active is None:
        wanted = replace(wanted, active=person.active)
    apply(token, person, wanted)


def patch_person(token: ScimToken, person: User, patch: PatchOp, location: str) -> None:
    """Apply a SCIM PatchOp to a person (PATCH): to their User resource first, then the result to them."""
    before = schemas.resource_of(person, location)
    after = before.model_copy(deep=True)
    patch.patch(after)
    wanted = checked(replace(schemas.wanted_of(after), name=schemas.patched_name(before, after)))
    if schemas.role_values(after) == schemas.role_values(before):
        wanted = replace(wanted, roles=None)
    apply(token, person, wanted)


def deactivate_person(token: ScimToken, person: User) -> None:
    """DELETE: the person is deactivated, never removed; their feedback and votes stay."""
    translated(lambda: people.set_active(person, False, None, via=via(token)))


def apply(token: ScimToken, person: User, wanted: schemas.Wanted) -> None:
    require_unique(wanted, person)
    is_admin, is_recruiter = mapped_roles(wanted.roles, person.is_admin, person.is_recruiter)
    if wanted.active:  # one who comes back is active before their details change, one who leaves after
        translated(lambda: people.set_active(person, True, None, via=via(token)))
    translated(lambda: people.update_user(
        person, None, name=wanted.name, email=wanted.email, org_unit=person.org_unit, is_admin=is_admin,
        is_recruiter=is_recruiter, timezone=person.timezone, job_level=person.job_level, manager=person.manager,
        external_id=wanted.external_id, via=via(token)))
    if wanted.password is not None and not person.check_password(wanted.password):
        translated(lambda: people.change_password(person, wanted.password, None, via=via(token)))
    if not wanted.active:
        translated(lambda: people.set_active(person, False, None, via=via(token)))


def mapped_roles(names: frozenset[str] | None, is_admin: bool, is_recruiter: bool) -> tuple[bool, bool]:
    """Admin and recruiter from the role names a provider sent; a role whose setting is empty is left alone."""
    roles = people.roles_from_groups(None if names is None else sorted(names))
    return roles.get("is_admin", is_admin), roles.get("is_recruiter", is_recruiter)


def checked(wanted: schemas.Wanted) -> schemas.Wanted:
    """Refuse what the app cannot keep: an e-mail that is none, a missing or overlong name or externalId."""
    email = people.normalize_email(wanted.email)
    if len(email) > 254:
        raise InvalidValueException(detail="userName is longer than 254 characters.")
    try:
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        raise InvalidValueException(detail="userName must be the person's e-mail address.") from None
    if not wanted.name:
        raise InvalidValueException(detail="Give the person's name: name.formatted, name.givenName and "
                                           "name.familyName, or displayName.")
    if len(wanted.name) > 120:
        raise InvalidValueException(detail="The name is longer than 120 characters.")
    external_id = wanted.external_id
    if external_id is not None and (not external_id.strip() or len(external_id) > 255):
        raise InvalidValueException(detail="externalId must be 1 to 255 characters, not all spaces.")
    return replace(wanted, email=email)


def require_unique(wanted: schemas.Wanted, person: User | None) -> None:
    """Refuse an e-mail or an externalId another person has (409 uniqueness)."""
    others = select(func.count()).select_from(User)
    if person is not None:
        others = others.where(User.id != person.id)
    if db.session.scalar(others.where(User.email == wanted.email)):
        raise UniquenessException(detail="Another person already has this userName.")
    if wanted.external_id is not None and db.session.scalar(others.where(User.external_id == wanted.external_id)):
        raise UniquenessException(detail="Another person already has this externalId.")


def translated(change):
    """Run a people service; its refusal (a weak password, the last admin) is a SCIM invalidValue, and an e-mail or
    externalId taken since `require_unique` looked (another provider's request, committed in between) a 409."""
    try:
        return change()
    except people.AlreadyTaken as error:
        raise UniquenessException(detail=error.message) from None
    except people.AccountError as error:
        raise InvalidValueException(detail=error.message) from None
