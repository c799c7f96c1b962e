"""Which questions an interview's kit is given: never twice in a loop, never again for a candidate."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.db_types import utcnow
from app.extensions import db
from app.interviews.models import Interview, InterviewKind
from app.kits import services, suggestions
from app.kits.models import AskedQuestion, PlannedQuestion, Question
from app.kits.services import AskedInput, QuestionInput
from app.loops.models import Loop, Step
from tests import factories


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app
        db.session.rollback()


def bank(principle, n: int, levels: str = "", active: bool = True, prefix: str = "") -> list[Question]:
    return [services.add_question(principle, QuestionInput(f"{prefix}Tell me about {principle.name} #{i}.",
                                                           levels=levels),
                                  None, active=active, check_actor=False) for i in range(n)]


def planned_ids(loop: Loop) -> list[int]:
    return list(db.session.scalars(select(PlannedQuestion.question_id).where(PlannedQuestion.loop_id == loop.id)))


def in_house_loop(candidate=None, panel: int = 4) -> Loop:
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS)
    if candidate is not None:
        loop.candidate = candidate
        db.session.flush()
    return loop


def test_kits_of_one_loop_never_share_a_question(ctx):
    loop = in_house_loop()
    for principle in loop.requisition.principles:
        bank(principle, 5)
    for interview in loop.interviews:  # two interviewers on the same principle as well
        interview.principles = list(loop.requisition.principles[:2])
    db.session.flush()
    added = services.plan_loop(loop)
    ids = planned_ids(loop)
    assert added == len(ids) > 0
    assert len(ids) == len(set(ids))


def test_the_phone_screen_kit_counts_for_the_loop(ctx):
    # The phone screen's kit is planned while it is ahead (a sealed interview's kit never changes).
    loop = factories.make_loop(step=Step.PHONE_SCREEN)
    principle = loop.requisition.principles[0]
    phone, in_house = [Interview(loop_id=loop.id, kind=kind, interviewer_id=factories.make_user().id,
                                 principles=[principle], starts_at=utcnow() + timedelta(days=days))
                       for kind, days in ((InterviewKind.PHONE_SCREEN, 1), (InterviewKind.IN_HOUSE, 5))]
    db.session.add_all([phone, in_house])
    db.session.flush()
    db.session.expire(loop, ["interviews"])
    questions = bank(principle, 3)
    services.plan_interview(phone)
    services.plan_interview(in_house)
    phone_ids = {p.question_id for p in services.planned_for(phone)}
    house_ids = {p.question_id for p in services.planned_for(in_house)}
    assert len(phone_ids) == 2 and len(house_ids) == 1
    assert phone_ids | house_ids == {q.id for q in questions}


def test_questions_planned_for_the_candidate_in_an_earlier_loop_are_not_suggested_again(ctx):
    earlier = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS)  # planned before its feedback was sealed
    principle = earlier.requisition.principles[0]
    questions = bank(principle, 4)
    interview = next(i for i in earlier.interviews if principle in i.principles and i.kind == "in_house")
    db.session.add(PlannedQuestion(loop_id=earlier.id, interview_id=interview.id, principle_id=principle.id,
                                   question_id=questions[0].id, version_id=questions[0].current.id))
    db.session.flush()
    later = in_house_loop(candidate=earlier.candidate)
    offered = {v.question_id for v in suggestions.eligible(later, principle)}
    assert offered == {q.id for q in questions[1:]}
    stranger = in_house_loop()
    assert questions[0].id in {v.question_id for v in suggestions.eligible(stranger, principle)}


def test_questions_cited_in_a_feedback_of_another_loop_are_not_suggested_again(ctx):
    earlier = in_house_loop()
    principle = earlier.requisition.principles[0]
    questions = bank(principle, 3)
    interview = next(i for i in earlier.interviews if i.kind == InterviewKind.IN_HOUSE)
    interview.principles = [principle]
    db.session.flush()
    services.plan_interview(interview)
    plan = services.planned_for(interview)[0]
    feedback = factories.Feedback(author=interview.interviewer, interview=interview)
    db.session.add(feedback)
    db.session.flush()
    services.record_asked(feedback, [AskedInput(principle.id, [plan.id], own_text="What would you do again?")])
    db.session.execute(PlannedQuestion.__table__.delete().where(PlannedQuestion.loop_id == earlier.id))
    later = in_house_loop(candidate=earlier.candidate)
    offered = {v.question_id for v in suggestions.eligible(later, principle)}
    assert plan.question_id not in offered and len(offered) == len(questions) - 1


def test_only_questions_that_suit_the_level_are_suggested(ctx):
    loop = in_house_loop()  # the factory's requisitions are L6
    principle = loop.requisition.principles[0]
    senior = bank(principle, 2, levels="L7 L8", prefix="Senior: ")
    fitting = bank(principle, 2, levels="l5, L6", prefix="Mid: ")
    everyone = bank(principle, 1, prefix="Any: ")
    offered = {v.question_id for v in suggestions.eligible(loop, principle)}
    assert offered == {q.id for q in fitting + everyone}
    assert not offered & {q.id for q in senior}


def test_retired_questions_are_never_suggested(ctx):
    loop = in_house_loop()
    principle = loop.requisition.principles[0]
    retired = bank(principle, 3, active=False, prefix="Old: ")
    active = bank(principle, 1)
    assert [v.question_id for v in suggestions.eligible(loop, principle)] == [active[0].id]
    services.plan_loop(loop)
    assert not set(planned_ids(loop)) & {q.id for q in retired}


def test_an_edited_question_is_suggested_in_its_new_words(ctx):
    loop = in_house_loop()
    principle = loop.requisition.principles[0]
    (question,) = bank(principle, 1)
    admin = factories.make_user(is_admin=True)
    services.edit_question(question, QuestionInput("Tell me about a customer you said no to."), admin)
    (version,) = suggestions.eligible(loop, principle)
    assert version.number == 2 and version.text == "Tell me about a customer you said no to."


def test_the_database_refuses_the_same_question_twice_in_one_loop(ctx):
    loop = in_house_loop()
    principle = loop.requisition.principles[0]
    (question,) = bank(principle, 1)
    first, second = [i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE][:2]
    db.session.add(PlannedQuestion(loop_id=loop.id, interview_id=first.id, principle_id=principle.id,
                                   question_id=question.id, version_id=question.current.id))
    db.session.flush()
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(PlannedQuestion(loop_id=loop.id, interview_id=second.id, principle_id=principle.id,
                                           question_id=question.id, version_id=question.current.id))
            db.session.flush()


def test_the_database_keeps_a_planned_question_in_its_interviews_loop(ctx):
    loop, other = in_house_loop(), in_house_loop()
    principle = loop.requisition.principles[0]
    (question,) = bank(principle, 1)
    interview = next(i for i in other.interviews if i.kind == InterviewKind.IN_HOUSE)
    with pytest.raises((IntegrityError, DBAPIError)):
        with db.session.begin_nested():
            db.session.add(PlannedQuestion(loop_id=loop.id, interview_id=interview.id, principle_id=principle.id,
                                           question_id=question.id, version_id=question.current.id))
            db.session.flush()


def test_the_database_never_changes_a_question_version(ctx):
    principle = factories.principles(1)[0]
    (question,) = bank(principle, 1)
    with pytest.raises((IntegrityError, DBAPIError)):
        with db.session.begin_nested():
            db.session.execute(text("UPDATE question_versions SET text = 'Changed under the feedback' "
                                    "WHERE id = :id"), {"id": question.current.id})


def test_the_questions_of_submitted_feedback_are_sealed_with_it(ctx):
    loop = factories.make_loop(step=Step.DEBRIEF)
    feedback = next(f for i in loop.interviews for f in i.feedbacks if i.kind == "in_house")
    principle = feedback.ratings[0].principle
    with pytest.raises((IntegrityError, DBAPIError)):
        with db.session.begin_nested():
            db.session.add(AskedQuestion(feedback_id=feedback.id, principle_id=principle.id,
                                         own_text="Added after the seal"))
            db.session.flush()


def test_swapping_keeps_the_rules_and_only_the_recruiter_or_bar_raiser_swaps(ctx):
    loop = in_house_loop()
    principle = loop.requisition.principles[0]
    questions = bank(principle, 10)
    first, second = [i for i in loop.interviews
                     if i.kind == InterviewKind.IN_HOUSE and i.interviewer_id != loop.bar_raiser_id][:2]
    first.principles = second.principles = [principle]
    db.session.flush()
    services.plan_loop(loop)
    mine, theirs = services.planned_for(first)[0], services.planned_for(second)[0]
    with pytest.raises(services.QuestionError, match="already in this loop"):
        services.swap_question(mine, db.session.get(Question, theirs.question_id), loop.recruiter)
    spare = next(q for q in questions if q.id not in planned_ids(loop))
    with pytest.raises(services.QuestionError, match="recruiter or bar raiser"):
        services.swap_question(mine, spare, first.interviewer)
    services.swap_question(mine, spare, loop.bar_raiser)
    assert mine.question_id == spare.id and mine.version_id == spare.current.id


LEVELS = st.sampled_from(["", "L6", "L7 L8", "L5 L6 L7"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bank_shape=st.lists(st.lists(st.tuples(LEVELS, st.booleans()), max_size=6), min_size=4, max_size=4),
    panel=st.lists(st.sets(st.integers(0, 3), min_size=1, max_size=3), min_size=1, max_size=5),
    asked_before=st.sets(st.integers(0, 23), max_size=8),
    per_principle=st.integers(1, 3),
)
def test_property_suggestions_never_repeat_and_follow_every_rule(ctx, bank_shape, panel, asked_before, per_principle):
    """For any bank, panel and history: no question twice in a loop, none the candidate met, none unfit."""
    ctx.config["KIT_QUESTIONS_PER_PRINCIPLE"] = per_principle
    try:
        earlier = factories.make_loop(step=Step.RESUME_REVIEW)
        principles = earlier.requisition.principles
        made = []
        for principle, shape in zip(principles, bank_shape, strict=True):
            for index, (levels, active) in enumerate(shape):
                made.append(services.add_question(principle, QuestionInput(f"Q{index} of {principle.id}",
                                                                           levels=levels),
                                                  None, active=active, check_actor=False))
        met = {made[i].id for i in asked_before if i < len(made)}
        phone = Interview(loop=earlier, kind=InterviewKind.PHONE_SCREEN, interviewer=earlier.hiring_manager,
                          starts_at=utcnow() - timedelta(days=30), principles=list(principles))
        db.session.add(phone)
        db.session.flush()
        for question_id in met:
            question = db.session.get(Question, question_id)
            db.session.add(PlannedQuestion(loop_id=earlier.id, interview_id=phone.id,
                                           principle_id=question.principle_id, question_id=question_id,
                                           version_id=question.current.id))
        loop = factories.make_loop(step=Step.RESUME_REVIEW, recruiter=earlier.recruiter,
                                   hiring_manager=earlier.hiring_manager)
        loop.candidate = earlier.candidate  # another requisition with the same four target principles
        for n, chosen in enumerate(panel):
            db.session.add(Interview(loop=loop, kind=InterviewKind.IN_HOUSE, interviewer=factories.make_user(),
                                     starts_at=utcnow() + timedelta(days=1, hours=n),
                                     principles=[principles[i] for i in sorted(chosen)]))
        db.session.flush()
        db.session.refresh(loop)

        services.plan_loop(loop)

        plans = list(db.session.scalars(select(PlannedQuestion).where(PlannedQuestion.loop_id == loop.id)))
        ids = [p.question_id for p in plans]
        assert len(ids) == len(set(ids)), "a question was planned twice in one loop"
        assert not set(ids) & met, "a question the candidate met before was planned again"
        for plan in plans:
            assert plan.question.is_active and plan.version.suits("L6")
            assert plan.principle_id == plan.question.principle_id
        for principle in principles:  # every interview got what it asked for, or the bank ran out
            wanted = per_principle * sum(1 for chosen in panel if principles.index(principle) in chosen)
            fit = {q.id for q in made if q.principle_id == principle.id and q.is_active
                   and q.current.suits("L6") and q.id not in met}
            assert sum(1 for p in plans if p.principle_id == principle.id) == min(wanted, len(fit))
    finally:
        db.session.rollback()


def test_a_sealed_interviews_kit_is_never_filled_again_by_the_service_or_the_database(ctx):
    loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK)
    sealed = next(i for i in loop.interviews if i.submitted_feedback is not None)
    principle = sealed.principles[0]
    (question,) = bank(principle, 1)
    assert services.plan_interview(sealed) == 0
    assert services.planned_for(sealed) == []
    with pytest.raises((IntegrityError, DBAPIError)):
        with db.session.begin_nested():
            db.session.add(PlannedQuestion(loop_id=loop.id, interview_id=sealed.id, principle_id=principle.id,
                                           question_id=question.id, version_id=question.current.id))
            db.session.flush()


def test_the_database_keeps_an_asked_question_under_its_own_principle(ctx):
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS)
    first, other = loop.requisition.principles[:2]
    (question,) = bank(first, 1)
    interview = next(i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE)
    draft = services_feedback_draft(interview)
    with pytest.raises((IntegrityError, DBAPIError)):
        with db.session.begin_nested():
            db.session.add(AskedQuestion(feedback_id=draft.id, principle_id=other.id, question_id=question.id,
                                         version_id=question.current.id))
            db.session.flush()


def services_feedback_draft(interview):
    from app.feedback.services import start_feedback

    return start_feedback(interview, interview.interviewer)
