"""Every page is for signed-in people, except the few its view marks `public`."""

from flask import current_app, request
from flask_login import current_user

from app.extensions import login_manager


def public(view):
    """Mark a view as open to anyone, signed in or not."""
    view.is_public = True
    return view


def require_sign_in():
    """Send anyone not signed in to the sign-in page, unless the page is public.

    Runs before every request, after the session checks of `auth`; a URL that
    matches no page (404, 405) answers as it is.
    """
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False) or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()
