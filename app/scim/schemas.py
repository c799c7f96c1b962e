"""The SCIM service this app is, described with scim2-models: its resource, its discovery documents, its errors.

Everything on the wire is read and written by the library's models; this
module only says which models the service serves and turns a person into a
SCIM User and back.
"""

import hashlib
import json
from dataclasses import dataclass

import email_validator
from flask import current_app
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    Email,
    EnterpriseUser,
    Error,
    ETag,
    Filter,
    Meta,
    Name,
    Patch,
    ResourceType,
    Role,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)

from app.people.models import User as Person

# scim2-models checks `emails[].value` with pydantic's EmailStr, which calls email-validator with its module
# defaults. The app takes addresses under the reserved .test domain (app/validators.py passes
# test_environment=True; the demo company is @demo.test), so the default says the same; no DNS is ever asked.
email_validator.TEST_ENVIRONMENT = True

MEDIA_TYPE = "application/scim+json"
MAX_RESULTS = 200  # the most people one page of a list answers


def service_provider_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken, name="Bearer token", primary=True,
            description="A provisioning token an admin makes under Admin → SCIM, sent as "
                        "'Authorization: Bearer <token>'.")],
    )


# Entra ID sends the enterprise extension (department, employeeNumber, manager) by default; it is accepted so
# such a payload is not refused, and nothing of it is kept.
# The policy is the strict reading of the RFCs but for two things Entra ID sends: a `remove` naming in its
# value what to remove, and an `add` or `replace` at `emails[type eq "work"].value` when there is no such entry.
PROVIDER = ScimProvider(
    models=[User, EnterpriseUser],
    resource_types=[ResourceType.from_resource(User[EnterpriseUser])],
    config=service_provider_config(),
    policy=ScimPolicy(remove_value_as_filter=ScimPolicy.RemoveValue.apply,
                      unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create),
)
ScimUser = PROVIDER.model_for("User")


@dataclass(frozen=True)
class Wanted:
    """What a SCIM User payload asks of a person, in the app's terms."""

    email: str
    name: str
    active: bool
    external_id: str | None
    roles: frozenset[str] | None  # None: the payload says nothing about roles
    password: str | None


def role_values(resource) -> frozenset[str] | None:
    """The role names a payload carries (value or display, case folded), or None when it names no roles."""
    if "roles" not in resource.model_fields_set and resource.roles is None:
        return None
    names = set()
    for role in resource.roles or []:
        for text in (role.value, role.display):
            if isinstance(text, str) and text.strip():
                names.add(text.strip().casefold())
    return frozenset(names)


def display_name(resource) -> str:
    """The person's name: name.formatted, else given and family names, else displayName."""
    name = resource.name
    if name is not None and name.formatted and name.formatted.strip():
        return " ".join(name.formatted.split())
    if name is not None:
        parts = [part.strip() for part in (name.given_name, name.family_name) if part and part.strip()]
        if parts:
            return " ".join(" ".join(parts).split())
    return " ".join((resource.display_name or "").split())


def patched_name(before, after) -> str:
    """The name after a PATCH: the part of it the operations changed wins (Entra ID patches name.givenName)."""
    old, new = before.name or Name(), after.name or Name()
    if new.formatted != old.formatted and new.formatted and new.formatted.strip():
        return " ".join(new.formatted.split())
    if (new.given_name, new.family_name) != (old.given_name, old.family_name):
        parts = [part.strip() for part in (new.given_name, new.family_name) if part and part.strip()]
        return " ".join(" ".join(parts).split())
    if after.display_name != before.display_name:
        return " ".join((after.display_name or "").split())
    return display_name(after)


def wanted_of(resource) -> Wanted:
    return Wanted(
        email=resource.user_name or "",
        name=display_name(resource),
        active=True if resource.active is None else bool(resource.active),
        external_id=resource.external_id,
        roles=role_values(resource),
        password=resource.password,
    )


def roles_of(person: Person) -> list[Role]:
    """The roles a person holds, named as the identity provider names them (the first name configured)."""
    roles = []
    for has, setting in ((person.is_admin, "IDP_ADMIN_GROUPS"), (person.is_recruiter, "IDP_RECRUITER_GROUPS")):
        names = current_app.config[setting]
        if has and names:
            roles.append(Role(value=names[0]))
    return roles


def name_of(text: str) -> Name:
    """The app keeps one name; a provider reads it whole, and as a first word and the rest."""
    given, _, family = text.partition(" ")
    return Name(formatted=text, given_name=given or None, family_name=family.strip() or None)


def resource_of(person: Person, location: str):
    """The person as a SCIM User, with meta (its version is a digest of everything else)."""
    resource = ScimUser(
        id=str(person.id),
        external_id=person.external_id,
        user_name=person.email,
        name=name_of(person.name),
        display_name=person.name,
        active=person.active,
        emails=[Email(value=person.email, type=Email.Type.work, primary=True)],
        roles=roles_of(person) or None,
    )
    resource.meta = Meta(resource_type="User", created=person.created_at, location=location,
                         version=version_of(resource))
    return resource


def version_of(resource) -> str:
    """A weak ETag of a resource's content: it changes whenever anything the provider can read changes."""
    content = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, exclude={"meta"})
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
    return f'W/"{digest[:20]}"'


def error_body(status: int, detail: str, scim_type: str | None = None) -> dict:
    return Error(status=status, scim_type=scim_type, detail=detail).model_dump()
