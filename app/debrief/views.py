"""The debrief page: the grid, every feedback, final votes, the decision and the verdict."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import permissions
from app.debrief import services
from app.debrief.forms import DecisionForm, FinalVoteForm, VerdictForm
from app.debrief.summary import summarize
from app.errors import ServiceError, attach_to_form
from app.extensions import db
from app.feedback.policy import feedback_access
from app.loops.models import Step
from app.loops.workflow import loop_roles

bp = Blueprint("debrief", __name__)


@bp.before_request
@login_required
def signed_in():
    pass


def debrief_loop_or_error(loop_id: int):
    """Load a loop that has reached the debrief, for a participant the blind rule lets in."""
    loop = permissions.get_loop_or_404(loop_id)
    if loop.step < Step.DEBRIEF:
        abort(404)
    access = feedback_access(loop, current_user)
    if not access.can_read_others:
        abort(403)
    return loop, access


def page(loop, access, status: int = 200, **forms):
    from app.reports.charts import vote_chart_svg

    summary = summarize(loop)
    roles = loop_roles(loop, current_user)
    decision = loop.decision
    mine = next((c for c in summary.columns if c.interviewer.id == current_user.id), None)
    context = {
        "loop": loop, "summary": summary, "decision": decision, "roles": roles,
        "chart": vote_chart_svg(summary.tally),
        "can_vote": loop.is_open and decision is None and mine is not None and mine.feedback is not None,
        "my_column": mine,
        "can_decide": loop.is_open and decision is None and current_user.id == loop.hiring_manager_id,
        "can_verdict": (loop.is_open and decision is not None and decision.outcome == "hire"
                        and decision.verdict is None and current_user.id == loop.bar_raiser_id),
        "final_vote_form": FinalVoteForm(formdata=None, vote=mine.final_vote or mine.first_vote) if mine else None,
        "decision_form": DecisionForm(formdata=None),
        "verdict_form": VerdictForm(formdata=None),
        "can_download": bool(roles & {"recruiter", "hiring_manager", "bar_raiser"}),
    }
    context.update(forms)
    response = render_template("debrief/show.html", **context)
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/loops/<int:loop_id>/debrief")
def show(loop_id: int):
    loop, access = debrief_loop_or_error(loop_id)
    return page(loop, access)


def act(loop_id: int, form, form_name: str, role: str, action, success: str):
    """Check the role, validate, call one service, commit once; refusals come back beside the form, races as 409."""
    loop, access = debrief_loop_or_error(loop_id)
    permissions.require(role in loop_roles(loop, current_user))
    if not form.validate_on_submit():
        return page(loop, access, 422, **{form_name: form})
    try:
        action(loop)
        db.session.commit()
    except (services.DecisionConflict, StaleDataError, IntegrityError) as error:
        db.session.rollback()
        loop, access = debrief_loop_or_error(loop_id)
        message = getattr(error, "message", None) or "Someone recorded a decision at the same moment; theirs stands."
        flash(f"Not recorded: {message}", "error")  # the form may be gone from the page now, so say it above
        return page(loop, access, 409, **{form_name: form})
    except ServiceError as error:
        db.session.rollback()
        loop, access = debrief_loop_or_error(loop_id)
        attach_to_form(form, error)
        return page(loop, access, 422, **{form_name: form})
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
