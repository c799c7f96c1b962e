"""The kit page and the question bank's pages: who reaches them, the blind rule, escaping, bad input."""

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.kits import services
from app.kits.models import PlannedQuestion, Question
from app.kits.services import QuestionInput
from app.loops.models import Loop, Step
from app.people.models import User
from tests import factories

PHONE_EVIDENCE = "Walked through the ledger cut-over; rolled back twice, then shipped with zero drift."


@pytest.fixture
def kit_loop(app, recruiter, hiring_manager, bar_raiser, interviewer):
    """A loop at written feedback; the phone screen is sealed; `interviewer` has not submitted."""
    with app.app_context():
        people = {p.id: db.session.get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser, interviewer)}
        loop = factories.make_loop(
            step=Step.WRITTEN_FEEDBACK, recruiter=people[recruiter.id], hiring_manager=people[hiring_manager.id],
            bar_raiser=people[bar_raiser.id], phone_screen_evidence=PHONE_EVIDENCE,
            interviewers=[people[bar_raiser.id], people[interviewer.id], factories.make_user(name="Ola Other")],
        )
        for principle in loop.requisition.principles:
            for n in range(4):
                services.add_question(principle, QuestionInput(f"Tell me about {principle.name}, case {n}."),
                                      None, check_actor=False)
        services.add_question(loop.requisition.principles[1], QuestionInput(
            "<script>alert('kit')</script> Tell me & show me."), None, check_actor=False)
        services.plan_loop(loop)  # as scheduling does
        mine = next(i for i in loop.interviews if i.interviewer_id == interviewer.id)
        other = next(i for i in loop.interviews if i.interviewer.name == "Ola Other")
        db.session.commit()
        return {"loop": loop.id, "interview": mine.id, "other": other.id,
                "url": f"/loops/{loop.id}/interviews/{mine.id}/kit"}


