"""Written feedback: drafts, the seal, amendments, late flags, conflicts, practice feedback."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.feedback import services
from app.feedback.models import Feedback, FeedbackStatus
from app.interviews.models import InterviewKind
from app.loops.models import Loop, Step
from app.loops.workflow import unmet_conditions
from app.people.models import User
from tests import factories


@pytest.fixture
def loop_at_feedback(app, recruiter, hiring_manager, bar_raiser, interviewer, shadow):
    """A loop at written feedback; `interviewer` has one in-house interview, not yet written."""
    with app.app_context():
        people = {p.id: db.session.get(User, p.id)
                  for p in (recruiter, hiring_manager, bar_raiser, interviewer, shadow)}
        loop = factories.make_loop(
            step=Step.WRITTEN_FEEDBACK, recruiter=people[recruiter.id], hiring_manager=people[hiring_manager.id],
            bar_raiser=people[bar_raiser.id], shadow=people[shadow.id],
            interviewers=[people[bar_raiser.id], people[interviewer.id], factories.make_user(name="Ola Other")],
        )
        mine = next(i for i in loop.interviews if i.interviewer_id == interviewer.id)
        db.session.commit()
        return {"loop": loop.id, "interview": mine.id, "principles": len(mine.principles)}


def form_data(n: int, evidence="Rebuilt the retry logic after an outage; pages dropped 80%.", vote="inclined",
              raises_bar="yes", summary="Strong hands-on engineer.", version="0", **extra):
    data = {"vote": vote, "raises_bar": raises_bar, "summary": summary, "version": version, **extra}
    for index in range(n):
        data[f"ratings-{index}-rating"] = "meets_the_bar"
        data[f"ratings-{index}-evidence"] = evidence
    return data


def url(ids) -> str:
    return f"/loops/{ids['loop']}/interviews/{ids['interview']}/feedback"


def stored(app, ids, author_id) -> Feedback | None:
    with app.app_context():
        feedback = db.session.scalar(select(Feedback).where(Feedback.interview_id == ids["interview"],
                                                            Feedback.author_id == author_id))
        if feedback is not None:
            db.session.expunge(feedback)
        return feedback


def test_opening_the_form_writes_nothing(app, client, auth, loop_at_feedback, interviewer):
    auth.login(interviewer)
    page = client.get(url(loop_at_feedback))
    assert page.status_code == 200
    assert "Is the candidate better than half of current peers at this level?" in page.get_data(as_text=True)
    assert stored(app, loop_at_feedback, interviewer.id) is None


def test_drafts_save_again_and_again_and_stay_private(app, client, auth, loop_at_feedback, interviewer, bar_raiser):
    auth.login(interviewer)
    n = loop_at_feedback["principles"]
    assert client.post(url(loop_at_feedback), data=form_data(n, evidence="first thoughts", save="1")).status_code == 302
    first = stored(app, loop_at_feedback, interviewer.id)
    assert first.status == FeedbackStatus.DRAFT
    again = form_data(n, evidence="second, sharper thoughts", version=str(first.version), save="1")
    assert client.post(url(loop_at_feedback), data=again).status_code == 302
    assert "second, sharper thoughts" in client.get(url(loop_at_feedback)).get_data(as_text=True)
    auth.logout()
    auth.login(bar_raiser)
    assert "second, sharper thoughts" not in client.get(f"/loops/{loop_at_feedback['loop']}/feedback").get_data(
        as_text=True)


@pytest.mark.parametrize("missing, message", [
    ({"vote": ""}, "Choose your overall vote."),
    ({"raises_bar": ""}, "Say whether the candidate is better than half of current peers at this level."),
    ({"ratings-0-evidence": "  "}, "Write the evidence for"),
    ({"ratings-0-rating": ""}, "Rate “"),
])
def test_submit_refuses_incomplete_feedback_beside_the_field(app, client, auth, loop_at_feedback, interviewer,
                                                             missing, message):
    auth.login(interviewer)
    data = {**form_data(loop_at_feedback["principles"], submit="1"), **missing}
    response = client.post(url(loop_at_feedback), data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    feedback = stored(app, loop_at_feedback, interviewer.id)
    assert feedback is None or feedback.status == FeedbackStatus.DRAFT


def test_an_unknown_vote_is_refused(client, auth, loop_at_feedback, interviewer):
    auth.login(interviewer)
    data = form_data(loop_at_feedback["principles"], vote="neutral", submit="1")
    assert client.post(url(loop_at_feedback), data=data).status_code == 422


def submit(client, ids, version="0", **kw):
    return client.post(url(ids), data=form_data(ids["principles"], version=version, submit="1", **kw))


def test_submitting_seals_and_timestamps_then_editing_is_refused_with_text_kept(app, client, auth, loop_at_feedback,
                                                                               interviewer):
    auth.login(interviewer)
    assert submit(client, loop_at_feedback).status_code == 302
    sealed = stored(app, loop_at_feedback, interviewer.id)
    assert sealed.status == FeedbackStatus.SUBMITTED and sealed.submitted_at is not None
    late_edit = client.post(url(loop_at_feedback), data=form_data(
        loop_at_feedback["principles"], evidence="a rewrite I typed later", version=str(sealed.version), save="1"))
    assert late_edit.status_code == 409
    html = late_edit.get_data(as_text=True)
    assert "sealed" in html and "a rewrite I typed later" in html
    with app.app_context():
        evidence = [r.evidence for r in db.session.get(Feedback, sealed.id).ratings]
        assert "a rewrite I typed later" not in evidence


def test_two_tabs_one_winner_and_the_loser_keeps_their_text(app, client, auth, loop_at_feedback, interviewer):
    auth.login(interviewer)
    n = loop_at_feedback["principles"]
    client.post(url(loop_at_feedback), data=form_data(n, evidence="tab zero", save="1"))
    version = str(stored(app, loop_at_feedback, interviewer.id).version)
    tab_a = form_data(n, evidence="typed in tab A", version=version, submit="1")
    tab_b = form_data(n, evidence="typed in tab B", version=version, submit="1")
    assert client.post(url(loop_at_feedback), data=tab_a).status_code == 302
    loser = client.post(url(loop_at_feedback), data=tab_b)
    assert loser.status_code == 409
    assert "typed in tab B" in loser.get_data(as_text=True)
    with app.app_context():
        feedback = db.session.get(Feedback, stored(app, loop_at_feedback, interviewer.id).id)
        assert {r.evidence for r in feedback.ratings} == {"typed in tab A"}


def test_two_tabs_starting_the_same_feedback(app, client, auth, loop_at_feedback, interviewer):
    auth.login(interviewer)
    n = loop_at_feedback["principles"]
    assert client.post(url(loop_at_feedback), data=form_data(n, evidence="tab A", save="1")).status_code == 302
    second = client.post(url(loop_at_feedback), data=form_data(n, evidence="tab B", version="0", save="1"))
    assert second.status_code == 409
    assert "tab B" in second.get_data(as_text=True)


def test_amendments_are_dated_appended_and_end_at_the_decision(app, client, auth, loop_at_feedback, interviewer):
    auth.login(interviewer)
    submit(client, loop_at_feedback)
    amend = url(loop_at_feedback) + "/amend"
    assert client.post(amend, data={"body": " "}).status_code == 422
    assert client.post(amend, data={"body": "Checked my notes: the outage was in 2023."}).status_code == 302
    html = client.get(url(loop_at_feedback)).get_data(as_text=True)
    assert "Checked my notes: the outage was in 2023." in html
    assert "Rebuilt the retry logic" in html  # the original stays
    with app.app_context():
        loop = db.session.get(Loop, loop_at_feedback["loop"])
        db.session.add(factories.DebriefDecision(loop=loop, outcome="no_hire", rationale="Not yet.",
                                                 decided_by=loop.hiring_manager))
        db.session.commit()
    refused = client.post(amend, data={"body": "One more thing."})
    assert refused.status_code == 422
    assert "can no longer be amended" in refused.get_data(as_text=True)


def test_only_the_interviewer_writes_the_interview_feedback(client, auth, loop_at_feedback, recruiter, bar_raiser):
    for person in (recruiter, bar_raiser):
        auth.login(person)
        assert client.get(url(loop_at_feedback)).status_code == 403
        assert submit(client, loop_at_feedback).status_code == 403
        auth.logout()


def test_late_feedback_is_flagged(app, loop_at_feedback, interviewer):
    with app.app_context():
        loop = db.session.get(Loop, loop_at_feedback["loop"])
        interview = next(i for i in loop.interviews if i.id == loop_at_feedback["interview"])
        assert services.is_late(interview, None)  # three days after the interview, nothing submitted
        interview.starts_at = utcnow() - timedelta(hours=3)
        assert not services.is_late(interview, None)
        feedback = factories.submit_feedback(interview, interview.interviewer, "inclined")
        feedback_late = feedback.submitted_at > services.due_at(interview)
        assert services.is_late(interview, feedback) == feedback_late
        app.config["FEEDBACK_DUE_HOURS"] = 1
        assert services.is_late(interview, feedback)
        db.session.rollback()


def test_the_shadow_writes_practice_feedback_that_never_counts(app, client, auth, loop_at_feedback, shadow):
    auth.login(shadow)
    response = submit(client, loop_at_feedback)
    assert response.status_code == 302
    practice = stored(app, loop_at_feedback, shadow.id)
    assert practice.is_practice and practice.status == FeedbackStatus.SUBMITTED
    with app.app_context():
        loop = db.session.get(Loop, loop_at_feedback["loop"])
        assert any("has not submitted feedback" in text for text in unmet_conditions(loop))
        interviewer_name = next(i for i in loop.interviews if i.id == loop_at_feedback["interview"]).interviewer.name
        assert f"{interviewer_name} has not submitted feedback." in unmet_conditions(loop)


def test_feedback_before_the_interview_is_only_a_draft(app, client, auth, interviewer):
    with app.app_context():
        loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS,
                                   interviewers=[factories.make_user(certification="certified", org_unit="Ads"),
                                                 db.session.get(User, interviewer.id)])
        interview = next(i for i in loop.interviews if i.interviewer_id == interviewer.id)
        ids = {"loop": loop.id, "interview": interview.id, "principles": len(interview.principles)}
        db.session.commit()
    auth.login(interviewer)
    response = submit(client, ids)
    assert response.status_code == 422
    assert "after the interview has taken place" in response.get_data(as_text=True)


def test_phone_screen_feedback_uses_the_same_form_and_opens_the_step_three_gate(app, client, auth, hiring_manager):
    with app.app_context():
        loop = factories.make_loop(step=Step.PHONE_SCREEN, hiring_manager=db.session.get(User, hiring_manager.id))
        phone = factories.Interview(loop=loop, kind=InterviewKind.PHONE_SCREEN, interviewer=loop.hiring_manager,
                                    starts_at=utcnow() - timedelta(hours=2),
                                    principles=loop.requisition.principles[:2])
        db.session.add(phone)
        db.session.commit()
        ids = {"loop": loop.id, "interview": phone.id, "principles": 2}
    auth.login(hiring_manager)
    assert submit(client, ids).status_code == 302
    with app.app_context():
        assert unmet_conditions(db.session.get(Loop, ids["loop"])) == [
            "The hiring manager has not chosen to proceed after the phone screen."]
    assert client.post(f"/loops/{ids['loop']}/screen/3", data={"outcome": "advance"}).status_code == 302
    with app.app_context():
        assert db.session.get(Loop, ids["loop"]).step == Step.IN_HOUSE_INTERVIEWS
