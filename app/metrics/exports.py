"""CSV downloads: the loop list with its filters, and the writer every CSV goes through.

A cell a spreadsheet would run as a formula (starting with = + - @, or a tab
or carriage return) is prefixed with an apostrophe, so a candidate named
"=HYPERLINK(...)" stays text. Numbers the app computes are written as numbers.
"""

import csv
import io
from collections.abc import Iterable

from flask import Response, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.db_types import utcnow
from app.extensions import db
from app.formatting import viewer_zone
from app.loops.models import Loop, LoopStatus, Step
from app.loops.queries import loop_list_query
from app.metrics import bp
from app.requisitions.models import Requisition

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float:
    """Return the value as a CSV cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    """Write a CSV download: UTF-8, one header row, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return Response(buffer.getvalue(), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
    })


LOOP_COLUMNS = ["id", "candidate", "requisition", "level", "org unit", "step", "status", "step since",
                "days waiting", "recruiter", "hiring manager", "bar raiser"]


@bp.route("/loops/export.csv")
def export_loops():
    """Download the loop list (the viewer's loops, with the list's filters) as CSV; never feedback."""
    loops = db.session.scalars(loop_list_query(current_user, request.args).options(
        selectinload(Loop.candidate), selectinload(Loop.requisition).selectinload(Requisition.org_unit),
        selectinload(Loop.recruiter), selectinload(Loop.hiring_manager), selectinload(Loop.bar_raiser),
    )).all()
    zone, now = viewer_zone(), utcnow()
    rows = ([
        loop.id, loop.candidate.name, loop.requisition.title, loop.requisition.level,
        loop.requisition.org_unit.name, f"{loop.step}. {Step(loop.step).label}", LoopStatus(loop.status).label,
        loop.step_entered_at.astimezone(zone).isoformat(timespec="minutes"),
        (now - loop.step_entered_at).days if loop.is_open else None,
        loop.recruiter.name, loop.hiring_manager.name, loop.bar_raiser.name if loop.bar_raiser else None,
    ] for loop in loops)
    return csv_response("loops.csv", LOOP_COLUMNS, rows)
