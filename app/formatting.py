"""Display helpers: times in the viewer's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_login import current_user


def viewer_zone() -> ZoneInfo:
    """Return the signed-in user's time zone, UTC when unknown."""
    name = getattr(current_user, "timezone", None) or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def localtime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """Format an aware UTC time in the viewer's zone, with the zone's abbreviation."""
    if value is None:
        return "—"
    local = value.astimezone(viewer_zone())
    return f"{local.strftime(fmt)} {local.tzname()}"
