"""ETags on reads, If-Match on updates: an update made on a stale copy is refused, not silently merged."""

import hashlib

from flask import abort, json, request


def etag_of(data: dict) -> str:
    """A strong ETag of a resource as the API shows it."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]
    return f'"{digest}"'


def require_match(current: str) -> None:
    """Refuse an update without If-Match (428) or sent for another version (412)."""
    header = request.headers.get("If-Match")
    if header is None:
        abort(428, description="Send If-Match with the ETag of the version you read (GET it first).")
    tags = [tag.strip() for tag in header.split(",")]
    if "*" not in tags and current not in tags:  # strong comparison: a weak tag never matches
        abort(412, description="It changed since you read it: read it again and send the new ETag in If-Match.")


def respond(data: dict, status: int = 200, *, etag: bool = True, location: str | None = None):
    """A JSON response for one resource, with its ETag."""
    from flask import current_app

    response = current_app.response_class(json.dumps(data), status=status, mimetype="application/json")
    if etag:
        response.headers["ETag"] = etag_of(data)
    if location:
        response.headers["Location"] = location
    return response


def respond_page(items: list, next_link: str | None):
    """A JSON response for one page of a list."""
    from flask import current_app

    body = {"items": items, "next": next_link}
    response = current_app.response_class(json.dumps(body), mimetype="application/json")
    response.headers["ETag"] = etag_of(body)
    if next_link:
        response.headers["Link"] = f'<{next_link}>; rel="next"'
    return response
