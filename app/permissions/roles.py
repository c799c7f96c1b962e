"""Who someone is in the company: admins, recruiters, bar raisers; and the enforcers views call."""

from flask import abort
from flask_login import current_user

from app.people.models import User


def _user(user):
    # The signed-in user itself, not the proxy: predicates read several of its attributes.
    return current_user._get_current_object() if user is None else user


def is_active_user(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user: User | None = None) -> bool:
    """Return whether the user (default: the signed-in one) is an active admin."""
    user = _user(user)
    return is_active_user(user) and user.is_admin


def is_recruiter(user: User | None = None) -> bool:
    """Return whether the user is an active recruiter."""
    user = _user(user)
    return is_active_user(user) and user.is_recruiter


def require(allowed: bool) -> None:
    """Abort with 403 when a participant lacks the right."""
    if not allowed:
        abort(403)


def require_admin() -> None:
    """Abort with 403 unless the signed-in user is an admin."""
    require(is_admin())


def require_recruiter() -> None:
    """Abort with 403 unless the signed-in user is a recruiter."""
    require(is_recruiter())


def can_read_audit_trail(user: User | None = None) -> bool:
    """Admins read the whole audit trail, personal data included, and export it."""
    return is_admin(user)


def can_manage_retention(user: User | None = None) -> bool:
    """Admins set retention policies and place legal holds."""
    return is_admin(user)


def can_view_metrics(user: User | None = None) -> bool:
    """Recruiters, admins and certified bar raisers see the metrics."""
    user = _user(user)
    return is_admin(user) or is_recruiter(user) or (is_active_user(user) and user.is_certified_bar_raiser)
