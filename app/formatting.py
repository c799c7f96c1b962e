"""Display helpers: times in the viewer's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import g, has_request_context
from flask_login import current_user


def _zone_of(user) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "timezone", None) or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def viewer_zone() -> ZoneInfo:
    """Return the signed-in user's time zone, UTC when unknown; worked out once per request."""
    if not has_request_context():
        return _zone_of(current_user)
    zone = g.get("viewer_zone")
    if zone is None:
        zone = g.viewer_zone = _zone_of(current_user)
    return zone


def localtime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """Format an aware UTC time in the viewer's zone, with the zone's abbreviation."""
    if value is None:
        return "—"
    local = value.astimezone(viewer_zone())
    return f"{local.strftime(fmt)} {local.tzname()}"
