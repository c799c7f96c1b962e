"""Accounts, people and org units: creating and changing them, each change audited."""

from zoneinfo import available_timezones

from flask import current_app
from sqlalchemy import func, select

from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.people.models import LEVEL_RANGE, UNUSABLE_HASH, Certification, OrgUnit, User, new_session_token


class AccountError(ServiceError):
    """A change to an account was refused."""


class AlreadyTaken(AccountError):
    """Another person already has the e-mail address or the identity provider's id asked for."""


class ProviderSignInRefused(ServiceError):
    """The sign-in provider vouched for someone this company does not let in; `cause` is for the audit trail."""

    status = 403

    def __init__(self, cause: str, message: str, user: User | None = None):
        super().__init__(message)
        self.cause, self.user = cause, user


def normalize_email(email: str) -> str:
    """Return the e-mail as stored: trimmed and lower-case."""
    return email.strip().lower()


def check_password_strength(password: str) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise AccountError(f"Use at least {minimum} characters.", field="password")


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    actor: User | None = None,
    org_unit: OrgUnit | None = None,
    is_admin: bool = False,
    is_recruiter: bool = False,
    certification: str = Certification.NONE,
    timezone: str = "UTC",
    external_id: str | None = None,
    via: dict | None = None,
) -> User:
    """Create an account, refusing a taken e-mail or a short password.

    `via` names what acted when no person did (a provisioning token), for the audit entry.
    """
    email = normalize_email(email)
    if not email or "@" not in email:
        raise AccountError("Enter a valid e-mail address.", field="email")
    if not name.strip():
        raise AccountError("Enter the person's name.", field="name")
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AlreadyTaken("A user with this e-mail already exists.", field="email")
    require_external_id_free(external_id)
    check_password_strength(password)
    user = User(
        email=email,
        name=name.strip(),
        org_unit=org_unit,
        is_admin=is_admin,
        is_recruiter=is_recruiter,
        certification=Certification(certification),
        timezone=timezone,
        external_id=external_id,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(
        "user.created", user, actor,
        roles=role_names(user), certification=user.certification, org_unit=org_unit and org_unit.name,
        **(via or {}),
    )
    return user


def require_external_id_free(external_id: str | None, user: User | None = None) -> None:
    """Refuse an identity provider's id that another person already carries."""
    if external_id is None:
        return
    query = select(func.count()).select_from(User).where(User.external_id == external_id)
    if user is not None:
        query = query.where(User.id != user.id)
    if db.session.scalar(query):
        raise AlreadyTaken("Another person already has this external id.", field="external_id")


def change_password(user: User, password: str, actor: User | None, via: dict | None = None) -> None:
    """Set a new password; every existing session of the user ends."""
    check_password_strength(password)
    user.set_password(password)
    record("user.password_changed", user, actor, **(via or {}))


def role_names(user: User) -> list[str]:
    return [name for name, has in (("admin", user.is_admin), ("recruiter", user.is_recruiter)) if has]

def update_user(
    user: User,
    actor: User | None,
    *,
    name: str,
    email: str,
    org_unit: OrgUnit | None,
    is_admin: bool,
    is_recruiter: bool,
    timezone: str,
    job_level: int | None = None,
    manager: User | None = None,
    external_id: str | None = ...,  # left as it is unless given
    via: dict | None = None,
) -> None:
    """Change a user's details, roles, level and manager; refuse a taken e-mail or removing the last admin."""
    email = normalize_email(email)
    taken = db.session.scalar(
        select(func.count()).select_from(User).where(User.email == email, User.id != user.id)
    )
    if taken:
        raise AlreadyTaken("A user with this e-mail already exists.", field="email")
    if timezone not in available_timezones():
        raise AccountError("Choose a time zone from the list.", field="timezone")
    if user.is_admin and not is_admin:
        require_another_admin(user, field="is_admin")
    if job_level is not None and not LEVEL_RANGE[0] <= job_level <= LEVEL_RANGE[1]:
        raise AccountError(f"Choose a level from L{LEVEL_RANGE[0]} to L{LEVEL_RANGE[1]}.", field="job_level")
    require_no_management_loop(user, manager)
    if external_id is ...:
        external_id = user.external_id
    require_external_id_free(external_id, user)
    before = {"name": user.name, "email": user.email, "org_unit": _unit_name(user.org_unit),
              "external_id": user.external_id, "roles": role_names(user), "timezone": user.timezone,
              "job_level": user.job_level, "manager": user.manager.name if user.manager else None}
    user.name, user.email, user.org_unit = name.strip(), email, org_unit
    user.is_admin, user.is_recruiter, user.timezone = is_admin, is_recruiter, timezone
    user.job_level, user.manager, user.external_id = job_level, manager, external_id
    after = {"name": user.name, "email": user.email, "org_unit": _unit_name(org_unit),
             "external_id": external_id, "roles": role_names(user), "timezone": timezone,
             "job_level": job_level, "manager": manager.name if manager else None}
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changed:
        record("user.updated", user, actor, changes=changed, **(via or {}))


def roles_from_groups(groups: list | None) -> dict[str, bool]:
    """Return the roles the provider's groups give, for each role whose groups are configured (any case).

    A role with no groups configured (IDP_ADMIN_GROUPS, IDP_RECRUITER_GROUPS) is
    kept in the app, and so is every role when the provider sent no groups claim.
    """
    if groups is None:
        return {}
    names = {str(group).casefold() for group in groups}
    config = current_app.config
    return {role: bool(names & {name.casefold() for name in config[setting]})
            for role, setting in (("is_admin", "IDP_ADMIN_GROUPS"), ("is_recruiter", "IDP_RECRUITER_GROUPS"))
            if config[setting]}


def sign_in_from_provider(
    *, issuer: str, subject: str, email: str, email_verified: bool, name: str, groups: list | None,
) -> User:
    """Return the account the provider's person signs in to: found by (issuer, subject), else linked by
    e-mail the first time, else created; name, e-mail and roles follow the provider's claims.

    Refuses an unverified e-mail, one outside OIDC_ALLOWED_DOMAINS, a deactivated
    account, and an e-mail that another account holds.
    """
    email = normalize_email(email or "")
    _require_acceptable_identity(subject, email, email_verified)
    name = " ".join((name or "").split())[:120] or email.partition("@")[0]
    roles = roles_from_groups(groups)
    user, linked = _account_of(issuer, subject, email)
    if user is None:
        return _create_from_provider(issuer, subject, email, name, roles)
    if not user.active:
        raise ProviderSignInRefused("deactivated", "This account is deactivated in Bar Raiser, so it cannot "
                                    "sign in, through the provider or otherwise. Ask an admin.", user)
    if email != user.email and db.session.scalar(
            select(func.count()).select_from(User).where(User.email == email, User.id != user.id)):
        raise ProviderSignInRefused("email_taken", f"Another account already uses {email}; ask an admin.", user)
    if roles.get("is_admin") is False and user.is_admin and not _has_another_admin(user):
        roles.pop("is_admin")  # the provider cannot leave the company without an admin
    before = {"name": user.name, "email": user.email, "roles": role_names(user)}
    user.oidc_issuer, user.oidc_subject = issuer, subject
    user.name, user.email = name, email
    for role, has in roles.items():
        setattr(user, role, has)
    after = {"name": user.name, "email": user.email, "roles": role_names(user)}
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if linked:
        record("user.linked_to_provider", user, user, issuer=issuer, provider_subject=subject)
    if changed:
        record("user.updated", user, user, changes=changed, source="sign-in provider")
    return user


def _require_acceptable_identity(subject: str, email: str, email_verified: bool) -> None:
    """Refuse a person without a usable subject or e-mail, an unverified e-mail, or one of another domain."""
    if not subject or len(subject) > 255:
        raise ProviderSignInRefused("subject", "The sign-in provider gave no usable identity for this person.")
    if not email or "@" not in email or len(email) > 254:
        raise ProviderSignInRefused("no_email", "The sign-in provider did not give an e-mail address.")
    if not email_verified:
        raise ProviderSignInRefused("unverified_email", f"The sign-in provider has not verified {email}; "
                                    "verify it there, then sign in again.")
    allowed = current_app.config["OIDC_ALLOWED_DOMAINS"]
    if allowed and email.rpartition("@")[2] not in allowed:
        raise ProviderSignInRefused("domain_not_allowed", f"{email} is not an address of this company "
                                    f"({', '.join(allowed)}), so it cannot sign in here.")


def _account_of(issuer: str, subject: str, email: str) -> tuple[User | None, bool]:
    """Return the account of the provider's identity, else the one with its e-mail to link (and True)."""
    user = db.session.scalar(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))
    if user is not None:
        return user, False
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.oidc_subject is not None:
        raise ProviderSignInRefused("identity_mismatch", f"The account of {email} is tied to another "
                                    "identity at the sign-in provider; ask an admin.", user)
    return user, user is not None