def test_the_interviewer_reaches_the_kit_and_sees_only_their_principles_questions(app, client, auth, kit_loop,
                                                                               interviewer):
    auth.login(interviewer)
    page = client.get(kit_loop["url"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.app_context():
        plans = list(db.session.scalars(select(PlannedQuestion).where(
            PlannedQuestion.interview_id == kit_loop["interview"])))
        assert len(plans) == 2  # one principle, KIT_QUESTIONS_PER_PRINCIPLE = 2
        for plan in plans:
            assert plan.version.text in html
    assert "Time plan" in html and "Raises the bar" in html


@pytest.mark.parametrize("who, status", [
    ("interviewer", 200), ("bar_raiser", 200), ("recruiter", 200), ("hiring_manager", 200),
    ("colleague", 403), ("stranger", 404),
])
def test_the_kit_is_for_its_interviewer_and_the_loops_bar_raiser_recruiter_and_hiring_manager(
        app, client, auth, kit_loop, request, who, status):
    if who == "colleague":  # another interviewer of the same loop
        with app.app_context():
            other = db.session.scalar(select(User).where(User.name == "Ola Other"))
            email = other.email
        auth.login(email=email, password="correct-horse-battery")
    elif who == "stranger":
        stranger = factories_person(app)
        auth.login(email=stranger, password="correct-horse-battery")
    else:
        auth.login(request.getfixturevalue(who))
    assert client.get(kit_loop["url"]).status_code == status


def factories_person(app) -> str:
    with app.app_context():
        user = factories.make_user(email="stranger@example.test")
        db.session.commit()
        return user.email


def test_the_blind_rule_holds_on_the_kit_for_every_reader(app, client, auth, kit_loop, interviewer, recruiter,
                                                         hiring_manager, bar_raiser):
    """Before submitting, an interviewer sees none of the earlier evidence; the recruiter waits for the debrief."""
    for person in (interviewer, recruiter):
        auth.login(person)
        html = client.get(kit_loop["url"]).get_data(as_text=True)
        assert PHONE_EVIDENCE not in html, person.email
        auth.logout()
    auth.login(hiring_manager)  # wrote the phone screen: reads their own, and others' once theirs are in
    assert PHONE_EVIDENCE in client.get(kit_loop["url"]).get_data(as_text=True)
    auth.logout()
    with app.app_context():
        loop = db.session.get(Loop, kit_loop["loop"])
        mine = next(i for i in loop.interviews if i.id == kit_loop["interview"])
        factories.submit_feedback(mine, db.session.get(User, interviewer.id), "inclined")
        db.session.commit()
    auth.login(interviewer)
    assert PHONE_EVIDENCE in client.get(kit_loop["url"]).get_data(as_text=True)


def test_question_text_is_escaped_in_the_kit(app, client, auth, kit_loop, bar_raiser):
    with app.app_context():
        loop = db.session.get(Loop, kit_loop["loop"])
        question = db.session.scalar(select(Question).where(
            Question.versions.any(text="<script>alert('kit')</script> Tell me & show me.")))
        plan = db.session.scalar(select(PlannedQuestion).where(PlannedQuestion.question_id == question.id))
        if plan is None:  # not planned for anyone: give it to the bar raiser's kit
            interview = next(i for i in loop.interviews if i.interviewer_id == bar_raiser.id)
            interview.principles = [loop.requisition.principles[1]]
            db.session.add(PlannedQuestion(loop_id=loop.id, interview_id=interview.id,
                                           principle_id=question.principle_id, question_id=question.id,
                                           version_id=question.current.id))
            interview_id = interview.id
        else:
            interview_id = plan.interview_id
        db.session.commit()
        url = f"/loops/{loop.id}/interviews/{interview_id}/kit"
    auth.login(bar_raiser)
    html = client.get(url).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;kit&#39;)&lt;/script&gt; Tell me &amp; show me." in html


def test_the_recruiter_swaps_a_question_and_the_loop_never_holds_one_twice(app, client, auth, kit_loop,
                                                                          recruiter, interviewer):
    auth.login(interviewer)
    client.get(kit_loop["url"])  # fills the kit
    auth.logout()
    with app.app_context():
        plan = db.session.scalars(select(PlannedQuestion).where(
            PlannedQuestion.interview_id == kit_loop["interview"])).first()
        taken = set(db.session.scalars(select(PlannedQuestion.question_id)
                                       .where(PlannedQuestion.loop_id == kit_loop["loop"],
                                              PlannedQuestion.principle_id == plan.principle_id)))
        all_taken = set(db.session.scalars(select(PlannedQuestion.question_id)
                                           .where(PlannedQuestion.loop_id == kit_loop["loop"])))
        spare = db.session.scalar(select(Question.id).where(Question.principle_id == plan.principle_id,
                                                            Question.id.not_in(all_taken)))
        assert spare is not None and len(taken) > 1
        plan_id, other_taken = plan.id, next(iter(taken - {plan.question_id}))
    auth.login(recruiter)
    refused = client.post(kit_loop["url"] + "/swap", data={"plan_id": plan_id, "question_id": other_taken})
    assert refused.status_code == 422
    assert "already in this loop" in refused.get_data(as_text=True)
    done = client.post(kit_loop["url"] + "/swap", data={"plan_id": plan_id, "question_id": spare})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(PlannedQuestion, plan_id).question_id == spare
    auth.logout()
    auth.login(interviewer)
    assert client.post(kit_loop["url"] + "/swap", data={"plan_id": plan_id, "question_id": spare}).status_code == 403


@pytest.mark.parametrize("who, status", [("admin", 200), ("bar_raiser", 200), ("interviewer", 403),
                                         ("recruiter", 403), ("shadow", 403)])
def test_the_question_bank_is_for_admins_and_certified_bar_raisers(client, auth, request, who, status):
    auth.login(request.getfixturevalue(who))
    for url in ("/question-bank/", "/question-bank/new", "/question-bank/import", "/question-bank/export.csv"):
        assert client.get(url).status_code == status, url


def test_adding_a_blank_question_is_refused_beside_the_field(app, client, auth, admin):
    auth.login(admin)
    with app.app_context():
        principle_id = db.session.scalar(select(func.min(Question.principle_id))) or 1
    page = client.post("/question-bank/new", data={"principle_id": principle_id, "text": "   "})
    assert page.status_code == 422
    assert "Write the question." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_editing_a_question_on_its_page_adds_a_version(app, client, auth, admin):
    auth.login(admin)
    client.post("/question-bank/new", data={"principle_id": 1, "text": "Tell me about a customer you lost."})
    with app.app_context():
        question_id = db.session.scalar(select(Question.id))
    saved = client.post(f"/question-bank/{question_id}", data={"text": "Tell me about a customer you won back."},
                        follow_redirects=True)
    assert "Saved as version 2" in saved.get_data(as_text=True)
    retired = client.post(f"/question-bank/{question_id}/retire", follow_redirects=True)
    assert "Question retired" in retired.get_data(as_text=True)


def test_a_bad_import_answers_422_with_each_line_and_column_and_imports_nothing(app, client, auth, admin):
    auth.login(admin)
    data = b"principle,question\nOwnership,Tell me about a time.\nNope,Another one?\n"
    page = client.post("/question-bank/import", data={"file": (io.BytesIO(data), "bank.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 422
    assert "Line 3, column “principle”" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 0
    starter = client.post("/question-bank/import", data={"starter": "1"}, follow_redirects=True)
    assert "Imported 80 question(s)" in starter.get_data(as_text=True)
    export = client.get("/question-bank/export.csv")
    assert export.mimetype == "text/csv" and export.get_data(as_text=True).count("\r\n") > 80


def test_opening_a_kit_writes_nothing_and_an_unfilled_kit_is_filled_by_a_button(app, client, auth, kit_loop,
                                                                               interviewer):
    with app.app_context():
        db.session.execute(PlannedQuestion.__table__.delete().where(
            PlannedQuestion.interview_id == kit_loop["interview"]))
        db.session.commit()
    auth.login(interviewer)
    page = client.get(kit_loop["url"]).get_data(as_text=True)
    assert "Suggest questions" in page
    with app.app_context():
        assert not db.session.scalars(select(PlannedQuestion).where(
            PlannedQuestion.interview_id == kit_loop["interview"])).all()
    filled = client.post(kit_loop["url"] + "/plan", follow_redirects=True)
    assert "Added 2 question(s) to the kit." in filled.get_data(as_text=True)
    assert "Suggest questions" not in filled.get_data(as_text=True)


def test_scheduling_an_interview_plans_its_kit_with_questions_no_other_interview_holds(app, recruiter):
    from app.interviews.services import schedule_interview

    with app.app_context():
        loop = factories.make_loop(step=Step.PHONE_SCREEN, recruiter=db.session.get(User, recruiter.id))
        principle = loop.requisition.principles[0]
        for n in range(3):
            services.add_question(principle, QuestionInput(f"Tell me about a time, take {n}."), None,
                                  check_actor=False)
        people = [factories.make_user(), factories.make_user()]
        first, second = (schedule_interview(loop, loop.recruiter, kind="in_house", interviewer=person,
                                            starts_at=factories.utcnow() + factories.timedelta(days=2, hours=n),
                                            duration_minutes=60, location="", principles=[principle])
                         for n, person in enumerate(people))
        mine, theirs = services.planned_for(first), services.planned_for(second)
        assert len(mine) == 2 and len(theirs) == 1
        assert not {p.question_id for p in mine} & {p.question_id for p in theirs}
        db.session.rollback()
