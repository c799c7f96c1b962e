"""Feedback and the kit: questions ticked as asked, coaching beside the evidence, autosave, staying signed in,
and the questions and flags at the debrief and in its PDF."""

import re
import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.kits import services
from app.kits.models import AskedQuestion, CoachingFlag, PlannedQuestion
from app.kits.services import QuestionInput
from app.loops.models import Loop, Step
from app.people.models import User
from tests import factories

GOOD = ("She led the migration of the ledger herself: wrote the backfill, ran it behind a flag over two weeks "
        "and cut reconciliation errors from 40 a day to 2, so finance closed the month three days sooner.")


@pytest.fixture
def ids(app, recruiter, hiring_manager, bar_raiser, interviewer):
    """A loop at written feedback with a bank; `interviewer` has one in-house interview, kit planned."""
    with app.app_context():
        people = {p.id: db.session.get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser, interviewer)}
        loop = factories.make_loop(
            step=Step.WRITTEN_FEEDBACK, recruiter=people[recruiter.id], hiring_manager=people[hiring_manager.id],
            bar_raiser=people[bar_raiser.id],
            interviewers=[people[bar_raiser.id], people[interviewer.id], factories.make_user(name="Ola Other")],
        )
        for principle in loop.requisition.principles:
            for n in range(3):
                services.add_question(principle, QuestionInput(f"Tell me about {principle.name}, case {n}."),
                                      None, check_actor=False)
        services.plan_loop(loop)
        mine = next(i for i in loop.interviews if i.interviewer_id == interviewer.id)
        plans = services.planned_for(mine)
        db.session.commit()
        return {"loop": loop.id, "interview": mine.id, "plans": [p.id for p in plans],
                "questions": [p.question_id for p in plans],
                "url": f"/loops/{loop.id}/interviews/{mine.id}/feedback"}


def form(evidence=GOOD, rating="meets_the_bar", **extra):
    return {"ratings-0-rating": rating, "ratings-0-evidence": evidence, "vote": "inclined", "raises_bar": "yes",
            "summary": "Hands-on and specific.", "version": "0", **extra}


def test_the_form_lists_the_kits_questions_to_tick(client, auth, ids, interviewer, app):
    auth.login(interviewer)
    html = client.get(ids["url"]).get_data(as_text=True)
    assert "Questions you asked" in html and "A question of your own" in html
    with app.app_context():
        for plan_id in ids["plans"]:
            assert db.session.get(PlannedQuestion, plan_id).version.text in html


def test_ticked_and_own_questions_are_saved_with_the_draft_and_sealed_with_the_submission(client, auth, ids,
                                                                                        interviewer, app):
    auth.login(interviewer)
    saved = client.post(ids["url"], data=form(**{"ratings-0-asked": str(ids["plans"][0]), "save": "1",
                                                 "ratings-0-own_question": "What would you do differently?"}))
    assert saved.status_code == 302
    page = client.get(ids["url"]).get_data(as_text=True)
    assert re.search(rf'<input checked[^>]*name="ratings-0-asked"[^>]*value="{ids["plans"][0]}"', page)
    assert "What would you do differently?" in page
    done = client.post(ids["url"], data=form(**{"ratings-0-asked": [str(p) for p in ids["plans"]], "submit": "1",
                                                "version": "2"}))
    assert done.status_code == 302
    with app.app_context():
        asked = db.session.scalars(select(AskedQuestion).order_by(AskedQuestion.id)).all()
        assert sorted(a.question_id for a in asked) == sorted(ids["questions"])
        assert all(a.version_id for a in asked)


def test_a_question_from_another_kit_cannot_be_ticked(client, auth, ids, interviewer, app):
    with app.app_context():
        foreign = db.session.scalar(select(PlannedQuestion.id).where(PlannedQuestion.interview_id != ids["interview"]))
    auth.login(interviewer)
    refused = client.post(ids["url"], data=form(**{"ratings-0-asked": str(foreign), "save": "1"}))
    assert refused.status_code == 422
    assert "not in this interview&#39;s kit" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AskedQuestion.id)) is None


