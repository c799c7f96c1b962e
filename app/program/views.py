"""The bar-raiser program: who is on the path and how far along, nominations, moves and sign-offs."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app import permissions
from app.audit.models import AuditEntry
from app.extensions import db
from app.forms_common import attempt, people_options, people_rows
from app.metrics.charts import bar_chart
from app.people.models import Certification, User
from app.program import certification as path
from app.program import stats
from app.program.forms import MoveForm, NominateForm, SignOffForm

bp = Blueprint("program", __name__)


def nominate_form(submitted: bool = False) -> NominateForm:
    form = NominateForm() if submitted else NominateForm(formdata=None)
    eligible = people_rows(select(User).where(User.active, User.certification.in_(
        [Certification.NONE, Certification.RETIRED])))
    form.person_id.choices = people_options(eligible, blank="Choose a person…")
    return form


def charts(members: list[stats.Member]):
    """Charts where they read better than the table: load and veto rate of the certified."""
    certified = [m for m in members if m.state == Certification.CERTIFIED]
    load = bar_chart("program-load", "Open loops per certified bar raiser",
                     [(m.user.name, m.active_loops, str(m.active_loops)) for m in certified])
    rated = [m for m in certified if m.veto_rate is not None]
    vetoes = bar_chart("program-vetoes", "Veto rate per certified bar raiser (of their verdicts)",
                       [(m.user.name, m.veto_rate, f"{m.veto_rate:.0f}% of {m.verdicts}") for m in rated],
                       largest=100) if rated else None
    return load, vetoes


@bp.route("/program")
def index():
    """The program for admins and certified bar raisers; a trainee is shown their own progress."""
    if not permissions.can_view_program():
        permissions.require(permissions.is_on_path())
        return redirect(url_for("program.person", user_id=current_user.id))
    return program_page(nominate_form())


def program_page(form: NominateForm, status: int = 200):
    members = stats.members()
    load, vetoes = charts(members)
    return render_template(
        "program/index.html", members=members, load_chart=load, veto_chart=vetoes, nominate_form=form,
        awaiting=[m for m in members if m.state == Certification.REVERSE_SHADOW],
        required_sign_offs=path.required("BAR_RAISER_SIGN_OFFS")), status


def person_or_404(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or not permissions.can_see_progress(person):
        abort(404)
    return person


def person_page(person: User, status: int = 200, **forms):
    history = db.session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == "User", AuditEntry.subject_id == person.id,
                                 AuditEntry.action.in_(["user.certification_changed", "user.signed_off"]))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(30)
    ).all()
    state = Certification(person.certification)
    moves = [(to, path.MOVES[(state, to)], path.unmet_requirements(person, to)) for to in path.next_states(state)]
    sign_offs = path.sign_offs(person)
    context = {
        "person": person, "state": state, "moves": moves, "history": history,
        "order": [Certification.NOMINATED, Certification.IN_TRAINING, Certification.SHADOWING,
                  Certification.REVERSE_SHADOW, Certification.CERTIFIED],
        "progress": stats.progress_text(person),
        "shadowed": path.shadowed_loops(person), "reverse": path.reverse_shadowed_loops(person),
        "sign_offs": sign_offs, "practice": stats.practice_record(person),
        "required": {key: path.required(key) for key in
                     ("BAR_RAISER_SHADOW_LOOPS", "BAR_RAISER_REVERSE_SHADOW_LOOPS", "BAR_RAISER_SIGN_OFFS")},
        "can_move": {to: path.can_make(move, current_user) and current_user.id != person.id
                     for to, move, _ in moves},
        "has_signed": any(s.signer_id == current_user.id for s in sign_offs),
        "move_form": MoveForm(formdata=None), "move_to": None,
        "sign_off_form": SignOffForm(formdata=None),
    }
    context.update(forms)
    return render_template("program/person.html", **context), status, {"Cache-Control": "no-store"}


@bp.route("/program/people/<int:user_id>")
def person(user_id: int):
    return person_page(person_or_404(user_id))


@bp.route("/program/people/<int:user_id>/move", methods=["POST"])
def move(user_id: int):
    """Move a person along the path: the path refuses anyone not allowed and any unmet requirement."""
    person = person_or_404(user_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return person_page(person, 422, move_form=form, move_to=form.to.data)
    if form.to.data not in {s.value for s in Certification}:
        abort(400)
    outcome = attempt(form, lambda: path.move(person, form.to.data, current_user, form.note.data or ""))
    if not outcome.ok:
        person = person_or_404(user_id)
        if form.to.data not in path.next_states(person.certification):
            for message in form.form_errors:  # no form on the page for a move the path does not offer
                flash(message, "error")
        return person_page(person, outcome.status, move_form=form, move_to=form.to.data)
    db.session.commit()
    flash(f"{person.name} is now {Certification(person.certification).label.lower()}.", "success")
    return redirect(url_for("program.person", user_id=person.id))


@bp.route("/program/people/<int:user_id>/sign-off", methods=["POST"])
def sign_off(user_id: int):
    person = person_or_404(user_id)
    permissions.require(permissions.can_sign_off(person))
    form = SignOffForm()
    if not form.validate_on_submit():
        return person_page(person, 422, sign_off_form=form)
    outcome = attempt(form, lambda: path.sign_off(person, current_user, form.note.data or ""))
    if not outcome.ok:  # a second sign-off from another tab loses the race as a conflict (409)
        return person_page(person_or_404(user_id), outcome.status, sign_off_form=form)
    db.session.commit()
    flash(f"You signed off {person.name}.", "success")
    return redirect(url_for("program.person", user_id=person.id))


@bp.route("/program/nominate", methods=["POST"])
def nominate():
    permissions.require(permissions.can_nominate())
    form = nominate_form(submitted=True)
    status = 422
    if form.validate_on_submit():
        nominee = db.session.get(User, form.person_id.data or 0)
        if nominee is None:
            form.person_id.errors = ["Choose the person to nominate."]
        else:
            outcome = attempt(form, lambda: path.move(nominee, Certification.NOMINATED, current_user,
                                                      form.note.data or ""))
            if outcome.ok:
                db.session.commit()
                flash(f"{nominee.name} is nominated. An admin accepts the nomination.", "success")
                return redirect(url_for("program.person", user_id=nominee.id)
                                if permissions.can_see_progress(nominee) else url_for("program.index"))
            status = outcome.status
    return program_page(form, status)
