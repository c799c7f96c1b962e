"""The debrief PDF download."""

import re
import unicodedata
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash
from flask_login import current_user

from app import permissions
from app.audit.services import record
from app.db_types import utcnow
from app.extensions import db
from app.formatting import viewer_zone
from app.loops.models import Loop, Step
from app.reports import pdf

bp = Blueprint("reports", __name__)


def require_debrief_reader(loop: Loop) -> None:
    """Abort with 403, saying why, unless the signed-in user may download the debrief PDF."""
    if permissions.can_download_report(loop):
        return
    if not permissions.holds(loop, permissions.REPORT_READERS):
        flash("The debrief PDF is for the loop's hiring manager, bar raiser and recruiter.", "error")
    else:
        flash(f"The debrief PDF exists from the debrief (step 6) on; this loop stopped at "
              f"{Step(loop.step).label} (step {loop.step}).", "error")
    abort(403)


def slug(text: str, *, ascii_only: bool) -> str:
    """Return a file-name-safe slug: lowercase words joined by hyphens."""
    if ascii_only:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"\w+", text.lower())
    return "-".join(words)[:60].strip("-") or "candidate"


def attachment(candidate: str, day: str) -> str:
    """Return a Content-Disposition naming the file after the candidate and the date, ASCII and UTF-8."""
    plain = f"debrief-{slug(candidate, ascii_only=True)}-{day}.pdf"
    full = f"debrief-{slug(candidate, ascii_only=False)}-{day}.pdf"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(full, safe='')}"


@bp.route("/loops/<int:loop_id>/debrief.pdf")
def debrief_pdf(loop_id: int):
    """Send the loop's debrief PDF and audit the download."""
    loop = permissions.get_loop_or_404(loop_id)
    require_debrief_reader(loop)
    zone = viewer_zone()
    report = pdf.debrief_pdf(loop, zone)
    record("report.downloaded", loop, current_user, loop=loop, fingerprint=report.fingerprint,
           from_cache=report.from_cache)
    db.session.commit()
    day = utcnow().astimezone(zone).date().isoformat()
    response = Response(report.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = attachment(loop.candidate.name, day)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