def test_coaching_flags_show_beside_the_evidence_on_save_and_never_block_the_submission(client, auth, ids,
                                                                                      interviewer, app):
    auth.login(interviewer)
    client.post(ids["url"], data=form(evidence="Not a culture fit.", rating="strong_concern", save="1"))
    page = client.get(ids["url"]).get_data(as_text=True)
    assert 'data-coaching-for="ratings-0-evidence"' in page
    assert "Opinion, not evidence (culture fit)" in page and "Too short to be evidence" in page
    submitted = client.post(ids["url"], data=form(evidence="Not a culture fit.", rating="strong_concern",
                                                  submit="1", version="2"), follow_redirects=True)
    assert submitted.status_code == 200
    assert "Feedback submitted and sealed" in submitted.get_data(as_text=True)
    assert "Coaching noticed" in submitted.get_data(as_text=True)
    with app.app_context():
        rules = set(db.session.scalars(select(CoachingFlag.rule)))
        assert rules == {"too_short", "opinion_only", "extreme_without_example"}


def test_good_evidence_carries_no_coaching(client, auth, ids, interviewer, app):
    auth.login(interviewer)
    client.post(ids["url"], data=form(save="1"))
    page = client.get(ids["url"]).get_data(as_text=True)
    assert "<strong>Coaching:</strong>" not in page


def test_autosave_keeps_the_draft_and_answers_its_version_and_flags(client, auth, ids, interviewer, app):
    auth.login(interviewer)
    first = client.post(ids["url"] + "/autosave", data=form(evidence="Seems smart."))
    assert first.status_code == 200
    assert first.json["version"] == 2 and "ratings-0-evidence" in first.json["flags"]
    second = client.post(ids["url"] + "/autosave", data=form(evidence=GOOD, version=str(first.json["version"])))
    assert second.status_code == 200 and second.json["flags"] == {}
    stale = client.post(ids["url"] + "/autosave", data=form(evidence="Overwrite?", version=str(first.json["version"])))
    assert stale.status_code == 409 and "Not saved" in stale.json["error"]
    assert GOOD in client.get(ids["url"]).get_data(as_text=True)


def test_only_the_interviewer_autosaves(client, auth, ids, recruiter):
    auth.login(recruiter)
    assert client.post(ids["url"] + "/autosave", data=form()).status_code == 403


