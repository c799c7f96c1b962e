"""Feedback pages: write, submit, amend; and a loop's feedback under the blind rule."""

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app import permissions
from app.extensions import db
from app.feedback import services
from app.feedback.forms import AmendmentForm, FeedbackForm
from app.feedback.models import Feedback
from app.feedback.services import FeedbackConflict, FeedbackInput, RatingInput
from app.formatting import localtime
from app.forms_common import attempt, options
from app.integers import parse_int
from app.kits import services as kits

bp = Blueprint("feedback", __name__)


def form_for(feedback: Feedback, formdata=None, plans=None) -> FeedbackForm:
    """Build the form from the stored feedback, or from what the author just typed.

    Each principle offers its kit's questions to tick as asked (`plans`, the
    interview's planned questions, loaded when not given).
    """
    plans = kits.plans_of(feedback.interview_id) if plans is None else plans
    if formdata is not None:
        form = FeedbackForm(formdata=formdata)
    else:
        asked = kits.asked_of(feedback)
        asked_ids = {a.question_id for a in asked if a.question_id}
        own = {a.principle_id: a.own_text for a in asked if a.own_text}
        form = FeedbackForm(formdata=None, data={
            "ratings": [{"rating": r.rating and r.rating.value, "evidence": r.evidence,
                         "asked": [p.id for p in plans if p.principle_id == r.principle_id
                                   and p.question_id in asked_ids],
                         "own_question": own.get(r.principle_id, "")} for r in feedback.ratings],
            "vote": feedback.vote and feedback.vote.value,
            "raises_bar": None if feedback.raises_bar is None else ("yes" if feedback.raises_bar else "no"),
            "summary": feedback.summary,
            "version": feedback.version,
        })
    while len(form.ratings.entries) < len(feedback.ratings):
        form.ratings.append_entry()
    for rating, entry in zip(feedback.ratings, form.ratings, strict=False):
        entry.form.asked.choices = options((p.id, p.version.text) for p in plans
                                           if p.principle_id == rating.principle_id)
    return form


def input_from(form: FeedbackForm, feedback: Feedback) -> FeedbackInput:
    """Read the form; the n-th rating entry is the n-th assigned principle, never an id the client sends."""
    raises = form.raises_bar.data
    entries = list(zip(feedback.ratings, form.ratings, strict=False))
    return FeedbackInput(
        ratings=[RatingInput(rating.principle_id, entry.rating.data or None, entry.evidence.data or "")
                 for rating, entry in entries],
        vote=form.vote.data or None,
        raises_bar={"yes": True, "no": False}.get(raises),
        summary=form.summary.data or "",
        asked=[kits.AskedInput(rating.principle_id, list(entry.asked.data or []), entry.own_question.data or "")
               for rating, entry in entries],
    )


def page(loop, interview, feedback, form=None, status=200, conflict: str | None = None, amendment_form=None):
    form = form or form_for(feedback)
    # Coaching on what the form shows (the stored draft, or what was just typed): advice beside each field.
    flags = services.coaching_of(input_from(form, feedback)) if not feedback.is_submitted or conflict else []
    coaching: dict[str, list] = {}
    for flag in flags:
        coaching.setdefault(flag.field, []).append(flag)
    return render_template(
        "feedback/form.html", loop=loop, interview=interview, feedback=feedback, form=form,
        amendment_form=amendment_form or AmendmentForm(formdata=None), conflict=conflict,
        ratings=list(zip(feedback.ratings, form.ratings, strict=False)), coaching=coaching,
        asked=kits.asked_of(feedback) if feedback.is_submitted else [],
        idle_seconds=current_app.config["SESSION_IDLE_MINUTES"] * 60,
    ), status


RACE = "This feedback was saved elsewhere at the same moment; nothing you typed was saved over it."


def save(interview, existing: Feedback | None, form: FeedbackForm, *, submit: bool):
    """Start the author's feedback or check the version their page was built on, then save or submit it.

    The page and its autosave post the same form; return (the feedback, what was saved).
    """
    version = parse_int(form.version.data)
    if existing is None:
        feedback, stale_check = services.start_feedback(interview, current_user), None
    elif version == 0:
        raise FeedbackConflict("A draft of this feedback was started elsewhere (another tab or window) "
                               "after you opened this page; nothing you typed was saved over it.")
    else:
        feedback, stale_check = existing, version
    data = input_from(form, feedback)
    (services.submit_feedback if submit else services.save_draft)(feedback, current_user, data, stale_check)
    return feedback, data


