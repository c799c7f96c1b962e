"""Loop pages: the list, a new loop, and a loop's page with its actions."""


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import permissions
from app.candidates.models import Candidate
from app.candidates.queries import PICKER_SHOWN, picker_choices, search_term
from app.db_types import utcnow
from app.extensions import db
from app.forms_common import attempt, options, people_options, people_rows
from app.integers import parse_int
from app.loops import services, workflow
from app.loops.forms import (
    ActionForm,
    CloseLoopForm,
    LoopPeopleForm,
    NewLoopForm,
    ScreenDecisionForm,
)
from app.loops.history import loop_history
from app.loops.models import STEP_LABELS, Loop, LoopStatus, Step
from app.loops.page import loop_page, moved_on_page, refused_on_loop_page
from app.loops.queries import (
    CHOICES_FROM,
    bounded_count,
    counted_to,
    filter_choices,
    int_arg,
    loop_list_page,
)
from app.people.models import Certification, User
from app.requisitions.models import Requisition, RequisitionStatus

bp = Blueprint("loops", __name__)
PAGE_SIZE = 25


@bp.route("/")
def index():
    """List the loops the user takes part in, longest-waiting first, a page at a time."""
    filters = {name: int_arg(request.args, name) for name in ("step", "requisition", "org_unit", "person")}
    status = request.args.get("status", "open")
    page = int_arg(request.args, "page", minimum=1) or 1
    offset = (page - 1) * PAGE_SIZE
    # Counted to the next thousand past this page, no further: a long history is not counted whole on every page.
    limit = counted_to(offset, PAGE_SIZE)
    counted = bounded_count(current_user, request.args, limit)
    more = counted > limit
    total = limit if more else counted
    loops = db.session.scalars(
        loop_list_page(current_user, request.args, offset, PAGE_SIZE).options(
            selectinload(Loop.candidate), selectinload(Loop.requisition),
            selectinload(Loop.bar_raiser), selectinload(Loop.hiring_manager))
    ).all()
    choices = filter_choices(current_user, status, filters["requisition"], filters["org_unit"])
    return render_template(
        "loops/index.html", loops=loops, filters=filters, status=status, page=page, total=total, more=more,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), steps=STEP_LABELS, statuses=LoopStatus,
        requisitions=choices.requisitions, org_units=choices.org_units, people=choices.people, now=utcnow(),
        choices_from=CHOICES_FROM,
    )


def fill_people_choices(form: LoopPeopleForm) -> None:
    """Offer the active people for each role, from one query."""
    people = people_rows()
    form.recruiter_id.choices = people_options([p for p in people if p.is_recruiter])
    form.hiring_manager_id.choices = people_options(people)
    form.bar_raiser_id.choices = people_options(
        [p for p in people if p.certification == Certification.CERTIFIED], blank="— not yet —")
    form.shadow_id.choices = people_options(
        [p for p in people if Certification(p.certification).can_shadow
         or p.certification == Certification.REVERSE_SHADOW], blank="— none —")


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
    fill_people_choices(form)
    form.hiring_manager_id.choices = options(
        [(0, "The requisition's hiring manager")] + [(c.value, c.label) for c in form.hiring_manager_id.choices])
    if not form.is_submitted():
        form.requisition_id.data = int_arg(request.args, "requisition_id")
        form.candidate_id.data = int_arg(request.args, "candidate_id")
        form.recruiter_id.data = current_user.id
    # A bounded list: the candidate chosen on their page (or posted), then the newest or those the search finds.
    candidate_search = search_term(request.args.get("candidate_q"))
    chosen = form.candidate_id.data if isinstance(form.candidate_id.data, int) else None
    candidates, search_problem = picker_choices(chosen, candidate_search)
    form.candidate_id.choices = options([(0, "Choose a candidate…")] + candidates)
    requisition = db.session.get(Requisition, form.requisition_id.data or 0)
    hiring_manager = person(form.hiring_manager_id.data) or (requisition and requisition.hiring_manager)
    recruiter = person(form.recruiter_id.data) or current_user
    suggestions = (services.suggest_bar_raisers(hiring_manager, recruiter, requisition=requisition)
                   if hiring_manager else [])
    if form.validate_on_submit():
        outcome = attempt(form, lambda: services.create_loop(
                requisition, db.session.get(Candidate, form.candidate_id.data or 0), current_user,
                recruiter=recruiter, hiring_manager=hiring_manager,
                bar_raiser=person(form.bar_raiser_id.data), shadow=person(form.shadow_id.data),
                reverse_shadow=bool(form.reverse_shadow.data),
            ))
        if outcome.ok:
            db.session.commit()
            flash(f"Loop created for {outcome.value.candidate.name}. It starts at the résumé review.", "success")
            return redirect(url_for("loops.show", loop_id=outcome.value.id))
        status = outcome.status  # 409 when another tab opened the same loop first
    else:
        status = 422 if form.is_submitted() or search_problem else 200
    return render_template("loops/new.html", form=form, suggestions=suggestions, has_requisitions=bool(approved),
                           candidate_search=candidate_search, search_problem=search_problem,
                           listed=PICKER_SHOWN), status


