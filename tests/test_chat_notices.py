"""Chat notices: a person's and a requisition's Slack-compatible channel hear the e-mails' notices, with links,
from the webhook outbox; never feedback; set on pages only by whoever may."""

import ipaddress
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.extensions import db
from app.interviews import services as interviews
from app.interviews.models import Interview, InterviewKind
from app.loops.models import Loop, Step
from app.loops.workflow import advance_loop
from app.notifications.reminders import queue_feedback_reminders
from app.people.models import User
from app.webhooks.delivery import deliver_due
from app.webhooks.models import ChatHook
from tests import factories
from tests.conftest import dispose, make_app
from tests.webhook_receiver import start

LOCAL = (frozenset(), (ipaddress.ip_network("127.0.0.1/32"),))


@pytest.fixture
def app(database, tmp_path):
    app = make_app(database, tmp_path, WEBHOOK_ALLOWED_HOSTS=LOCAL, APP_BASE_URL="https://hiring.example.test")
    yield app
    dispose(app)


@pytest.fixture
def receiver():
    receiver, server = start()
    yield receiver
    server.shutdown()
    server.server_close()


def texts(receiver, path: str) -> list[str]:
    return [json.loads(r.body)["text"] for r in receiver.requests if r.path == path]


@pytest.fixture
def channels(app, client, auth, receiver, recruiter, hiring_manager, bar_raiser, interviewer):
    """A loop in written feedback; the interviewer's own channel and the requisition's, set on their pages."""
    with app.app_context():
        get = lambda p: db.session.get(User, p.id)  # noqa: E731
        panel = [get(bar_raiser), get(interviewer), factories.make_user(), factories.make_user()]
        loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK, recruiter=get(recruiter),
                                   hiring_manager=get(hiring_manager), bar_raiser=get(bar_raiser), interviewers=panel)
        db.session.commit()
        ids = {"loop": loop.id, "requisition": loop.requisition_id}
    auth.login(interviewer)
    assert client.post("/account/chat", data={"url": receiver.url + "me"}).status_code == 302
    auth.logout()
    auth.login(hiring_manager)
    response = client.post(f"/requisitions/{ids['requisition']}/chat", data={"url": receiver.url + "req"})
    assert response.status_code == 302
    auth.logout()
    return ids


def test_an_assignment_reaches_the_interviewer_and_the_requisition_channel_with_links(app, receiver, channels,
                                                                                       interviewer):
    with app.app_context():
        loop = db.session.get(Loop, channels["loop"])
        loop.step = Step.PHONE_SCREEN
        interviews.schedule_interview(loop, loop.recruiter, kind=InterviewKind.PHONE_SCREEN,
                                      interviewer=db.session.get(User, interviewer.id),
                                      starts_at=utcnow() + timedelta(days=2), duration_minutes=45, location="Room 4",
                                      principles=loop.requisition.principles[:1])
        db.session.commit()
        assert deliver_due().delivered == 2
    [mine], [theirs] = texts(receiver, "/me"), texts(receiver, "/req")
    assert mine.startswith("*Interview assigned: ") and "Room 4" in mine
    assert f"<https://hiring.example.test/loops/{channels['loop']}/interviews/" in mine and "|Interview kit>" in mine
    assert interviewer.name in theirs  # the channel is told whose interview it is
    assert receiver.requests[0].headers["content-type"] == "application/json"


def test_a_reminder_and_debrief_ready_arrive_once_per_channel_never_with_feedback(app, receiver, channels,
                                                                                   interviewer):
    with app.app_context():
        loop = db.session.get(Loop, channels["loop"])
        pending = next(i for i in loop.interviews if i.interviewer_id == interviewer.id)
        hours = app.config["FEEDBACK_DUE_HOURS"]
        pending.starts_at = utcnow() + timedelta(hours=1) - timedelta(hours=hours, minutes=pending.duration_minutes)
        for interview in loop.interviews:
            if interview.kind == InterviewKind.IN_HOUSE and interview.id != pending.id:
                factories.submit_feedback(interview, interview.interviewer, "inclined")
        db.session.commit()
        assert queue_feedback_reminders(utcnow()) == 1
        db.session.commit()
        deliver_due()
        factories.submit_feedback(db.session.get(Interview, pending.id), pending.interviewer, "inclined")
        loop = db.session.get(Loop, channels["loop"])
        advance_loop(loop, loop.recruiter, Step.DEBRIEF)
        db.session.commit()
        deliver_due()
        assert deliver_due(utcnow() + timedelta(days=1)).delivered == 0
    mine, theirs = texts(receiver, "/me"), texts(receiver, "/req")
    assert [t.split(":")[0] for t in mine] == ["*Feedback due soon", "*Debrief ready"]
    assert [t.split(":")[0] for t in theirs] == ["*Feedback due soon", "*Debrief ready"]  # once, not per person
    assert "|Write feedback>" in mine[0] and "|Open the debrief>" in mine[1]
    for text in mine + theirs:
        for written in ("ledger migration", "Clear, specific", "inclined", "Inclined"):
            assert written not in text


def test_chat_addresses_are_checked_and_set_only_by_their_owner(app, client, auth, channels, recruiter,
                                                                 interviewer):
    app.config["WEBHOOK_ALLOWED_HOSTS"] = (frozenset(), ())
    auth.login(interviewer)
    refused = client.post("/account/chat", data={"url": "http://localhost:9/hook"})
    assert refused.status_code == 422 and 'id="url-error"' in refused.get_data(as_text=True)
    assert client.post("/account/chat", data={"url": ""}).status_code == 302  # empty: notices off
    auth.logout()
    auth.login(recruiter)
    assert client.get(f"/requisitions/{channels['requisition']}/chat").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(ChatHook.id))) == 1  # the requisition's; the person's is gone
        hook = db.session.scalars(select(ChatHook)).one()
        assert "127.0.0.1" not in hook.url_ciphertext and hook.url_hint.endswith("/…")
