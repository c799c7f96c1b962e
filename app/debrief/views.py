"""The debrief page: the agenda, the grid, every feedback, final votes, the decision and the verdict;
and the bar raiser's summary written before it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import permissions
from app.debrief import bar_raiser, services
from app.debrief.agenda import build_agenda, draft_outline
from app.debrief.forms import (
    AgendaNoteForm,
    BriefForm,
    DecisionForm,
    FinalVoteForm,
    PracticeVerdictForm,
    VerdictForm,
)
from app.debrief.summary import summarize
from app.extensions import db
from app.feedback.seal import sealed_fingerprint
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
    brief = loop.brief
    context = {
        "loop": loop, "summary": summary, "decision": loop.decision, "roles": loop.roles_of(current_user),
        "chart": vote_chart_svg(summary.tally),
        "agenda": build_agenda(summary, loop.agenda_notes),
        "fingerprints": {c.feedback.id: sealed_fingerprint(c.feedback) for c in summary.columns if c.feedback},
        # The summary is read once ready; before that only the bar raiser drafting it sees it.
        "brief": brief if brief is not None and (brief.is_ready or permissions.runs_debrief(loop)) else None,
        "practice_verdict": loop.practice_verdict,
        "my_column": mine,
        "final_vote_form": FinalVoteForm(formdata=None, vote=mine.final_vote or mine.first_vote) if mine else None,
        "decision_form": DecisionForm(formdata=None),
        "verdict_form": VerdictForm(formdata=None),
        "questions": kit_debrief.questions_asked(loop),
        "flags": kit_debrief.flag_table(loop),
        "note_form": AgendaNoteForm(formdata=None),
        "practice_form": PracticeVerdictForm(formdata=None),
    }
    context.update(forms)
    response = render_template("debrief/show.html", **context)
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/loops/<int:loop_id>/debrief")
def show(loop_id: int):
    return page(debrief_loop_or_error(loop_id))


def act(loop_id: int, form, form_name: str, allowed, action, success: str, anchor: str | None = None):
    """Check who acts, validate, call one service, commit once; refusals come back beside the form, races as 409.

    `allowed` is a loop role, or a predicate of the loop.
    """
    loop = debrief_loop_or_error(loop_id)
    permissions.require(allowed(loop) if callable(allowed) else permissions.holds(loop, (allowed,)))
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
    return redirect(url_for("debrief.show", loop_id=loop_id, _anchor=anchor))


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


@bp.route("/loops/<int:loop_id>/debrief/agenda-note", methods=["POST"])
def agenda_note(loop_id: int):
    form = AgendaNoteForm()
    principle_id = form.principle_id.data or 0
    return act(loop_id, form, "note_form", permissions.runs_debrief,
               lambda loop: bar_raiser.save_agenda_note(
                   loop, current_user, next((p for p in loop.requisition.principles if p.id == principle_id), None),
                   form.body.data or ""),
               "Note saved.", anchor=f"agenda-{principle_id}")


@bp.route("/loops/<int:loop_id>/debrief/practice-verdict", methods=["POST"])
def practice_verdict(loop_id: int):
    form = PracticeVerdictForm()
    return act(loop_id, form, "practice_form", "shadow",
               lambda loop: bar_raiser.record_practice_verdict(loop, current_user, form.verdict.data,
                                                               form.verdict_rationale.data or ""),
               "Practice verdict recorded. The supervising bar raiser's verdict is the one that counts.")


@bp.route("/loops/<int:loop_id>/debrief/summary", methods=["GET", "POST"])
def summary_page(loop_id: int):
    """The bar raiser writes the summary the loop's people read at the debrief, from a drafted outline."""
    loop = permissions.get_loop_or_404(loop_id)
    permissions.require(permissions.can_write_brief(loop))  # the blind rule: it is built from everyone's feedback
    brief = loop.brief
    summary = summarize(loop)
    form = BriefForm(formdata=None, body=(brief.body if brief and brief.body else draft_outline(summary, loop)))
    status = 200
    if request.method == "POST":
        form = BriefForm()
        if not form.validate_on_submit():
            status = 422
        else:
            ready = bool(form.ready.data)
            outcome = attempt(form, lambda: bar_raiser.save_brief(loop, current_user, form.body.data or "",
                                                                   ready=ready))
            if outcome.ok:
                db.session.commit()
                flash("Summary marked ready: the loop's people read it at the debrief." if ready
                      else "Draft saved.", "success")
                return redirect(url_for("debrief.summary_page", loop_id=loop_id))
            loop = permissions.get_loop_or_404(loop_id)
            brief, status = loop.brief, outcome.status
    return render_template("debrief/summary.html", loop=loop, brief=brief, form=form, summary=summary,
                           agenda=build_agenda(summary), unmet=bar_raiser.brief_unmet(loop)), status, {
        "Cache-Control": "no-store"}
