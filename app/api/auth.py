"""Who is calling the API: a bearer personal access token, never the session cookie.

`authenticate` runs before every API view. It finds the token by the digest
of what was presented, refuses one that is unknown, expired, revoked or whose
person was deactivated (401), refuses writes with a read token (403), and
then makes the token's person the request's user, so every predicate and
service the pages use answers for them exactly as on the pages.
"""

from flask import abort, current_app, g, request
from flask_smorest import abort as abort_with
from werkzeug.exceptions import Unauthorized

from app import tokens
from app.api import services
from app.api.models import PersonalAccessToken
from app.db_types import utcnow
from app.extensions import db
from app.people.models import User

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def presented_secret() -> str | None:
    """The bearer secret of the Authorization header, or None."""
    scheme, _, secret = (request.headers.get("Authorization") or "").partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret else None


def rate_limit_key() -> str:
    """Count requests per presented token (by its digest: the secret never reaches the limiter's store)."""
    secret = presented_secret()
    return "api-token:" + tokens.digest_of(secret) if secret else "api-anonymous:" + (request.remote_addr or "")


def refuse_unauthenticated(detail: str):
    error = Unauthorized(detail)
    error.data = {"headers": {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}}
    raise error


def authenticate() -> None:
    """Run before each API view: resolve the token, check the body's shape, note a read."""
    secret = presented_secret()
    if secret is None:
        error = Unauthorized("Send a personal access token: Authorization: Bearer hrt_pat_…")
        error.data = {"headers": {"WWW-Authenticate": 'Bearer realm="api"'}}
        raise error
    token = services.token_by_secret(secret)
    now = utcnow()
    if token is None:
        refuse_unauthenticated("This token is not one we issued.")
    if token.revoked_at is not None:
        refuse_unauthenticated("This token was revoked.")
    if now >= token.expires_at:
        refuse_unauthenticated("This token has expired.")
    if not token.user.active:
        refuse_unauthenticated("This token's account is deactivated.")
    g._login_user = token.user  # the request's user for Flask-Login, the predicates and the templates
    g.api_token = token
    writes = request.method in WRITE_METHODS
    if writes and not token.can_write:
        abort(403, description="This token is read-only; make a write token to change anything.")
    if writes:
        request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]
        if request.content_length is not None and request.content_length > request.max_content_length:
            abort(413, description=f"A request body is at most {request.max_content_length} bytes.")
        if not request.is_json:
            abort(415, description="Send the body as JSON (Content-Type: application/json).")
        refuse_unstorable_text(request.get_json(silent=True))
    else:
        services.note_use(token, writes=False, method=request.method, path=request.path)
        if db.session.new or db.session.dirty:
            db.session.commit()


def unstorable_fields(value, name: str = "body") -> list[str]:
    """Name the strings of a JSON body that no text column stores: a NUL, or half of a surrogate pair."""
    if isinstance(value, dict):
        return [f for key, item in value.items() for f in unstorable_fields(item, str(key) if name == "body" else name)]
    if isinstance(value, list):
        return [f for item in value for f in unstorable_fields(item, name)]
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [name]
        return [name] if "\x00" in value else []
    return []


def refuse_unstorable_text(body) -> None:
    """Refuse such text with a 422 on its field, before anything reads it (PostgreSQL would refuse it with a 500)."""
    fields = unstorable_fields(body)
    if fields:
        abort_with(422, errors={field: ["This text holds a NUL or an unpaired surrogate, which no field accepts."]
                                for field in fields})


def current_token() -> PersonalAccessToken:
    return g.api_token


def acting_user() -> User:
    return g.api_token.user


def commit_write() -> None:
    """End a write request: one audit entry for the request, then the one commit of the view."""
    services.note_use(current_token(), writes=True, method=request.method, path=request.path)
    db.session.commit()
