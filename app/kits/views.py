"""The question bank's pages (admins and certified bar raisers) and each interview's kit."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from app import permissions
from app.errors import ServiceError
from app.extensions import db
from app.forms_common import attach_to_form, attempt, options
from app.integers import int_arg
from app.kits import csv_io, services
from app.kits.forms import ActionForm, ImportForm, QuestionForm, SwapForm
from app.kits.kit import RATING_MEANINGS, build_kit
from app.kits.models import PlannedQuestion, Question
from app.principles.models import Principle
from app.principles.services import ordered_principles

bp = Blueprint("kits", __name__)


def get_question_or_404(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        abort(404)
    return question


def question_input(form: QuestionForm) -> services.QuestionInput:
    return services.QuestionInput(form.text.data or "", form.probes.data or "", form.strong_evidence.data or "",
                                  form.weak_evidence.data or "", form.levels.data or "")


def principle_field(form: QuestionForm) -> None:
    form.principle_id.choices = options([(0, "Choose a principle…")] + [
        (p.id, p.name) for p in ordered_principles(active_only=True)])


@bp.route("/question-bank/")
def bank():
    """List the bank by principle, with how many times each question has been planned."""
    permissions.require_curator()
    principle_id = int_arg(request.args, "principle")
    show = request.args.get("show", "active")
    query = (select(Question).join(Principle).order_by(Principle.position, Question.id)
             .options(selectinload(Question.versions), contains_eager(Question.principle)))
    if principle_id:
        query = query.where(Question.principle_id == principle_id)
    if show != "all":
        query = query.where(Question.is_active == (show != "retired"))
    questions = db.session.scalars(query).all()
    uses = dict(db.session.execute(select(PlannedQuestion.question_id, func.count())
                                   .group_by(PlannedQuestion.question_id)).all())
    counts = dict(db.session.execute(select(Question.principle_id, func.count()).where(Question.is_active)
                                     .group_by(Question.principle_id)).all())
    return render_template("kits/bank.html", questions=questions, uses=uses, counts=counts,
                           principles=ordered_principles(), principle_id=principle_id, show=show,
                           total=csv_io.bank_size())


@bp.route("/question-bank/new", methods=["GET", "POST"])
def new_question():
    permissions.require_curator()
    form = QuestionForm()
    principle_field(form)
    if not form.is_submitted():
        form.principle_id.data = int_arg(request.args, "principle") or 0
    if form.validate_on_submit():
        principle = db.session.get(Principle, form.principle_id.data or 0)
        if principle is None:
            form.principle_id.errors.append("Choose the principle the question probes.")
        else:
            ok, question = attempt(form, lambda: services.add_question(principle, question_input(form),
                                                                       current_user))
            if ok:
                db.session.commit()
                flash("Question added to the bank.", "success")
                return redirect(url_for("kits.question", question_id=question.id))
    return render_template("kits/question_form.html", form=form, question=None), (
        422 if form.is_submitted() else 200)


@bp.route("/question-bank/<int:question_id>", methods=["GET", "POST"])
def question(question_id: int):
    """Show a question's versions; saving the form adds a version."""
    permissions.require_curator()
    question = get_question_or_404(question_id)
    form = QuestionForm(formdata=request.form if request.method == "POST" else None, obj=question.current)
    del form.principle_id
    if form.validate_on_submit():
        ok, version = attempt(form, lambda: services.edit_question(question, question_input(form), current_user))
        if ok:
            db.session.commit()
            flash(f"Saved as version {version.number}; feedback that cites earlier versions keeps their words."
                  if version else "Nothing changed.", "success")
            return redirect(url_for("kits.question", question_id=question.id))
        question = get_question_or_404(question_id)
    cited = db.session.scalar(select(func.count()).select_from(PlannedQuestion)
                              .where(PlannedQuestion.question_id == question.id))
    return render_template("kits/question_form.html", form=form, question=question, cited=cited), (
        422 if form.is_submitted() else 200)


def set_active(question_id: int, active: bool, message: str):
    permissions.require_curator()
    question = get_question_or_404(question_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.set_question_active(question, active, current_user)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("kits.question", question_id=question.id))


@bp.route("/question-bank/<int:question_id>/retire", methods=["POST"])
def retire(question_id: int):
    """Stop suggesting a question; kits and feedback that hold it keep it."""
    return set_active(question_id, False,
                      "Question retired: it is no longer suggested; kits and feedback that hold it keep it.")


