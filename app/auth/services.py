"""Sign-in and accounts: the only code that sets passwords or checks them."""

from functools import cache

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit.services import record
from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.people.models import Certification, OrgUnit, User, new_session_token


class AccountError(ServiceError):
    """A change to an account was refused."""


@cache
def _dummy_hash() -> str:
    return generate_password_hash("no account has this password", method="scrypt")


def normalize_email(email: str) -> str:
    """Return the e-mail as stored: trimmed and lower-case."""
    return email.strip().lower()


def load_user(user_id: str) -> User | None:
    """Load the session's user; a stale session token or an inactive user signs them out."""
    user_pk, _, token = user_id.partition(":")
    if not user_pk.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_pk))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def find_user_by_email(email: str) -> User | None:
    """Return the user with this e-mail, whatever its case."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user these credentials belong to, or None.

    Wrong password, unknown e-mail and inactive account are indistinguishable.
    """
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)  # same cost as a real check
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def note_sign_in(user: User) -> None:
    user.last_login_at = utcnow()
    record("auth.sign_in", user, user)


def note_failed_sign_in(email: str, address: str | None) -> None:
    """Audit a failed sign-in, under the account it targeted when there is one."""
    user = find_user_by_email(email)
    record("auth.sign_in_failed", user, None, email=normalize_email(email)[:254], address=address)


def sign_out_everywhere(user: User) -> None:
    """End the user's sessions on the server: a copied cookie no longer signs anyone in.

    Sessions are signed cookies, so the server ends them by rotating the token
    they carry; this signs the user out on every device, which is the safe side.
    """
    user.session_token = new_session_token()
    record("auth.sign_out", user, user)


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
) -> User:
    """Create an account, refusing a taken e-mail or a short password."""
    email = normalize_email(email)
    if not email or "@" not in email:
        raise AccountError("Enter a valid e-mail address.", field="email")
    if not name.strip():
        raise AccountError("Enter the person's name.", field="name")
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError("A user with this e-mail already exists.", field="email")
    check_password_strength(password)
    user = User(
        email=email,
        name=name.strip(),
        org_unit=org_unit,
        is_admin=is_admin,
        is_recruiter=is_recruiter,
        certification=Certification(certification),
        timezone=timezone,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(
        "user.created", user, actor,
        roles=role_names(user), certification=user.certification, org_unit=org_unit and org_unit.name,
    )
    return user


def change_password(user: User, password: str, actor: User) -> None:
    """Set a new password; every existing session of the user ends."""
    check_password_strength(password)
    user.set_password(password)
    record("user.password_changed", user, actor)


def role_names(user: User) -> list[str]:
    return [name for name, has in (("admin", user.is_admin), ("recruiter", user.is_recruiter)) if has]
