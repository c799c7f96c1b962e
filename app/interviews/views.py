"""Interviews of a loop: schedule, reschedule, cancel, and the calendar file."""

from datetime import UTC

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import permissions
from app.downloads import content_disposition
from app.extensions import db
from app.formatting import viewer_zone
from app.forms_common import attempt, to_utc
from app.interviews import calendar as events
from app.interviews import services
from app.interviews.forms import interview_form, reschedule_form
from app.loops.forms import ActionForm
from app.loops.page import loop_page, refused_on_loop_page
from app.people.models import User
from app.principles.models import Principle

bp = Blueprint("interviews", __name__)


@bp.route("/loops/<int:loop_id>/interviews", methods=["POST"])
def schedule(loop_id: int):
    loop = permissions.get_loop_or_404(loop_id)
    permissions.require(permissions.can_manage_loop(loop))  # past its step, the service says why
    form = interview_form(loop, formdata=request.form)
    if not form.validate_on_submit():
        return loop_page(loop, 422, interview_form=form)
    chosen = db.session.scalars(select(Principle).where(Principle.id.in_(form.principle_ids.data or []))
                                .order_by(Principle.position)).all()
    interviewer = db.session.get(User, form.interviewer_id.data) if form.interviewer_id.data else None
    outcome = attempt(form, lambda: services.schedule_interview(
        loop, current_user, kind=form.kind.data, interviewer=interviewer,
        starts_at=to_utc(form.starts_at.data), duration_minutes=form.duration_minutes.data,
        location=form.location.data or "", principles=list(chosen), zone=viewer_zone(),
    ))
    if not outcome.ok:
        return refused_on_loop_page(loop_id, outcome, interview_form=form)
    db.session.commit()
    flash(f"Scheduled {outcome.value.interviewer.name}.", "success")
    return redirect(url_for("loops.show", loop_id=loop_id, _anchor="interviews"))


@bp.route("/loops/<int:loop_id>/interviews/<int:interview_id>/reschedule", methods=["GET", "POST"])
def reschedule(loop_id: int, interview_id: int):
    """Move an interview: its own page, because the interviewer is sent the update."""
    loop = permissions.get_loop_or_404(loop_id)
    interview = permissions.get_interview_or_404(loop, interview_id)
    permissions.require(permissions.can_manage_loop(loop))  # the same right as scheduling; the service says the rest
    zone = viewer_zone()
    form = reschedule_form(interview, zone, formdata=request.form if request.method == "POST" else None)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        outcome = attempt(form, lambda: services.reschedule_interview(
            interview, current_user, starts_at=to_utc(form.starts_at.data),
            duration_minutes=form.duration_minutes.data, location=form.location.data or "", zone=zone))
        if outcome.ok:
            db.session.commit()
            flash(f"Rescheduled; {interview.interviewer.name} is sent the updated invitation." if outcome.value
                  else "Nothing changed.", "success")
            return redirect(url_for("loops.show", loop_id=loop_id, _anchor="interviews"))
        status = outcome.status
        loop = permissions.get_loop_or_404(loop_id)
        interview = permissions.get_interview_or_404(loop, interview_id)
    return render_template("interviews/reschedule.html", loop=loop, interview=interview, form=form,
                           unmet=services.why_cannot_change(interview)), status


@bp.route("/loops/<int:loop_id>/interviews/<int:interview_id>/cancel", methods=["POST"])
def cancel(loop_id: int, interview_id: int):
    loop = permissions.get_loop_or_404(loop_id)
    interview = permissions.get_interview_or_404(loop, interview_id)
    permissions.require(permissions.can_manage_loop(loop))
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = attempt(None, lambda: services.cancel_interview(interview, current_user))
    if not outcome.ok:
        return refused_on_loop_page(loop_id, outcome)
    db.session.commit()
    flash("Interview cancelled.", "success")
    return redirect(url_for("loops.show", loop_id=loop_id, _anchor="interviews"))


@bp.route("/loops/<int:loop_id>/interviews/<int:interview_id>.ics")
def calendar(loop_id: int, interview_id: int):
    loop = permissions.get_loop_or_404(loop_id)
    interview = permissions.get_interview_or_404(loop, interview_id)
    body = events.download(interview, events.Links(
        url_for("loops.show", loop_id=loop.id, _external=True),
        url_for("kits.kit", loop_id=loop.id, interview_id=interview.id, _external=True)))
    when = f"{interview.starts_at.astimezone(UTC):%Y%m%d-%H%M}"
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": content_disposition("interview", when, extension=".ics")})
