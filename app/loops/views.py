"""Loop pages: the list, a new loop, and a loop's page with its actions."""

from dataclasses import dataclass
from datetime import UTC

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from app import permissions
from app.candidates.models import Candidate
from app.db_types import utcnow
from app.errors import ServiceError, attach_to_form, attempt
from app.extensions import db
from app.feedback.policy import can_see_submissions, feedback_access
from app.formatting import viewer_zone
from app.forms_common import options, people_options, people_rows, principle_choices, to_utc
from app.interviews import services as interviews
from app.interviews.models import Interview, InterviewKind
from app.loops import services, workflow
from app.loops.forms import (
    ActionForm,
    CloseLoopForm,
    InterviewForm,
    LoopPeopleForm,
    NewLoopForm,
    ScreenDecisionForm,
)
from app.loops.history import loop_history
from app.loops.models import STEP_LABELS, Loop, LoopStatus, Step
from app.loops.queries import int_arg, loop_list_query
from app.offers.forms import ExtendOfferForm, ResolveOfferForm
from app.people.models import Certification, OrgUnit, User
from app.principles.models import Principle
from app.references.forms import ReferenceForm
from app.requisitions.models import Requisition, RequisitionStatus

bp = Blueprint("loops", __name__)
PAGE_SIZE = 25
HISTORY_ON_PAGE = 10  # the loop page shows the latest entries; the history page shows them all


@bp.before_request
@login_required
def signed_in():
    pass


@bp.route("/")
def index():
    """List the loops the user takes part in, longest-waiting first."""
    filters = {name: int_arg(request.args, name) for name in ("step", "requisition", "org_unit", "person")}
    status = request.args.get("status", "open")
    mine = (permissions.takes_part(current_user) if status == LoopStatus.OPEN
            else permissions.participant_filter(current_user))
    # The requisition choices are those of the loops in the status being listed (and the one chosen):
    # years of closed loops would otherwise make the default view's list grow without end.
    if status in {s.value for s in LoopStatus}:
        listed = or_(Loop.status == status, Loop.requisition_id == (filters["requisition"] or 0))
        mine = and_(mine, listed)
    query = loop_list_query(current_user, request.args)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(int_arg(request.args, "page") or 1, 1)
    loops = db.session.scalars(
        query.options(selectinload(Loop.candidate), selectinload(Loop.requisition),
                      selectinload(Loop.bar_raiser), selectinload(Loop.hiring_manager))
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return render_template(
        "loops/index.html", loops=loops, filters=filters, status=status, page=page, total=total,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), steps=STEP_LABELS, statuses=LoopStatus,
        # Filter choices come from the viewer's own loops: nobody learns of requisitions they are not part of.
        # Rows of the columns the filters show, not ORM objects: a recruiter's history has hundreds.
        requisitions=db.session.execute(select(Requisition.id, Requisition.title, Requisition.level).where(
            Requisition.id.in_(select(Loop.requisition_id).where(mine))).order_by(Requisition.title)).all(),
        org_units=db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(
            select(Requisition.org_unit_id).join(Loop, Loop.requisition_id == Requisition.id).where(mine)))
            .order_by(OrgUnit.name)).all(),
        people=db.session.execute(select(User.id, User.name).where(User.active).order_by(User.name)).all(),
        now=utcnow(),
    )


def fill_people_choices(form: LoopPeopleForm) -> None:
    """Offer the active people for each role, from one query."""
    people = people_rows()
    form.recruiter_id.choices = people_options([p for p in people if p.is_recruiter])
    form.hiring_manager_id.choices = people_options(people)
    form.bar_raiser_id.choices = people_options(
        [p for p in people if p.certification == Certification.CERTIFIED], blank="— not yet —")
    form.shadow_id.choices = people_options(
        [p for p in people if p.certification == Certification.IN_TRAINING], blank="— none —")