@bp.route("/question-bank/<int:question_id>/restore", methods=["POST"])
def restore(question_id: int):
    return set_active(question_id, True, "Question restored: it can be suggested again.")


@bp.route("/question-bank/export.csv")
def export():
    permissions.require_curator()
    return Response(csv_io.export_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="question-bank.csv"'})


@bp.route("/question-bank/import", methods=["GET", "POST"])
def import_bank():
    """Import a CSV, or the starter bank the project ships; all rows or none."""
    permissions.require_curator()
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        starter = request.form.get("starter") == "1"
        upload = form.file.data
        if not starter and (upload is None or not getattr(upload, "filename", "")):
            form.file.errors = [*form.file.errors, "Choose a CSV file to import."]
        else:
            try:
                result = (csv_io.import_starter_bank(current_user) if starter
                          else csv_io.import_csv(upload.read(), current_user))
            except csv_io.ImportRefused as refusal:
                db.session.rollback()
                problems = refusal.line_problems
                attach_to_form(form, refusal)
            except ServiceError as error:
                db.session.rollback()
                attach_to_form(form, error)
            else:
                db.session.commit()
                flash(f"Imported {result.added} question(s)"
                      + (f"; {result.skipped} already in the bank were skipped." if result.skipped else "."),
                      "success")
                return redirect(url_for("kits.bank"))
    return render_template("kits/import.html", form=form, problems=problems), (422 if form.is_submitted() else 200)


# The kit -------------------------------------------------------------------------------------------


def kit_interview_or_404(loop_id: int, interview_id: int):
    loop = permissions.get_loop_or_404(loop_id)
    interview = permissions.get_interview_or_404(loop, interview_id)
    permissions.require(permissions.can_view_kit(interview))
    return loop, interview


@bp.route("/loops/<int:loop_id>/interviews/<int:interview_id>/kit")
def kit(loop_id: int, interview_id: int):
    loop, interview = kit_interview_or_404(loop_id, interview_id)
    return render_kit(loop, interview)


@bp.route("/loops/<int:loop_id>/interviews/<int:interview_id>/kit/plan", methods=["POST"])
def plan(loop_id: int, interview_id: int):
    """Fill a kit that holds fewer questions than it should (scheduled before the bank had them, say)."""
    loop, interview = kit_interview_or_404(loop_id, interview_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = attempt(None, lambda: services.plan_interview(interview))
    if not outcome.ok:  # another reader filled it at the same moment: theirs stands
        loop, interview = kit_interview_or_404(loop_id, interview_id)
        return render_kit(loop, interview, status=outcome.status)
    db.session.commit()
    flash(f"Added {outcome.value} question(s) to the kit." if outcome.value
          else "The bank has no more questions this kit may take.", "success" if outcome.value else "info")
    return redirect(url_for("kits.kit", loop_id=loop.id, interview_id=interview.id, _anchor="questions"))


def render_kit(loop, interview, status=200):
    kit = build_kit(loop, interview, current_user)
    return render_template("kits/kit.html", kit=kit, loop=loop, interview=interview,
                           meanings=RATING_MEANINGS), status


@bp.route("/loops/<int:loop_id>/interviews/<int:interview_id>/kit/swap", methods=["POST"])
def swap(loop_id: int, interview_id: int):
    """Swap one of the kit's questions for another from the bank."""
    loop, interview = kit_interview_or_404(loop_id, interview_id)
    permissions.require(permissions.can_swap_questions(loop))
    form = SwapForm()
    plans = {p.id: p for p in services.planned_for(interview)}
    form.plan_id.choices = options((p, p) for p in plans)
    status = 422
    if form.validate_on_submit():
        plan = plans[form.plan_id.data]
        question = db.session.get(Question, form.question_id.data)
        if question is None:  # the service refuses any question the rules do not offer; this one does not exist
            abort(404)
        outcome = attempt(form, lambda: services.swap_question(plan, question, current_user))
        if outcome.ok:
            db.session.commit()
            flash("Question swapped.", "success")
            return redirect(url_for("kits.kit", loop_id=loop.id, interview_id=interview.id, _anchor="questions"))
        status = outcome.status  # 422 for a question the rules refuse, 409 if another kit took it first
    loop, interview = kit_interview_or_404(loop_id, interview_id)
    for message in [*form.form_errors, *form.plan_id.errors, *form.question_id.errors]:
        flash(f"Not swapped: {message}", "error")
    return render_kit(loop, interview, status)