def _create_from_provider(issuer: str, subject: str, email: str, name: str, roles: dict) -> User:
    user = User(email=email, name=name, password_hash=UNUSABLE_HASH, oidc_issuer=issuer, oidc_subject=subject, **roles)
    db.session.add(user)
    db.session.flush()
    record("user.created", user, None, roles=role_names(user), source="sign-in provider", issuer=issuer)
    return user


def set_break_glass(user: User, is_break_glass: bool, actor: User) -> None:
    """Let an account sign in with its password while password sign-in is off, or stop it."""
    if is_break_glass == user.is_break_glass:
        return
    user.is_break_glass = is_break_glass
    record("user.break_glass_granted" if is_break_glass else "user.break_glass_revoked", user, actor)


def require_no_management_loop(user: User, manager: User | None) -> None:
    """Refuse a manager who is the person, or who reports (however indirectly) to them."""
    seen = set()
    while manager is not None and manager.id not in seen:
        if manager.id == user.id:
            raise AccountError("Someone cannot report to themselves, directly or through others.",
                               field="manager_id")
        seen.add(manager.id)
        manager = manager.manager


def set_active(user: User, active: bool, actor: User | None, via: dict | None = None) -> None:
    """Activate or deactivate an account; deactivation ends the user's sessions."""
    if active == user.active:
        return
    if not active:
        if actor is not None and user.id == actor.id:
            raise AccountError("You cannot deactivate your own account.", field="active")
        if user.is_admin:
            require_another_admin(user, field="active")
        user.session_token = new_session_token()
    user.active = active
    record("user.activated" if active else "user.deactivated", user, actor, **(via or {}))


