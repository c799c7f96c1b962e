"""The debrief page: the grid, every feedback, final votes, the decision and the verdict."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app import permissions
from app.debrief import services
from app.debrief.forms import DecisionForm, FinalVoteForm, VerdictForm
from app.debrief.summary import summarize
from app.extensions import db
from app.forms_common import attempt
from app.kits import debrief as kit_debrief
from app.loops.models import Step

bp = Blueprint("debrief", __name__)


def debrief_loop_or_error(loop_id: int):
    """Load a loop that has reached the debrief, for a participant the blind rule lets in."""
    loop = permissions.get_loop_or_404(loop_id)
    if loop.step < Step.DEBRIEF:
        abort(404)
    permissions.require(permissions.can_open_debrief(loop))
    return loop


def page(loop, status: int = 200, **forms):
    from app.reports.charts import vote_chart_svg

    summary = summarize(loop)
    mine = next((c for c in summary.columns if c.interviewer.id == current_user.id), None)
    context = {
        "loop": loop, "summary": summary, "decision": loop.decision, "roles": loop.roles_of(current_user),
        "chart": vote_chart_svg(summary.tally),
        "my_column": mine,
        "final_vote_form": FinalVoteForm(formdata=None, vote=mine.final_vote or mine.first_vote) if mine else None,
        "decision_form": DecisionForm(formdata=None),
        "verdict_form": VerdictForm(formdata=None),
        "questions": kit_debrief.questions_asked(loop),
        "flags": kit_debrief.flag_table(loop),
    }
    context.update(forms)
    response = render_template("debrief/show.html", **context)
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/loops/<int:loop_id>/debrief")
def show(loop_id: int):
    return page(debrief_loop_or_error(loop_id))


def act(loop_id: int, form, form_name: str, role, action, success: str):
    """Check the role, validate, call one service, commit once; refusals come back beside the form, races as 409."""
    loop = debrief_loop_or_error(loop_id)
    permissions.require(permissions.holds(loop, (role,)))
    if not form.validate_on_submit():
        return page(loop, 422, **{form_name: form})
    outcome = attempt(form, lambda: action(loop),
                      race_message="Someone recorded a decision at the same moment; theirs stands.")
    if not outcome.ok:
        if outcome.status == 409 and outcome.error.message in form.form_errors:
            # The debrief moved on (a race, a closed loop): the form may be gone now, so say it above the page.
            form.form_errors.remove(outcome.error.message)
            flash(f"Not recorded: {outcome.error.message}", "error")
        return page(debrief_loop_or_error(loop_id), outcome.status, **{form_name: form})
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("debrief.show", loop_id=loop_id))


@bp.route("/loops/<int:loop_id>/debrief/final-vote", methods=["POST"])
def final_vote(loop_id: int):
    form = FinalVoteForm()
    return act(loop_id, form, "final_vote_form", "interviewer",
               lambda loop: services.record_final_vote(loop, current_user, form.vote.data, form.reason.data or ""),
               "Final vote recorded.")


@bp.route("/loops/<int:loop_id>/debrief/decision", methods=["POST"])
def decision(loop_id: int):
    form = DecisionForm()
    return act(loop_id, form, "decision_form", "hiring_manager",
               lambda loop: services.decide(loop, current_user, form.outcome.data, form.rationale.data or ""),
               "Decision recorded.")


@bp.route("/loops/<int:loop_id>/debrief/verdict", methods=["POST"])
def verdict(loop_id: int):
    form = VerdictForm()
    return act(loop_id, form, "verdict_form", "bar_raiser",
               lambda loop: services.record_verdict(loop, current_user, form.verdict.data,
                                                    form.verdict_rationale.data or ""),
               "Verdict recorded.")
