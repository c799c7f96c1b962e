"""The eight-step workflow: every (from, to) pair, each gate's words, closing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.interviews.models import Interview, InterviewKind
from app.loops import workflow
from app.loops.models import LoopStatus, ScreenOutcome, Step
from app.loops.services import record_screen_decision
from app.loops.workflow import WorkflowError, advance_loop, end_loop, unmet_conditions
from tests import factories


def ready_loop(step: int):
    """A loop at `step` whose gate is met (for the steps a move can leave)."""
    loop = factories.make_loop(step=step)
    if step == Step.RESUME_REVIEW:
        loop.candidate.resume_url = "https://example.com/cv.pdf"
        factories.screen(loop, Step.RESUME_REVIEW)
    elif step == Step.PHONE_SCREEN:
        phone = Interview(loop=loop, kind=InterviewKind.PHONE_SCREEN, interviewer=loop.hiring_manager,
                          starts_at=utcnow() - timedelta(days=1), principles=loop.requisition.principles[:1])
        db.session.add(phone)
        db.session.flush()
        factories.submit_feedback(phone, loop.hiring_manager, "inclined")
        factories.screen(loop, Step.PHONE_SCREEN)
    elif step == Step.IN_HOUSE_INTERVIEWS:
        for interview in loop.interviews:
            interview.starts_at = utcnow() - timedelta(days=1)
    elif step == Step.WRITTEN_FEEDBACK:
        for interview in loop.interviews:
            if interview.kind == InterviewKind.IN_HOUSE:
                factories.submit_feedback(interview, interview.interviewer, "inclined")
    elif step == Step.REFERENCE_CHECK:
        factories.add_references(loop, 2)
    db.session.flush()
    db.session.expire(loop)
    return loop


def mover(loop):
    role = workflow.MOVERS[Step(loop.step)][0]
    return getattr(loop, role)


MOVABLE = [Step.RESUME_REVIEW, Step.PHONE_SCREEN, Step.IN_HOUSE_INTERVIEWS, Step.WRITTEN_FEEDBACK,
           Step.REFERENCE_CHECK]
PAIRS = [(f, t) for f in range(2, 9) for t in range(1, 10)]


@pytest.mark.parametrize("from_step, to_step", PAIRS)
def test_only_the_next_step_is_ever_allowed(ctx, from_step, to_step):
    loop = ready_loop(from_step) if from_step in MOVABLE else factories.make_loop(step=from_step)
    actor = mover(loop) if workflow.MOVERS.get(Step(from_step)) else loop.recruiter
    allowed = from_step in MOVABLE and to_step == from_step + 1
    if allowed:
        advance_loop(loop, actor, to_step)
        assert loop.step == to_step
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.loop_id == loop.id,
                                                           AuditEntry.action == "loop.advanced"))
        assert (entry.from_state, entry.to_state, entry.actor_id) == (
            Step(from_step).label, Step(to_step).label, actor.id)
    else:
        with pytest.raises(WorkflowError) as refusal:
            advance_loop(loop, actor, to_step)
        assert loop.step == from_step
        message = str(refusal.value)
        if from_step == Step.OFFER:
            assert "ends at the offer" in message
        elif from_step == Step.DEBRIEF and to_step == 7:
            assert "debrief decision" in message
        else:
            assert "never skips or goes back" in message


def test_the_table_names_every_step_but_the_last():
    assert workflow.TRANSITIONS == {Step(s): Step(s + 1) for s in range(2, 8)}


@pytest.mark.parametrize("step", MOVABLE)
def test_a_participant_without_the_role_cannot_move_the_loop(ctx, step):
    loop = ready_loop(step)
    outsider = factories.make_user()
    with pytest.raises(WorkflowError, match="Only the loop's"):
        advance_loop(loop, outsider, step + 1)


def test_resume_review_gate_names_what_is_missing(ctx):
    loop = factories.make_loop(step=Step.RESUME_REVIEW)
    assert unmet_conditions(loop) == ["Attach the candidate's résumé (a PDF or a link).",
                                      "Record the résumé screen decision."]
    with pytest.raises(WorkflowError) as refusal:
        advance_loop(loop, loop.recruiter, Step.PHONE_SCREEN)
    assert refusal.value.unmet == unmet_conditions(loop)


def test_phone_screen_gate_names_what_is_missing(ctx):
    loop = factories.make_loop(step=Step.PHONE_SCREEN)
    assert unmet_conditions(loop) == [
        "Schedule the phone screen.",
        "The hiring manager has not chosen to proceed after the phone screen.",
    ]


def test_in_house_gate_names_every_unmet_condition(ctx, app):
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[])
    loop.bar_raiser_id = None
    db.session.flush()
    db.session.expire(loop)
    target_names = [p.name for p in loop.requisition.principles]
    assert unmet_conditions(loop) == [
        "Schedule at least 4 in-house interviews (0 so far).",
        "Assign a bar raiser.",
        *[f"No interviewer is assigned “{name}”." for name in target_names],
    ]


def test_in_house_gate_waits_for_the_interviews_to_take_place_and_the_bar_raiser_to_interview(ctx):
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS)
    assert unmet_conditions(loop) == ["4 in-house interviews have not taken place yet."]
    someone_else = factories.make_user(certification="certified", org_unit="Ads")
    loop.bar_raiser = someone_else
    db.session.flush()
    assert "The bar raiser must be one of the in-house interviewers." in unmet_conditions(loop)


def test_minimum_in_house_interviews_comes_from_config(ctx, app):
    app.config["MIN_IN_HOUSE_INTERVIEWS"] = 6
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS)
    assert "Schedule at least 6 in-house interviews (4 so far)." in unmet_conditions(loop)


def test_written_feedback_gate_names_who_has_not_submitted(ctx):
    loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK)
    names = [i.interviewer.name for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE]
    assert unmet_conditions(loop) == [f"{name} has not submitted feedback." for name in names]


def test_reference_gate_counts_references(ctx):
    loop = factories.make_loop(step=Step.REFERENCE_CHECK)
    factories.add_references(loop, 1)
    db.session.expire(loop)
    assert unmet_conditions(loop) == ["Record at least 2 references (1 so far)."]


def test_a_rejection_needs_a_reason_and_closes_the_loop_read_only(ctx):
    loop = factories.make_loop(step=Step.PHONE_SCREEN)
    with pytest.raises(ServiceError, match="Say why"):
        end_loop(loop, loop.recruiter, LoopStatus.REJECTED, "  ")
    end_loop(loop, loop.recruiter, LoopStatus.REJECTED, "Compensation expectations far above band.")
    db.session.flush()
    assert loop.status == LoopStatus.REJECTED and loop.closed_at is not None
    with pytest.raises(WorkflowError, match="closed"):
        advance_loop(loop, loop.hiring_manager, Step.IN_HOUSE_INTERVIEWS)
    with pytest.raises(WorkflowError, match="closed and read-only"):
        end_loop(loop, loop.recruiter, LoopStatus.WITHDRAWN, "")


def test_a_withdrawal_needs_no_reason(ctx):
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS)
    end_loop(loop, loop.recruiter, LoopStatus.WITHDRAWN, "")
    db.session.flush()
    assert loop.status == LoopStatus.WITHDRAWN


def test_screen_advance_moves_the_loop_when_the_resume_is_there(ctx):
    loop = factories.make_loop(step=Step.RESUME_REVIEW)
    loop.candidate.resume_url = "https://example.com/cv.pdf"
    record_screen_decision(loop, loop.hiring_manager, Step.RESUME_REVIEW, ScreenOutcome.ADVANCE, "")
    assert loop.step == Step.PHONE_SCREEN


def test_screen_advance_without_a_resume_records_but_waits(ctx):
    loop = factories.make_loop(step=Step.RESUME_REVIEW)
    record_screen_decision(loop, loop.recruiter, Step.RESUME_REVIEW, ScreenOutcome.ADVANCE, "")
    assert loop.step == Step.RESUME_REVIEW
    assert unmet_conditions(loop) == ["Attach the candidate's résumé (a PDF or a link)."]
    with pytest.raises(WorkflowError, match="already recorded"):
        record_screen_decision(loop, loop.recruiter, Step.RESUME_REVIEW, ScreenOutcome.REJECT, "no")


def test_screen_reject_closes_the_loop_with_the_reason(ctx):
    loop = factories.make_loop(step=Step.RESUME_REVIEW)
    with pytest.raises(ServiceError, match="Say why"):
        record_screen_decision(loop, loop.recruiter, Step.RESUME_REVIEW, ScreenOutcome.REJECT, "")
    record_screen_decision(loop, loop.recruiter, Step.RESUME_REVIEW, ScreenOutcome.REJECT,
                           "No distributed-systems experience.")
    assert loop.status == LoopStatus.REJECTED and loop.close_reason == "No distributed-systems experience."


def test_only_the_hiring_manager_decides_to_proceed_after_the_phone_screen(ctx):
    loop = factories.make_loop(step=Step.PHONE_SCREEN)
    with pytest.raises(WorkflowError, match="Only the loop's hiring manager"):
        record_screen_decision(loop, loop.recruiter, Step.PHONE_SCREEN, ScreenOutcome.ADVANCE, "")


ENDING_PAIRS = [(how, status) for how in workflow.Ending for status in LoopStatus if status != LoopStatus.OPEN]


@pytest.mark.parametrize("step", [s for s in Step if s != Step.JOB_DESCRIPTION])
@pytest.mark.parametrize("how, status", ENDING_PAIRS)
def test_every_ending_is_allowed_exactly_as_the_endings_table_says(ctx, step, how, status):
    """Each (cause, status) pair at each step, for each person: ended, or refused saying why."""
    loop = factories.make_loop(step=step)
    people = {"recruiter": loop.recruiter, "hiring_manager": loop.hiring_manager, "bar_raiser": loop.bar_raiser,
              "stranger": factories.make_user()}
    rule = workflow.ENDINGS.get((how, status))
    for role, person in people.items():
        if person is None:
            continue
        allowed = rule is not None and step in rule.steps and role in rule.by
        with db.session.begin_nested() as savepoint:
            try:
                end_loop(loop, person, status, "The reason, in words.", how=how)
                db.session.flush()
            except WorkflowError:
                assert not allowed, (role, how, status, step)
            else:
                assert allowed, (role, how, status, step)
                assert loop.status == status and not loop.is_open
            savepoint.rollback()
        db.session.expire(loop)


def test_the_endings_table_says_what_product_md_says():
    """Rejected or withdrawn at any step by the recruiter or hiring manager; not hired at the debrief; the
    offer's answer at the offer, by the recruiter."""
    E, S = workflow.Ending, LoopStatus
    every_step = set(Step) - {Step.JOB_DESCRIPTION}
    assert {key: (set(rule.steps), set(rule.by)) for key, rule in workflow.ENDINGS.items()} == {
        (E.CLOSED, S.REJECTED): (every_step, {"recruiter", "hiring_manager"}),
        (E.CLOSED, S.WITHDRAWN): (every_step, {"recruiter", "hiring_manager"}),
        (E.DEBRIEF, S.NOT_HIRED): ({Step.DEBRIEF}, {"hiring_manager", "bar_raiser"}),
        (E.OFFER, S.HIRED): ({Step.OFFER}, {"recruiter"}),
        (E.OFFER, S.WITHDRAWN): ({Step.OFFER}, {"recruiter"}),
        (E.OFFER, S.REJECTED): ({Step.OFFER}, {"recruiter"}),
    }