def test_staying_signed_in_restarts_the_idle_limit(app, client, auth, interviewer):
    auth.login(interviewer)
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 50 * 60
    kept = client.post("/session/keepalive")
    assert kept.status_code == 200 and kept.json["idle_seconds"] == app.config["SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as session:
        assert int(time.time()) - session["seen_at"] < 5
    auth.logout()
    assert client.post("/session/keepalive").status_code in (302, 401)


def test_the_feedback_form_carries_the_idle_limit_for_its_warning(client, auth, ids, interviewer, app):
    auth.login(interviewer)
    page = client.get(ids["url"]).get_data(as_text=True)
    assert f'data-session-idle="{app.config["SESSION_IDLE_MINUTES"] * 60}"' in page
    assert "Stay signed in" in page and "<script>" not in page.split("</head>")[1]


def test_the_debrief_and_its_pdf_show_the_questions_asked_per_principle_and_flags_per_interviewer(app, client,
                                                                                                auth, hiring_manager):
    with app.app_context():
        loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK, hiring_manager=db.session.get(User, hiring_manager.id))
        for principle in loop.requisition.principles:
            for n in range(3):
                services.add_question(principle, QuestionInput(f"Walk me through a <b>{principle.name}</b> call {n}."),
                                      None, check_actor=False)
        services.plan_loop(loop)
        for interview in loop.interviews:
            if interview.kind != "in_house":
                continue
            feedback = factories.Feedback(author=interview.interviewer, interview=interview, summary="x")
            db.session.add(feedback)
            db.session.flush()
            plans = services.planned_for(interview)
            services.record_asked(feedback, [services.AskedInput(p.principle_id, [p.id]) for p in plans])
            services.keep_flags(feedback, services.coaching_flags([(p.id, "meets_the_bar", "Seems smart.")
                                                                   for p in interview.principles]))
            rating = factories.FeedbackRating(principle=interview.principles[0], rating="meets_the_bar",
                                              evidence="Seems smart.")
            feedback.ratings.append(rating)
            db.session.flush()
            feedback.status, feedback.vote, feedback.raises_bar = "submitted", "inclined", True
            feedback.submitted_at = interview.ends_at
        loop.step = Step.DEBRIEF
        asked = db.session.scalars(select(AskedQuestion)).first()
        text, principle_name = asked.version.text, asked.principle.name
        db.session.commit()
        loop_id = loop.id
    auth.login(hiring_manager)
    page = client.get(f"/loops/{loop_id}/debrief").get_data(as_text=True)
    assert "Questions asked, by principle" in page
    assert text.replace("<", "&lt;").replace(">", "&gt;") in page and "<b>" not in page
    assert "Evidence coaching" in page and "Opinion, not evidence" in page
    from app.reports.data import report_data
    with app.app_context():
        data = report_data(db.session.get(Loop, loop_id))
    assert principle_name in {q["principle"] for q in data["questions"]}
    assert all(a["version"] == 1 and a["by"] for q in data["questions"] for a in q["asked"])
    pdf = client.get(f"/loops/{loop_id}/debrief.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_the_home_page_and_the_loop_page_link_to_the_kit_in_one_click(client, auth, ids, interviewer, app):
    with app.app_context():
        loop = db.session.get(Loop, ids["loop"])
        interview = next(i for i in loop.interviews if i.id == ids["interview"])
        interview.starts_at = factories.utcnow() + factories.timedelta(days=1)
        loop.step = Step.IN_HOUSE_INTERVIEWS
        db.session.commit()
    kit = f'/loops/{ids["loop"]}/interviews/{ids["interview"]}/kit'
    auth.login(interviewer)
    assert f'href="{kit}"' in client.get("/").get_data(as_text=True)
    assert f'href="{kit}"' in client.get(f'/loops/{ids["loop"]}').get_data(as_text=True)
    ics = client.get(f'/loops/{ids["loop"]}/interviews/{ids["interview"]}.ics').get_data(as_text=True)
    assert "kit" in ics.replace("\r\n ", "")


def test_the_metrics_count_flagged_feedbacks_per_interviewer_only_where_the_viewer_may_read(app):
    from app.metrics.coaching import coaching
    from app.metrics.scope import Scope

    with app.app_context():
        loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK)
        flagged = None
        for interview in [i for i in loop.interviews if i.kind == "in_house"]:
            feedback = factories.Feedback(author=interview.interviewer, interview=interview, summary="x")
            db.session.add(feedback)
            db.session.flush()
            if flagged is None:  # the first one carried a flag when it was sealed
                flagged = feedback
                db.session.add(CoachingFlag(feedback_id=feedback.id, rule="opinion_only"))
                db.session.flush()
            feedback.status, feedback.vote, feedback.raises_bar = "submitted", "inclined", True
            feedback.submitted_at = interview.ends_at
        loop.step = Step.DEBRIEF
        db.session.flush()
        rows = {r.interviewer.id: r for r in coaching(Scope(loop.recruiter))}
        assert rows[flagged.author_id].flagged == {"opinion_only": 1} and rows[flagged.author_id].sealed == 1
        assert all(sum(r.flagged.values()) == 0 for person, r in rows.items() if person != flagged.author_id)
        outsider = factories.make_user(certification="certified")
        assert coaching(Scope(outsider)) == []
        db.session.rollback()


def test_the_assignment_mail_and_its_invitation_link_to_the_kit(app, recruiter):
    from app.interviews.services import schedule_interview
    from app.notifications.messages import compose
    from app.notifications.models import Notification

    with app.app_context():
        loop = factories.make_loop(step=Step.PHONE_SCREEN, recruiter=db.session.get(User, recruiter.id))
        person = factories.make_user(name="Kit Reader")
        interview = schedule_interview(loop, loop.recruiter, kind="in_house", interviewer=person,
                                       starts_at=factories.utcnow() + factories.timedelta(days=2),
                                       duration_minutes=60, location="", principles=loop.requisition.principles[:1])
        notification = db.session.scalar(select(Notification).where(Notification.interview_id == interview.id,
                                                                    Notification.recipient_id == person.id))
        mail = compose(notification)
        kit = f"/loops/{loop.id}/interviews/{interview.id}/kit"
        assert kit in mail.body
        invitation = mail.attachments[0].content.decode().replace("\r\n ", "")
        assert kit in invitation
        db.session.rollback()