def person(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


@bp.route("/new", methods=["GET", "POST"])
def new():
    permissions.require_recruiter()
    form = NewLoopForm()
    approved = db.session.scalars(select(Requisition).where(Requisition.status == RequisitionStatus.APPROVED)
                                  .order_by(Requisition.title)).all()
    form.requisition_id.choices = options(
        [(0, "Choose a requisition…")] + [(r.id, f"{r.title} ({r.level})") for r in approved])
    form.candidate_id.choices = options([(0, "Choose a candidate…")] + [
        (c.id, f"{c.name} <{c.email}>" if c.email else c.name)
        for c in db.session.scalars(select(Candidate).order_by(Candidate.created_at.desc()))])
    fill_people_choices(form)
    form.hiring_manager_id.choices = options(
        [(0, "The requisition's hiring manager")] + [(c.value, c.label) for c in form.hiring_manager_id.choices])
    if not form.is_submitted():
        form.requisition_id.data = int_arg(request.args, "requisition_id")
        form.candidate_id.data = int_arg(request.args, "candidate_id")
        form.recruiter_id.data = current_user.id
    requisition = db.session.get(Requisition, form.requisition_id.data or 0)
    hiring_manager = person(form.hiring_manager_id.data) or (requisition and requisition.hiring_manager)
    recruiter = person(form.recruiter_id.data) or current_user
    suggestions = services.suggest_bar_raisers(hiring_manager, recruiter) if hiring_manager else []
    if form.validate_on_submit():
        ok, loop = attempt(form, lambda: services.create_loop(
                requisition, db.session.get(Candidate, form.candidate_id.data or 0), current_user,
                recruiter=recruiter, hiring_manager=hiring_manager,
                bar_raiser=person(form.bar_raiser_id.data), shadow=person(form.shadow_id.data),
            ))
        if ok:
            db.session.commit()
            flash(f"Loop created for {loop.candidate.name}. It starts at the résumé review.", "success")
            return redirect(url_for("loops.show", loop_id=loop.id))
    status = 422 if form.is_submitted() else 200
    return render_template("loops/new.html", form=form, suggestions=suggestions,
                           has_requisitions=bool(approved)), status


@dataclass
class StepView:
    number: int
    label: str
    state: str  # done, current, blocked, closed, upcoming


def stepper(loop: Loop, unmet: list[str]) -> list[StepView]:
    views = []
    for step in Step:
        if step < loop.step:
            state = "done"
        elif step == loop.step:
            state = "closed" if not loop.is_open else ("blocked" if unmet else "current")
        else:
            state = "upcoming"
        views.append(StepView(step.value, step.label, state))
    return views


def people_form(loop: Loop, formdata=None) -> LoopPeopleForm:
    form = LoopPeopleForm(formdata=formdata)
    fill_people_choices(form)
    if formdata is None:
        form.recruiter_id.data, form.hiring_manager_id.data = loop.recruiter_id, loop.hiring_manager_id
        form.bar_raiser_id.data, form.shadow_id.data = loop.bar_raiser_id or 0, loop.shadow_id or 0
    return form


def interview_form(loop: Loop, formdata=None) -> InterviewForm:
    form = InterviewForm(formdata=formdata)
    form.interviewer_id.choices = people_options(people_rows())
    form.principle_ids.choices = principle_choices(loop.requisition.principles)
    if formdata is None:
        form.kind.data = InterviewKind.PHONE_SCREEN if loop.step <= Step.PHONE_SCREEN else InterviewKind.IN_HOUSE
        form.duration_minutes.data = 60
        if loop.step <= Step.PHONE_SCREEN:
            form.interviewer_id.data = loop.hiring_manager_id
    return form


def loop_page(loop: Loop, status: int = 200, **forms):
    unmet = workflow.unmet_conditions_for(loop, current_user)
    roles = workflow.loop_roles(loop, current_user)
    sees_submissions = can_see_submissions(loop, current_user)
    history, history_total = loop_history(loop, current_user, sees_submissions, limit=HISTORY_ON_PAGE)
    next_step = workflow.TRANSITIONS.get(Step(loop.step))
    # The scheduling form lists every active person; build it only when the page shows it.
    can_schedule = permissions.can_manage_loop(loop) and loop.step <= Step.IN_HOUSE_INTERVIEWS
    context = {
        "loop": loop,
        "roles": roles,
        "steps": stepper(loop, unmet),
        "unmet": unmet,
        "next_step": next_step,
        "movers": workflow.MOVERS.get(Step(loop.step), ()),
        "coverage": interviews.coverage(loop),
        "history": history,
        "history_total": history_total,
        "sees_submissions": sees_submissions,
        # Each form only at the steps whose section shows it.
        "screen_form": ScreenDecisionForm(formdata=None) if loop.step in (Step.RESUME_REVIEW, Step.PHONE_SCREEN)
        else None,
        "interview_form": interview_form(loop) if can_schedule else None,
        "reference_form": ReferenceForm(formdata=None) if loop.step >= Step.REFERENCE_CHECK else None,
        "offer_form": ExtendOfferForm(formdata=None) if loop.step == Step.OFFER else None,
        "resolve_form": ResolveOfferForm(formdata=None) if loop.step == Step.OFFER else None,
        "can_open_debrief": loop.step >= Step.DEBRIEF and feedback_access(loop, current_user).can_read_others,
        "can_schedule": can_schedule,
        "now": utcnow(),
        "Step": Step,
        "InterviewKind": InterviewKind,
    }
    context.update(forms)
    return render_template("loops/show.html", **context), status


@bp.route("/<int:loop_id>")
def show(loop_id: int):
    return loop_page(permissions.get_loop_or_404(loop_id))


@bp.route("/<int:loop_id>/history")
def history(loop_id: int):
    """The loop's whole history, under the same rule as its page: feedback entries only for those who track it."""
    loop = permissions.get_loop_or_404(loop_id)
    entries, _ = loop_history(loop, current_user, can_see_submissions(loop, current_user))
    return render_template("loops/history.html", loop=loop, history=entries)


def refused(loop: Loop, error: ServiceError, form=None, form_name: str | None = None):
    """Show the loop page again with the service's reason, as 409 or 422."""
    db.session.rollback()
    loop = permissions.get_loop_or_404(loop.id)
    if form is not None:
        attach_to_form(form, error)
        return loop_page(loop, 422, **{form_name: form})
    flash(error.message, "error")
    for condition in getattr(error, "unmet", []):
        flash(condition, "error")
    return loop_page(loop, 409)


@bp.route("/<int:loop_id>/people", methods=["GET", "POST"])
def people(loop_id: int):
    """The loop's recruiter changes its recruiter, hiring manager, bar raiser and shadow."""
    loop = permissions.get_loop_or_404(loop_id)
    permissions.require(permissions.can_manage_loop(loop))
    form = people_form(loop, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        saved, _ = attempt(form, lambda: services.set_loop_people(
            loop, current_user, recruiter=person(form.recruiter_id.data),
            hiring_manager=person(form.hiring_manager_id.data), bar_raiser=person(form.bar_raiser_id.data),
            shadow=person(form.shadow_id.data),
        ))
        if saved:
            db.session.commit()
            flash("People saved.", "success")
            return redirect(url_for("loops.show", loop_id=loop.id, _anchor="people"))
        loop = permissions.get_loop_or_404(loop_id)
    suggestions = (services.suggest_bar_raisers(loop.hiring_manager, loop.recruiter)
                   if loop.step <= Step.IN_HOUSE_INTERVIEWS else [])
    return render_template("loops/people.html", loop=loop, form=form, suggestions=suggestions), (
        422 if form.is_submitted() else 200)


@bp.route("/<int:loop_id>/screen/<int:step>", methods=["POST"])
def screen(loop_id: int, step: int):
    loop = permissions.get_loop_or_404(loop_id)
    if step not in (Step.RESUME_REVIEW, Step.PHONE_SCREEN):
        abort(404)
    permissions.require(permissions.can_screen(loop, step))
    form = ScreenDecisionForm()
    if not form.validate_on_submit():
        return loop_page(loop, 422, screen_form=form)
    try:
        services.record_screen_decision(loop, current_user, step, form.outcome.data, form.reason.data or "")
    except ServiceError as error:
        return refused(loop, error, form if error.field else None, "screen_form")
    db.session.commit()
    flash("Decision recorded.", "success")
    return redirect(url_for("loops.show", loop_id=loop.id))


@bp.route("/<int:loop_id>/advance", methods=["POST"])
def advance(loop_id: int):
    loop = permissions.get_loop_or_404(loop_id)
    permissions.require(permissions.can_advance_loop(loop))
    if not ActionForm().validate_on_submit():
        abort(400)
    to_step = request.form.get("to_step", "")
    try:
        workflow.advance_loop(loop, current_user, int(to_step) if to_step.isdigit() else -1)
    except ServiceError as error:
        return refused(loop, error)
    db.session.commit()
    flash(f"Moved to {Step(loop.step).label}.", "success")
    return redirect(url_for("loops.show", loop_id=loop.id))


@bp.route("/<int:loop_id>/close", methods=["GET", "POST"])
def close(loop_id: int):
    """Close an open loop as rejected or withdrawn: its own page, because closing is final."""
    loop = permissions.get_loop_or_404(loop_id)
    permissions.require(permissions.can_close_loop(loop))
    form = CloseLoopForm(formdata=request.form if request.method == "POST" else None)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            workflow.close_loop(loop, current_user, form.status.data, form.reason.data or "")
        except ServiceError as error:
            db.session.rollback()
            attach_to_form(form, error)
            status = 422 if error.field else 409  # a bad field, or the loop's state refused it
            loop = permissions.get_loop_or_404(loop_id)
        else:
            db.session.commit()
            flash(f"Loop closed ({LoopStatus(loop.status).label.lower()}).", "success")
            return redirect(url_for("loops.show", loop_id=loop.id))
    return render_template("loops/close.html", loop=loop, form=form), status


@bp.route("/<int:loop_id>/interviews", methods=["POST"])
def schedule(loop_id: int):
    loop = permissions.get_loop_or_404(loop_id)
    permissions.require(permissions.can_manage_loop(loop))
    form = interview_form(loop, formdata=request.form)
    if not form.validate_on_submit():
        return loop_page(loop, 422, interview_form=form)
    chosen = db.session.scalars(select(Principle).where(Principle.id.in_(form.principle_ids.data or []))
                                .order_by(Principle.position)).all()
    try:
        interview = interviews.schedule_interview(
            loop, current_user, kind=form.kind.data, interviewer=person(form.interviewer_id.data),
            starts_at=to_utc(form.starts_at.data), duration_minutes=form.duration_minutes.data,
            location=form.location.data or "", principles=list(chosen), zone=viewer_zone(),
        )
    except ServiceError as error:
        return refused(loop, error, form, "interview_form")
    db.session.commit()
    flash(f"Scheduled {interview.interviewer.name}.", "success")
    return redirect(url_for("loops.show", loop_id=loop.id, _anchor="interviews"))


def get_interview_or_404(loop: Loop, interview_id: int) -> Interview:
    interview = next((i for i in loop.interviews if i.id == interview_id), None)
    if interview is None:
        abort(404)
    return interview


@bp.route("/<int:loop_id>/interviews/<int:interview_id>/cancel", methods=["POST"])
def cancel(loop_id: int, interview_id: int):
    loop = permissions.get_loop_or_404(loop_id)
    interview = get_interview_or_404(loop, interview_id)
    permissions.require(permissions.can_manage_loop(loop))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        interviews.cancel_interview(interview, current_user)
    except ServiceError as error:
        return refused(loop, error)
    db.session.commit()
    flash("Interview cancelled.", "success")
    return redirect(url_for("loops.show", loop_id=loop.id, _anchor="interviews"))


@bp.route("/<int:loop_id>/interviews/<int:interview_id>.ics")
def calendar(loop_id: int, interview_id: int):
    loop = permissions.get_loop_or_404(loop_id)
    interview = get_interview_or_404(loop, interview_id)
    body = interviews.calendar_file(interview, url_for("loops.show", loop_id=loop.id, _external=True))
    filename = f"interview-{interview.starts_at.astimezone(UTC):%Y%m%d-%H%M}.ics"
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
