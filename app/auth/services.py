"""Sign-in and sign-out: the only code that checks passwords (people.services sets them)."""

from functools import cache

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit.services import record
from app.db_types import utcnow
from app.extensions import db
from app.integers import parse_int
from app.people.models import User, new_session_token
from app.people.services import normalize_email


@cache
def _dummy_hash() -> str:
    return generate_password_hash("no account has this password", method="scrypt")


def load_user(user_id: str) -> User | None:
    """Load the session's user; a stale session token or an inactive user signs them out."""
    user_pk, _, token = user_id.partition(":")
    user_pk = parse_int(user_pk)
    if user_pk is None or not token:
        return None
    user = db.session.get(User, user_pk)
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


def note_sign_in(user: User, method: str = "password") -> None:
    user.last_login_at = utcnow()
    record("auth.sign_in", user, user, method=method)


def may_use_password(user: User) -> bool:
    """Password sign-in is for everyone, or, turned off (PASSWORD_SIGN_IN=false), for break-glass accounts."""
    return current_app.config["PASSWORD_SIGN_IN"] or user.is_break_glass


def note_refused_sign_in(cause: str, user: User | None, address: str | None, **details) -> None:
    """Audit a sign-in refused for a reason other than wrong credentials (provider's answer, policy)."""
    record("auth.sign_in_refused", user, None, cause=cause, address=address, **details)


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
