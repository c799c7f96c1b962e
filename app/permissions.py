"""Who may do what: predicates (`can_...`, `is_...`) and enforcers (`require_...`).

Views call the enforcers; templates call the same predicates, so a button is
shown exactly when the view would accept it.
"""

from flask import abort
from flask_login import current_user

from app.people.models import User


def is_admin(user: User | None = None) -> bool:
    """Return whether the user (default: the signed-in one) is an active admin."""
    user = user or current_user
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_admin)


def is_recruiter(user: User | None = None) -> bool:
    """Return whether the user is an active recruiter."""
    user = user or current_user
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_recruiter)


def require_admin() -> None:
    """Abort with 403 unless the signed-in user is an admin."""
    if not is_admin():
        abort(403)


TEMPLATE_PREDICATES = ("is_admin", "is_recruiter")