def _has_another_admin(user: User) -> bool:
    return bool(db.session.scalar(
        select(func.count()).select_from(User).where(User.is_admin, User.active, User.id != user.id)))


def require_another_admin(user: User, field: str) -> None:
    """Refuse a change that would leave the company without an active admin."""
    if not _has_another_admin(user):
        raise AccountError("This is the last active admin; make someone else an admin first.", field=field)


def create_org_unit(name: str, actor: User) -> OrgUnit:
    name = _unit_name_or_error(name)
    unit = OrgUnit(name=name)
    db.session.add(unit)
    db.session.flush()
    record("org_unit.created", unit, actor, name=name)
    return unit


def rename_org_unit(unit: OrgUnit, name: str, actor: User) -> None:
    name = _unit_name_or_error(name, exclude=unit)
    if name != unit.name:
        record("org_unit.renamed", unit, actor, from_state=unit.name, to_state=name)
        unit.name = name


def _unit_name_or_error(name: str, exclude: OrgUnit | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise AccountError("Enter a name.", field="name")
    query = select(func.count()).select_from(OrgUnit).where(func.lower(OrgUnit.name) == name.lower())
    if exclude is not None:
        query = query.where(OrgUnit.id != exclude.id)
    if db.session.scalar(query):
        raise AccountError("An org unit with this name already exists.", field="name")
    return name


def _unit_name(unit: OrgUnit | None) -> str | None:
    return unit.name if unit else None
