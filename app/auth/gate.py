"""Every page is for signed-in people, except the few its view marks `public`."""

from flask import current_app, request
from flask_login import current_user
from flask_login.config import EXEMPT_METHODS

from app.extensions import login_manager

# Blueprints whose views the session does not open: the JSON API, which its own bearer tokens guard.
PUBLIC_BLUEPRINTS: set[str] = set()


def public(view):
    """Mark a view as open to anyone, signed in or not."""
    view.is_public = True
    return view


def public_blueprint(blueprint):
    """Mark every view of a blueprint as outside the sign-in gate (it checks its callers itself)."""
    PUBLIC_BLUEPRINTS.add(blueprint.name)
    return blueprint


def require_sign_in():
    """Send anyone not signed in to the sign-in page, unless the page is public.

    Runs before every request, after the session checks of `auth` (registered
    with the blueprints, before this), so a session ended there is sent here to
    sign in; a URL that matches no page (404, 405) answers as it is. OPTIONS
    passes, as Flask-Login's `login_required` lets it.
    """
    if request.endpoint is None or request.endpoint == "static" or request.method in EXEMPT_METHODS:
        return None
    if current_app.config.get("LOGIN_DISABLED"):
        return None
    if PUBLIC_BLUEPRINTS.intersection(request.blueprints):
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False) or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()
