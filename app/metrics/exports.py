"""CSV downloads: the loop list with its filters, and the writer every CSV goes through.

A cell a spreadsheet would run as a formula (starting with = + - @, or a tab
or carriage return) is prefixed with an apostrophe, so a candidate named
"=HYPERLINK(...)" stays text. Numbers the app computes are written as numbers.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response, request, stream_with_context
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.db_types import utcnow
from app.formatting import viewer_zone
from app.loops.models import Loop, LoopStatus, Step
from app.loops.queries import loop_list_batches
from app.metrics import bp
from app.requisitions.models import Requisition

EXPORT_BATCH = 100
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


def csv_chunks(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text of one header row and the rows, every cell made safe, in pieces of about 64 KiB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _download(filename: str, body) -> Response:
    return Response(body, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
    })


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    """Write a CSV download: UTF-8, one header row, every cell made safe."""
    return _download(filename, "".join(csv_chunks(header, rows)))


def csv_stream(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    """Write a CSV download as `csv_response` does, sent as the rows come: for downloads of any length."""
    return _download(filename, stream_with_context(csv_chunks(header, rows)))


LOOP_COLUMNS = ["id", "candidate", "requisition", "level", "org unit", "step", "status", "step since",
                "days waiting", "recruiter", "hiring manager", "bar raiser"]


@bp.route("/loops/export.csv")
def export_loops():
    """Download the loop list (the viewer's loops, with the list's filters) as CSV; never feedback.

    Every loop listed, on purpose: read by the viewer's index of loops in the
    list's order, a batch at a time, and streamed as it is read.
    """
    batches = loop_list_batches(current_user, request.args, EXPORT_BATCH, options=(
        selectinload(Loop.candidate), joinedload(Loop.requisition, innerjoin=True).selectinload(Requisition.org_unit),
        selectinload(Loop.recruiter), selectinload(Loop.hiring_manager), selectinload(Loop.bar_raiser)))
    loops = (loop for batch in batches for loop in batch)
    zone, now = viewer_zone(), utcnow()
    rows = ([
        loop.id, loop.candidate.name, loop.requisition.title, loop.requisition.level,
        loop.requisition.org_unit.name, f"{loop.step}. {Step(loop.step).label}", LoopStatus(loop.status).label,
        loop.step_entered_at.astimezone(zone).isoformat(timespec="minutes"),
        (now - loop.step_entered_at).days if loop.is_open else None,
        loop.recruiter.name, loop.hiring_manager.name, loop.bar_raiser.name if loop.bar_raiser else None,
    ] for loop in loops)
    return csv_stream("loops.csv", LOOP_COLUMNS, rows)
