"""Requisition pages: open, describe, approve, close."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from app import permissions
from app.extensions import db
from app.forms_common import attempt, options, people_choices, principle_choices
from app.integers import int_arg
from app.loops.models import Loop
from app.people.models import OrgUnit, User
from app.principles.models import Principle
from app.principles.services import ordered_principles
from app.requisitions import services
from app.requisitions.forms import CloseRequisitionForm, JobDescriptionForm, RequisitionForm
from app.requisitions.models import Requisition, RequisitionStatus

bp = Blueprint("requisitions", __name__)
CLOSED_PAGE = 50


@bp.route("/")
def index():
    """List the open requisitions, drafts first, then the most recently closed ones a page at a time."""
    query = select(Requisition).options(selectinload(Requisition.hiring_manager),
                                        selectinload(Requisition.org_unit))
    if not (permissions.is_recruiter() or permissions.is_admin()):
        query = query.where(Requisition.hiring_manager_id == current_user.id)
    drafts_first = case({"draft": 0, "approved": 1}, value=Requisition.status, else_=2)
    # Named, not "not closed": the open ones are read through the status index, the closed ones never touched.
    open_ones = db.session.scalars(query.where(Requisition.status.in_([RequisitionStatus.DRAFT,
                                                                        RequisitionStatus.APPROVED]))
                                   .order_by(drafts_first, Requisition.created_at.desc())).all()
    # Closed ones are the company's history: newest first, a page at a time, from the id the last page ended at.
    closed = query.where(Requisition.status == RequisitionStatus.CLOSED)
    if older_than := int_arg(request.args, "closed_before", minimum=1):
        closed = closed.where(Requisition.id < older_than)
    closed = db.session.scalars(closed.order_by(Requisition.id.desc()).limit(CLOSED_PAGE + 1)).all()
    more = closed[CLOSED_PAGE - 1].id if len(closed) > CLOSED_PAGE else None
    return render_template("requisitions/index.html", requisitions=list(open_ones) + list(closed[:CLOSED_PAGE]),
                           older_closed=more)


def requisition_form() -> RequisitionForm:
    form = RequisitionForm()
    form.org_unit_id.choices = options(
        (u.id, u.name) for u in db.session.scalars(select(OrgUnit).order_by(OrgUnit.name)))
    form.hiring_manager_id.choices = people_choices()
    form.recruiter_id.choices = people_choices(select(User).where(User.active, User.is_recruiter))
    if not form.is_submitted():
        form.recruiter_id.data = current_user.id
    return form


@bp.route("/new", methods=["GET", "POST"])
def new():
    permissions.require_recruiter()
    form = requisition_form()
    if form.validate_on_submit():
        ok, requisition = attempt(form, lambda: services.open_requisition(
                current_user, title=form.title.data, level=form.level.data,
                org_unit=db.session.get(OrgUnit, form.org_unit_id.data),
                hiring_manager=db.session.get(User, form.hiring_manager_id.data),
                recruiter=db.session.get(User, form.recruiter_id.data), location=form.location.data or "",
            ))
        if ok:
            db.session.commit()
            flash(f"Opened “{requisition.title}”. {requisition.hiring_manager.name} writes the job "
                  "description and approves it.", "success")
            return redirect(url_for("requisitions.show", requisition_id=requisition.id))
    status = 422 if form.is_submitted() else 200
    return render_template("requisitions/new.html", form=form), status


def description_form(requisition: Requisition, formdata=True) -> JobDescriptionForm:
    kwargs = {} if formdata else {"formdata": None}
    form = JobDescriptionForm(obj=requisition, **kwargs)
    form.principle_ids.choices = principle_choices(
        [p for p in ordered_principles() if p.is_active or p in requisition.principles])
    if not formdata or not form.is_submitted():
        form.principle_ids.data = [p.id for p in requisition.principles]
    return form


def show_page(requisition: Requisition, status: int = 200, **forms):
    loops = db.session.scalars(
        select(Loop).where(Loop.requisition_id == requisition.id)
        .options(selectinload(Loop.candidate)).order_by(Loop.created_at.desc())
    ).all()
    context = {
        "requisition": requisition,
        "loops": loops,
        "visible_loop_ids": {loop.id for loop in loops if permissions.is_loop_participant(loop)},
        "unmet": services.approval_gate(requisition),
        "description_form": description_form(requisition, formdata=False),
        "close_form": CloseRequisitionForm(formdata=None),
        "open_loop_count": sum(1 for loop in loops if loop.is_open),
        "principles": ordered_principles(),
    }
    context.update(forms)
    return render_template("requisitions/show.html", **context), status


@bp.route("/<int:requisition_id>")
def show(requisition_id: int):
    return show_page(permissions.get_requisition_or_404(requisition_id))


@bp.route("/<int:requisition_id>/description", methods=["POST"])
def describe(requisition_id: int):
    requisition = permissions.get_requisition_or_404(requisition_id)
    permissions.require(permissions.can_edit_requisition(requisition))
    form = description_form(requisition)
    if form.validate_on_submit():
        ok, _ = attempt(form, lambda: services.write_job_description(
                requisition, current_user, job_description=form.job_description.data or "",
                principles=list(db.session.scalars(
                    select(Principle).where(Principle.id.in_(form.principle_ids.data or []))
                    .order_by(Principle.position))),
            ))
        if ok:
            db.session.commit()
            flash("Draft saved.", "success")
            return redirect(url_for("requisitions.show", requisition_id=requisition.id))
    return show_page(requisition, 422, description_form=form)


@bp.route("/<int:requisition_id>/approve", methods=["POST"])
def approve(requisition_id: int):
    requisition = permissions.get_requisition_or_404(requisition_id)
    permissions.require(permissions.can_edit_requisition(requisition))
    outcome = attempt(None, lambda: services.approve_requisition(requisition, current_user))
    if not outcome.ok:
        return show_page(requisition, outcome.status)
    db.session.commit()
    flash("Approved. Recruiters can now start loops for this requisition.", "success")
    return redirect(url_for("requisitions.show", requisition_id=requisition.id))


@bp.route("/<int:requisition_id>/close", methods=["POST"])
def close(requisition_id: int):
    requisition = permissions.get_requisition_or_404(requisition_id)
    permissions.require(permissions.can_close_requisition(requisition))
    form = CloseRequisitionForm()
    if form.validate_on_submit():
        ok, rejected = attempt(form, lambda: services.close_requisition(
            requisition, current_user, open_loops=form.open_loops.data, reason=form.reason.data or ""))
        if ok:
            db.session.commit()
            flash(f"Closed. {rejected} open loop{'s' if rejected != 1 else ''} rejected." if rejected
                  else "Closed. Open loops carry on to their end.", "success")
            return redirect(url_for("requisitions.show", requisition_id=requisition.id))
    return show_page(requisition, 422, close_form=form)
