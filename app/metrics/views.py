"""The metrics page, its CSV tables, and an interviewer's calibration drill-down."""

from datetime import date, datetime

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select, text

from app.db_types import among
from app.extensions import db
from app.feedback.models import Vote
from app.formatting import viewer_zone
from app.loops.models import Loop
from app.metrics import bp, calibration, report, timing
from app.metrics.exports import csv_response
from app.metrics.forms import FIELDS, MetricsFilterForm
from app.metrics.scope import Scope
from app.metrics.services import Metrics
from app.people.models import User
from app.permissions import can_view_metrics, require, takes_part

# A table shows its first rows on the page (each is sorted with what needs attention first); its CSV has them all.
PAGE_ROWS = timing.FIRST_ROWS


@bp.before_request
def plan_for_the_period():
    """Plan every statement for the period asked (PostgreSQL). psycopg prepares a statement from its sixth run, and
    PostgreSQL may then plan it once for any parameters: a plan that cannot tell a month from ten years, nor how
    many interviews have started by now (read by the wrong index, the late-feedback count took 20 ms instead of
    1). Planning each time costs a few tenths of a millisecond a statement. Until the request's transaction ends."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def filtered_scope() -> tuple[MetricsFilterForm, Scope | None]:
    """Check the viewer may see metrics, then read the filters; the scope is None when they are invalid."""
    require(can_view_metrics())
    form = MetricsFilterForm(formdata=request.args)
    form.fill_choices(Scope(current_user))
    if not form.validate():
        return form, None
    return form, Scope(current_user, form.filters())


def filter_args() -> dict[str, str]:
    """The filters of this request, to carry into links and downloads ("Any", sent as 0, is no filter)."""
    return {name: request.args[name] for name in FIELDS if request.args.get(name) not in (None, "", "0")}


def page_args() -> dict[str, str]:
    """The filters to carry to the other metrics pages: those of `filter_args`, and "Created from" even when
    empty (cleared, it means all time; absent, a page opens on the last twelve months)."""
    return {**filter_args(), "date_from": request.args.get("date_from", "")}


def links() -> report.Links:
    args = filter_args()
    # Admins and recruiters count every loop, but "non-participants get 404 for anything of a loop"
    # (PRODUCT.md, "Who may read what"): a row links a loop's page only for someone who takes part in it,
    # looked up for the rows a table shows. Anyone else's scope holds only their own loops.

    def openable(loop_ids: set[int]) -> set[int]:
        return set(db.session.scalars(select(Loop.id).where(among(Loop.id, loop_ids), takes_part(current_user))))

    return report.Links(
        loop=lambda loop_id: url_for("loops.show", loop_id=loop_id),
        interviewer=lambda user_id: url_for("metrics.interviewer", user_id=user_id, **args),
        openable=openable if Scope(current_user).sees_every_loop else None,
    )


def twelve_months_from(now: datetime) -> str:
    """The first day of the month eleven months before `now`'s, as the filter writes a date."""
    months = now.year * 12 + now.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1).isoformat()


def _page(endpoint: str):
    """One of the metrics pages (report.PAGES), filtered.

    A first visit opens on the last twelve months (this month and the eleven
    before it, from the first day: whole months are what the rollups hold, so
    no loop is read one by one); clearing "Created from" shows all of it.
    """
    require(can_view_metrics())
    if "date_from" not in request.args:
        return redirect(url_for(endpoint, **{**request.args.to_dict(),
                                             "date_from": twelve_months_from(datetime.now(viewer_zone()))}))
    form, scope = filtered_scope()
    sections = report.build_sections(Metrics(scope), links(), endpoint) if scope else []
    return render_template("metrics/index.html", form=form, sections=sections, args=filter_args(), pages=page_args(),
                           page_rows=PAGE_ROWS, filtered=bool(filter_args()),
                           sees_every_loop=Scope(current_user).sees_every_loop), \
        200 if scope else 400


@bp.route("/metrics")
def index():
    """Show the input metrics of the loops the viewer may count: their steps, feedback turnaround, coverage and
    the bar raisers' load and vetoes."""
    return _page("metrics.index")


@bp.route("/metrics/interviewers")
def interviewers():
    """Show each interviewer's calibration and evidence coaching, counted only where the viewer may read the votes."""
    return _page("metrics.interviewers")


@bp.route("/metrics/<name>.csv")
def table_csv(name: str):
    """Download one metrics table, with the page's filters, as CSV."""
    build = report.BUILDERS.get(name)
    if build is None:
        abort(404)
    form, scope = filtered_scope()
    if scope is None:
        abort(400)
    section = build(Metrics(scope), links())
    zone = viewer_zone()
    return csv_response(
        f"metrics-{name}.csv", [c.label for c in section.table.columns],
        ([report.cell_text(cell, zone) for cell in row] for row in section.table.rows),
    )


@bp.route("/metrics/interviewers/<int:user_id>")
def interviewer(user_id: int):
    """List the first votes behind one interviewer's calibration: only loops whose feedback the viewer may read."""
    form, scope = filtered_scope()
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    rows = calibration.calibration(scope, interviewer_id=user_id) if scope else []
    return render_template("metrics/interviewer.html", form=form, person=person,
                           calibration=rows[0] if rows else None, args=filter_args(), pages=page_args(),
                           Vote=Vote), 200 if scope else 400
