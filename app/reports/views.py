"""The debrief PDF download."""

from flask import Blueprint, Response, abort, flash
from flask_login import current_user

from app import permissions
from app.audit.services import record
from app.db_types import utcnow
from app.downloads import content_disposition
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


@bp.route("/loops/<int:loop_id>/debrief.pdf")
def debrief_pdf(loop_id: int):
    """Send the loop's debrief PDF and audit the download."""
    loop = permissions.get_loop_or_404(loop_id)
    require_debrief_reader(loop)
    zone = viewer_zone()
    report = pdf.debrief_pdf(loop, zone)
    day = utcnow().astimezone(zone).date().isoformat()
    # Named before the commit, which expires the loop: reading it again would cost more than the cached PDF.
    disposition = content_disposition("debrief", loop.candidate.name, day, extension=".pdf")
    record("report.downloaded", loop, current_user, loop=loop, fingerprint=report.fingerprint,
           from_cache=report.from_cache)
    db.session.commit()
    response = Response(report.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
