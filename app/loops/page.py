"""The loop page: what it shows and the forms of the step it stands at; every area posting from it renders it."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app import permissions
from app.db_types import utcnow
from app.errors import Conflict
from app.extensions import db
from app.forms_common import Attempt, attach_to_form, attempt, say_above
from app.interviews import services as interviews
from app.interviews.forms import interview_form
from app.interviews.models import InterviewKind
from app.loops import composition, workflow
from app.loops.forms import ScreenDecisionForm
from app.loops.history import loop_history
from app.loops.models import Loop, Step

HISTORY_ON_PAGE = 10  # the loop page shows the latest entries; the history page shows them all

# Blank forms of the steps after the debrief (references, the offer), each registered by its own area with the
# condition under which the page shows it, so the loop area depends on none of them. Scheduling is different:
# its form needs the loop's people and principles, and the page is where interviews are planned.
SECTION_FORMS: dict[str, tuple[Callable[[Loop], bool], Callable[[], object]]] = {}


def shows_form(name: str, when: Callable[[Loop], bool], make: Callable[[], object]) -> None:
    """Have the loop page show the blank form `make()` as `name` when `when(loop)` holds."""
    SECTION_FORMS[name] = (when, make)


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


def loop_page(loop: Loop, status: int = 200, **forms):
    """Render the loop page; `forms` replace the blank forms of the step, with what the user typed."""
    user = current_user._get_current_object()
    unmet = permissions.unmet_conditions_for(loop, user)
    sees_submissions = permissions.can_see_submissions(loop, user)
    history, history_total = loop_history(loop, user, sees_submissions, limit=HISTORY_ON_PAGE)
    # The scheduling form lists every active person; build it only when the page shows it.
    can_schedule = permissions.can_schedule_interviews(loop, user)
    context = {
        "loop": loop,
        "roles": loop.roles_of(user),
        "steps": stepper(loop, unmet),
        "unmet": unmet,
        "next_step": workflow.TRANSITIONS.get(Step(loop.step)),
        "movers": workflow.MOVERS.get(Step(loop.step), ()),
        "coverage": interviews.coverage(loop),
        "history": history,
        "history_total": history_total,
        "sees_submissions": sees_submissions,
        # Each form only at the steps whose section shows it.
        "screen_form": ScreenDecisionForm(formdata=None) if loop.step in (Step.RESUME_REVIEW, Step.PHONE_SCREEN)
        else None,
        "interview_form": interview_form(loop) if can_schedule else None,
        **{name: make() if when(loop) else None for name, (when, make) in SECTION_FORMS.items()},
        # Who may take an in-house interview this week, least loaded first (the composition rules apply).
        "least_loaded": composition.suggest_interviewers(loop)
        if can_schedule and loop.step == Step.IN_HOUSE_INTERVIEWS else [],
        "can_schedule": can_schedule,
        "now": utcnow(),
        "Step": Step,
        "InterviewKind": InterviewKind,
    }
    context.update(forms)
    return render_template("loops/show.html", **context), status


def refused_on_loop_page(loop_id: int, outcome: Attempt, **forms):
    """Show the loop page again after a refusal, as 409 or 422.

    What was typed wrong stays beside its form; a refusal of the loop's state
    (409) is said above the page, since the form's section may be gone now.
    """
    if outcome.status == 409:
        say_above(outcome, *forms.values())
    return loop_page(permissions.get_loop_or_404(loop_id), outcome.status, **forms)


def moved_on_page(loop: Loop, step: int | None = None):
    """The loop page as 409 saying what happened, if the loop has moved on from `step` (see `workflow.moved_on`)."""
    news = workflow.moved_on(loop, step)
    if news is None:
        return None
    attach_to_form(None, Conflict(news))
    return loop_page(loop, 409)


def post_from_loop_page(loop_id: int, form, form_name: str, allowed, action, success: str, anchor: str,
                        step: Step | None = None):
    """Handle a form posted from the loop page at `step`: check `allowed`, validate, call one service, commit once.

    A refusal of what was typed shows the loop page again with the form as typed
    and the refusal beside it; a refusal by the loop's state or a race (409) is
    said above the page, since the form may be gone from it now.
    """
    loop = permissions.get_loop_or_404(loop_id)
    if (moved := moved_on_page(loop, step)) is not None:
        return moved
    permissions.require(allowed(loop))
    if not form.validate_on_submit():
        return loop_page(loop, 422, **{form_name: form})
    outcome = attempt(form, lambda: action(loop))
    if not outcome.ok:  # what was typed stays beside its form; a state refusal is said above the page
        return refused_on_loop_page(loop_id, outcome, **{form_name: form})
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("loops.show", loop_id=loop_id, _anchor=anchor))