def people_form(loop: Loop, formdata=None) -> LoopPeopleForm:
    form = LoopPeopleForm(formdata=formdata)
    fill_people_choices(form)
    if formdata is None:
        form.recruiter_id.data, form.hiring_manager_id.data = loop.recruiter_id, loop.hiring_manager_id
        form.bar_raiser_id.data, form.shadow_id.data = loop.bar_raiser_id or 0, loop.shadow_id or 0
        form.reverse_shadow.data = loop.is_reverse_shadow
    return form


@bp.route("/<int:loop_id>")
def show(loop_id: int):
    return loop_page(permissions.get_loop_or_404(loop_id))


@bp.route("/<int:loop_id>/history")
def history(loop_id: int):
    """The loop's whole history, under the same rule as its page: feedback entries only for those who track it."""
    loop = permissions.get_loop_or_404(loop_id)
    entries, _ = loop_history(loop, current_user, permissions.can_see_submissions(loop, current_user))
    return render_template("loops/history.html", loop=loop, history=entries)


@bp.route("/<int:loop_id>/people", methods=["GET", "POST"])
def people(loop_id: int):
    """The loop's recruiter changes its recruiter, hiring manager, bar raiser and shadow."""
    loop = permissions.get_loop_or_404(loop_id)
    permissions.require(permissions.can_manage_loop(loop))
    form = people_form(loop, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        outcome = attempt(form, lambda: services.set_loop_people(
            loop, current_user, recruiter=person(form.recruiter_id.data),
            hiring_manager=person(form.hiring_manager_id.data), bar_raiser=person(form.bar_raiser_id.data),
            shadow=person(form.shadow_id.data), reverse_shadow=bool(form.reverse_shadow.data),
        ))
        if outcome.ok:
            db.session.commit()
            flash("People saved.", "success")
            return redirect(url_for("loops.show", loop_id=loop.id, _anchor="people"))
        loop, status = permissions.get_loop_or_404(loop_id), outcome.status
    else:
        status = 422 if form.is_submitted() else 200
    suggestions = (services.suggest_bar_raisers(loop.hiring_manager, loop.recruiter, requisition=loop.requisition)
                   if loop.step <= Step.IN_HOUSE_INTERVIEWS else [])
    return render_template("loops/people.html", loop=loop, form=form, suggestions=suggestions), status


@bp.route("/<int:loop_id>/screen/<int:step>", methods=["POST"])
def screen(loop_id: int, step: int):
    loop = permissions.get_loop_or_404(loop_id)
    if step not in (Step.RESUME_REVIEW, Step.PHONE_SCREEN):
        abort(404)
    if (moved := moved_on_page(loop, step)) is not None:
        return moved
    permissions.require(permissions.can_screen(loop, step))
    form = ScreenDecisionForm()
    if not form.validate_on_submit():
        return loop_page(loop, 422, screen_form=form)
    outcome = attempt(form, lambda: services.record_screen_decision(
        loop, current_user, step, form.outcome.data, form.reason.data or ""))
    if not outcome.ok:
        return refused_on_loop_page(loop_id, outcome, screen_form=form)
    db.session.commit()
    flash("Decision recorded.", "success")
    return redirect(url_for("loops.show", loop_id=loop.id))


@bp.route("/<int:loop_id>/advance", methods=["POST"])
def advance(loop_id: int):
    loop = permissions.get_loop_or_404(loop_id)
    to_step = parse_int(request.form.get("to_step"), minimum=Step.RESUME_REVIEW + 1, maximum=max(Step))
    if (moved := moved_on_page(loop, None if to_step is None else to_step - 1)) is not None:
        return moved
    permissions.require(permissions.can_advance_loop(loop))
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = attempt(None, lambda: workflow.advance_loop(loop, current_user, -1 if to_step is None else to_step))
    if not outcome.ok:
        return refused_on_loop_page(loop_id, outcome)
    db.session.commit()
    flash(f"Moved to {Step(loop.step).label}.", "success")
    return redirect(url_for("loops.show", loop_id=loop.id))


@bp.route("/<int:loop_id>/close", methods=["GET", "POST"])
def close(loop_id: int):
    """Close an open loop as rejected or withdrawn: its own page, because closing is final."""
    loop = permissions.get_loop_or_404(loop_id)
    if request.method == "POST" and (moved := moved_on_page(loop)) is not None:
        return moved
    permissions.require(permissions.can_close_loop(loop))
    form = CloseLoopForm(formdata=request.form if request.method == "POST" else None)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        outcome = attempt(form, lambda: workflow.end_loop(loop, current_user, form.status.data,
                                                          form.reason.data or ""))
        if outcome.ok:
            db.session.commit()
            flash(f"Loop closed ({LoopStatus(loop.status).label.lower()}).", "success")
            return redirect(url_for("loops.show", loop_id=loop.id))
        status = outcome.status  # a bad field (422), or the loop's state refused it (409)
        loop = permissions.get_loop_or_404(loop_id)
    return render_template("loops/close.html", loop=loop, form=form), status