@bp.route("/loops/<int:loop_id>/interviews/<int:interview_id>/feedback", methods=["GET", "POST"])
def write(loop_id: int, interview_id: int):
    loop = permissions.get_loop_or_404(loop_id)
    interview = permissions.get_interview_or_404(loop, interview_id)
    permissions.require(permissions.can_write_feedback(interview, current_user))
    existing = services.feedback_of(interview, current_user)
    if request.method == "GET":
        return page(loop, interview, existing or services.blank_feedback(interview, current_user))
    form = form_for(existing or services.blank_feedback(interview, current_user), formdata=request.form)
    if not form.validate_on_submit():
        return page(loop, interview, existing or services.blank_feedback(interview, current_user), form, 422)
    submitting = bool(form.submit.data)
    outcome = attempt(form, lambda: save(interview, existing, form, submit=submitting), race_message=RACE)
    if not outcome.ok:  # the page shows what is stored now, with what was typed and the refusal beside it
        stored = services.feedback_of(interview, current_user) or services.blank_feedback(interview, current_user)
        conflict = None
        if outcome.status == 409 and outcome.error.message in form.form_errors:
            conflict = outcome.error.message  # said once, in the alert that explains what to do
            form.form_errors.remove(conflict)
        return page(loop, interview, stored, form, outcome.status, conflict=conflict)
    db.session.commit()
    if submitting:
        flash("Feedback submitted and sealed. You can now read the others' submitted feedback on this loop.",
              "success")
        flags = services.coaching_of(outcome.value[1])
        if flags:  # coaching never blocks; the author still learns what it noticed
            flash(f"Coaching noticed {len(flags)} thing(s) in it: "
                  + "; ".join(sorted({flag.rule.title for flag in flags})) + ". They are counted for calibration.",
                  "warning")
        return redirect(url_for("feedback.loop_feedback", loop_id=loop.id))
    flash("Draft saved. Only you can see it.", "success")
    return redirect(url_for("feedback.write", loop_id=loop.id, interview_id=interview.id))


@bp.route("/loops/<int:loop_id>/interviews/<int:interview_id>/feedback/autosave", methods=["POST"])
def autosave(loop_id: int, interview_id: int):
    """Save the draft as the author types (the form's script posts here); answer in JSON, never a page."""
    loop = permissions.get_loop_or_404(loop_id)
    interview = permissions.get_interview_or_404(loop, interview_id)
    permissions.require(permissions.can_write_feedback(interview, current_user))
    existing = services.feedback_of(interview, current_user)
    form = form_for(existing or services.blank_feedback(interview, current_user), formdata=request.form)
    if not form.validate_on_submit():
        return jsonify(error="Not saved automatically: check the form and save it with the button."), 422
    outcome = attempt(form, lambda: save(interview, existing, form, submit=False), race_message=RACE)
    if not outcome.ok:
        return jsonify(error=f"Not saved automatically: {outcome.error.message}"), outcome.status
    db.session.commit()
    feedback, data = outcome.value
    flags: dict[str, list[str]] = {}
    for flag in services.coaching_of(data):
        flags.setdefault(flag.field, []).append(flag.message)
    return jsonify(version=feedback.version, saved_at=localtime(feedback.updated_at, "%H:%M"), flags=flags)


@bp.route("/loops/<int:loop_id>/interviews/<int:interview_id>/feedback/amend", methods=["POST"])
def amend(loop_id: int, interview_id: int):
    loop = permissions.get_loop_or_404(loop_id)
    interview = permissions.get_interview_or_404(loop, interview_id)
    feedback = services.feedback_of(interview, current_user)
    if feedback is None:
        abort(403)
    form = AmendmentForm()
    if form.validate_on_submit():
        outcome = attempt(form, lambda: services.add_amendment(feedback, current_user, form.body.data or ""))
        if outcome.ok:
            db.session.commit()
            flash("Amendment added.", "success")
            return redirect(url_for("feedback.write", loop_id=loop.id, interview_id=interview.id))
    return page(loop, interview, feedback, status=422, amendment_form=form)


@bp.route("/loops/<int:loop_id>/feedback")
def loop_feedback(loop_id: int):
    """Show a loop's feedback as far as the blind rule allows, and who has submitted."""
    loop = permissions.get_loop_or_404(loop_id)
    access = permissions.feedback_access(loop, current_user)
    readable = [f for i in loop.interviews for f in i.feedbacks if access.can_read(f)]
    board = None
    if permissions.can_see_submissions(loop, current_user):
        board = [(i, i.counted_feedback) for i in loop.interviews]
    return render_template(
        "feedback/loop.html", loop=loop, readable=readable, access=access, board=board,
        own_pending=[i for i in permissions.own_counted_interviews(loop, current_user)
                     if not ((f := services.feedback_of(i, current_user)) and f.is_submitted)],
    )
