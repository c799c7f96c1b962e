"""Names for files the app sends: made from the app's own words, never from what an uploader called a file."""

import re
import unicodedata
from urllib.parse import quote


def slug(text: str, *, ascii_only: bool) -> str:
    """Return a file-name-safe slug: lowercase words joined by hyphens."""
    if ascii_only:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"\w+", text.lower())
    return "-".join(words)[:60].strip("-") or "candidate"


def file_name(*parts: str, extension: str, ascii_only: bool = False) -> str:
    """Join the slugs of `parts`: ("debrief", "Zoë Lee", "2026-11-30") -> debrief-zoë-lee-2026-11-30."""
    return "-".join(slug(part, ascii_only=ascii_only) for part in parts) + extension


def content_disposition(*parts: str, extension: str, inline: bool = False) -> str:
    """Return a Content-Disposition naming the file by `parts`, in ASCII and in UTF-8 for browsers that read it."""
    plain = file_name(*parts, extension=extension, ascii_only=True)
    full = file_name(*parts, extension=extension)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(full, safe='')}"
