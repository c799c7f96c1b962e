"""Every error under /api/v1 as problem details (RFC 9457): `application/problem+json`, never an HTML page.

A body names the status, a title, what went wrong (`detail`) and, for input
at fault, `errors`: field name to the messages about it. Services raise the
app's own errors (`ServiceError`, `WorkflowError`, `Conflict`); they are
mapped here, so the API never restates a product rule.
"""

import math
import time

from flask import Response, json, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from app.errors import ServiceError
from app.extensions import limiter

API_PREFIX = "/api/v1"
PROBLEM_TYPE = "application/problem+json"


def is_api_request() -> bool:
    """Whether the request is for the JSON API (whether or not the path names a route)."""
    path = request.path
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def problem(status: int, detail: str | None = None, *, errors: dict | None = None, title: str | None = None,
            headers: dict | None = None, **extra) -> Response:
    """Build a problem response."""
    body = {"type": "about:blank", "title": title or HTTP_STATUS_CODES.get(status, "Error"), "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


DETAILS = {
    401: "Send a personal access token: Authorization: Bearer hrt_pat_…",
    403: "Your token's person may not do this.",
    404: "There is nothing here, or nothing you may see.",
    405: "This address does not answer that method.",
    413: "The request body is too large.",
    415: "Send the body as JSON (Content-Type: application/json).",
    428: "Send If-Match with the ETag of the version you read.",
    412: "It changed since you read it: read it again and send the new ETag in If-Match.",
    429: "Too many requests with this token; wait and try again.",
}


def webargs_errors(messages) -> dict:
    """Flatten webargs' {"json": {"field": [...]}} (or {"query": ...}) to {"field": [...]}."""
    errors = {}
    if not isinstance(messages, dict):
        return {"body": _as_list(messages)}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            for field, field_messages in fields.items():
                errors.setdefault(str(field), []).extend(_flatten(field_messages))
        else:
            errors.setdefault("body" if location == "json" else location, []).extend(_as_list(fields))
    return errors


def _as_list(messages) -> list[str]:
    return [str(m) for m in messages] if isinstance(messages, list | tuple) else [str(messages)]


def _flatten(messages) -> list[str]:
    """Nested messages ({0: ["Not a valid integer."]} for a list item) read as plain strings."""
    if isinstance(messages, dict):
        return [f"{key}: {message}" for key, value in messages.items() for message in _flatten(value)]
    return _as_list(messages)


def from_http_exception(error: HTTPException) -> Response:
    """Answer an HTTP error raised under /api/v1 (a webargs refusal, an abort, Werkzeug's own)."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = webargs_errors(data["messages"]) if "messages" in data else data.get("errors")
    headers = dict(data.get("headers") or {})
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if code == 429:
        headers["Retry-After"] = str(retry_after(error))
        data = {**data, "message": f"{DETAILS[429]} (at most {error.description})."}
    detail = data.get("message") or _own_description(error) or DETAILS.get(code)
    if code == 400 and errors and "body" in errors and not detail:
        detail = "The body is not valid JSON."
    return problem(code, detail, errors=errors, headers=headers)


def _own_description(error: HTTPException) -> str | None:
    description = error.description
    return description if description and description != type(error).description else None


def retry_after(error) -> int:
    """Seconds until the limit that refused the request lets one through again."""
    window = limiter.current_limit
    return max(1, math.ceil(window.reset_at - time.time())) if window is not None else 60


def from_service_error(error: ServiceError) -> Response:
    """Answer a service's refusal: 422 for what was sent, 409 for the thing's state or a race."""
    errors = {}
    for field, message in getattr(error, "problems", None) or [(error.field, error.message)]:
        if field:
            errors.setdefault(field, []).append(message)
    unmet = getattr(error, "unmet", None)
    extra = {"unmet": list(unmet)} if unmet else {}
    return problem(error.status, error.message, errors=errors or None, **extra)
