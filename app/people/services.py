"""Accounts, people and org units: creating and changing them, each change audited."""

from zoneinfo import available_timezones

from flask import current_app
from sqlalchemy import func, select

from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.people.models import LEVEL_RANGE, Certification, OrgUnit, User, new_session_token


class AccountError(ServiceError):
    """A change to an account was refused."""


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
        raise AccountError("A user with this e-mail already exists.", field="email")
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
        raise AccountError("Another person already has this external id.", field="external_id")


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
        raise AccountError("A user with this e-mail already exists.", field="email")
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


def require_another_admin(user: User, field: str) -> None:
    """Refuse a change that would leave the company without an active admin."""
    others = db.session.scalar(
        select(func.count()).select_from(User).where(User.is_admin, User.active, User.id != user.id)
    )
    if not others:
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
