"""E-mail: the outbox, `flask send-reminders`, and a real SMTP server on 127.0.0.1 reading what arrives."""

import email
import email.policy
import logging
import socket
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEntry
from app.db_types import utcnow
from app.debrief import services as debrief
from app.extensions import db
from app.interviews import services as interviews
from app.interviews.models import Interview, InterviewKind
from app.loops import workflow
from app.loops.models import Loop, LoopStatus, Step
from app.notifications import services as notifications
from app.notifications.delivery import MAX_ATTEMPTS
from app.notifications.messages import in_zone
from app.notifications.models import Notification, NotificationKind, NotificationStatus
from app.people.models import User
from tests import factories

EVIDENCE = "Rebuilt the settlement batch after the 2am outage; cut reconciliation from days to hours."
SUMMARY = "Clear, specific examples."  # what factories.submit_feedback writes as the summary
# Whatever feedback or the debrief holds, in words a mail must never carry.
FORBIDDEN = [EVIDENCE, SUMMARY, "Inclined to hire", "Not inclined", "Meets the bar", "Raises the bar",
             "Below the bar", "Strong concern", "No hire", "Vetoed", "Concurred", "NOT-ENOUGH-DEPTH-RATIONALE",
             "CONCUR-RATIONALE", "VETO-RATIONALE"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message, or refuses them all with `refusal`."""

    def __init__(self):
        self.envelopes = []
        self.refusal: str | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refusal:
            return self.refusal
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m, e in zip(self.messages, self.envelopes, strict=True) if e.rcpt_tos == [address]]


@pytest.fixture
def inbox(app):
    """Start a real SMTP server on loopback and point the app at it."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SENDER="hiring@example.test",
                      APP_BASE_URL="https://hiring.example.test/tracker")
    yield handler
    controller.stop()


@pytest.fixture
def mail_server_down(app):
    """Point the app at a loopback port where nothing listens."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())


@pytest.fixture
def app_log(caplog, monkeypatch):
    """Capture the app's log from INFO up.

    migrations/env.py runs logging.fileConfig, which disables the loggers that
    exist when the suite migrates a database; the app's may be one of them.
    """
    monkeypatch.setattr(logging.getLogger("app"), "disabled", False)
    caplog.set_level(logging.INFO, logger="app")
    return caplog


def send_reminders(runner) -> str:
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def subject(message) -> str:
    # A long subject is folded onto the next line; Python's parser keeps the fold's space, mail readers do not.
    return str(message["Subject"]).strip()


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def assert_no_feedback_content(messages) -> None:
    for message in messages:
        text = subject(message) + "\n" + body(message) + "".join(
            part.get_payload(decode=True).decode() for part in message.iter_attachments())
        for words in FORBIDDEN:
            assert words not in text, (subject(message), words)


def rows(app, **where) -> list[Notification]:
    with app.app_context():
        query = select(Notification).filter_by(**where).order_by(Notification.id)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def get(model, id_):
    return db.session.get(model, id_)


# --- Interview assigned: queued by the request, delivered by the command -------------------------------

@pytest.fixture
def panel(app, recruiter, hiring_manager, bar_raiser, interviewer):
    """A loop at in-house interviews whose panel lacks the interviewer fixture, who is in New York."""
    with app.app_context():
        people = {p.id: get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser, interviewer)}
        people[interviewer.id].timezone = "America/New_York"
        loop = factories.make_loop(
            step=Step.IN_HOUSE_INTERVIEWS, recruiter=people[recruiter.id], hiring_manager=people[hiring_manager.id],
            bar_raiser=people[bar_raiser.id], interviewers=[people[bar_raiser.id], factories.make_user()],
            phone_screen_evidence=EVIDENCE)
        db.session.commit()
        return {"loop": loop.id, "principles": [p.id for p in loop.requisition.principles[:2]],
                "principle_names": [p.name for p in loop.requisition.principles[:2]],
                "candidate": loop.candidate.name, "requisition": loop.requisition.title}


def schedule_over_http(client, auth, recruiter, interviewer, panel, starts="2031-03-04T15:00"):
    auth.login(recruiter)
    response = client.post(f"/loops/{panel['loop']}/interviews", data={
        "kind": "in_house", "interviewer_id": interviewer.id, "starts_at": starts, "duration_minutes": "60",
        "location": "Room 4, Harbour building", "principle_ids": panel["principles"]})
    auth.logout()
    return response


def test_scheduling_works_and_queues_the_mail_while_the_mail_server_is_down(app, client, auth, recruiter,
                                                                          interviewer, panel, mail_server_down,
                                                                          runner):
    assert schedule_over_http(client, auth, recruiter, interviewer, panel).status_code == 302
    [queued] = rows(app)
    assert (queued.kind, queued.recipient_id, queued.status) == (
        NotificationKind.INTERVIEW_ASSIGNED, interviewer.id, NotificationStatus.PENDING)
    assert send_reminders(runner) == "Queued 0, sent 0, failed 1."
    assert rows(app)[0].status == NotificationStatus.FAILED


def test_the_interviewer_receives_the_assignment_in_their_zone_with_the_calendar_file(app, client, auth, recruiter,
                                                                                    interviewer, panel, inbox,
                                                                                    runner):
    schedule_over_http(client, auth, recruiter, interviewer, panel)
    assert send_reminders(runner) == "Queued 0, sent 1, failed 0."
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == [interviewer.email]
    [message] = inbox.messages
    assert message["From"] == "hiring@example.test"
    assert message["To"] == interviewer.email
    assert subject(message) == f"Interview assigned: {panel['candidate']} ({panel['requisition']})"
    text = body(message)
    assert panel["candidate"] in text and panel["requisition"] in text
    assert "Tue 04 Mar 2031, 10:00 EST to 11:00 EST" in text  # 15:00 UTC, in New York
    assert "Room 4, Harbour building" in text
    for name in panel["principle_names"]:
        assert f"- {name}: " in text
    assert f"https://hiring.example.test/tracker/loops/{panel['loop']}" in text

    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename().endswith(".ics")
    [event] = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2031, 3, 4, 15, 0, tzinfo=UTC)
    assert panel["candidate"] in str(event["summary"])
    for name in panel["principle_names"]:
        assert name in str(event["description"])
    assert_no_feedback_content(inbox.messages)


def test_running_the_command_twice_sends_nothing_twice(app, client, auth, recruiter, interviewer, panel, inbox,
                                                       runner):
    schedule_over_http(client, auth, recruiter, interviewer, panel)
    assert send_reminders(runner) == "Queued 0, sent 1, failed 0."
    assert send_reminders(runner) == "Queued 0, sent 0, failed 0."
    assert len(inbox.envelopes) == 1
    [sent] = rows(app)
    assert sent.status == NotificationStatus.SENT and sent.sent_at is not None and sent.attempts == 1


def test_a_cancelled_interview_takes_its_unsent_mail_with_it(app, recruiter, panel):
    with app.app_context():
        loop, actor = get(Loop, panel["loop"]), get(User, recruiter.id)
        interview = interviews.schedule_interview(
            loop, actor, kind="in_house", interviewer=factories.make_user(), starts_at=utcnow() + timedelta(days=9),
            duration_minutes=45, location="", principles=loop.requisition.principles[:1])
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
        interviews.cancel_interview(interview, actor)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_an_interview_announced_too_late_is_skipped_not_sent(app, recruiter, panel, inbox, runner):
    with app.app_context():
        loop, actor = get(Loop, panel["loop"]), get(User, recruiter.id)
        interviews.schedule_interview(
            loop, actor, kind="in_house", interviewer=factories.make_user(), starts_at=utcnow() + timedelta(days=9),
            duration_minutes=45, location="", principles=loop.requisition.principles[:1])
        workflow.end_loop(loop, actor, LoopStatus.WITHDRAWN, "Took another offer.")
        db.session.commit()
    assert send_reminders(runner) == "Queued 0, sent 0, failed 0, skipped 1."
    assert inbox.envelopes == []
    [skipped] = rows(app)
    assert skipped.status == NotificationStatus.SKIPPED and "closed" in skipped.last_error


# --- Reminders and escalations -------------------------------------------------------------------------

@pytest.fixture
def late_writer(app, recruiter, hiring_manager, bar_raiser, interviewer):
    """A loop in written feedback where everyone but the interviewer fixture has submitted."""
    with app.app_context():
        people = {p.id: get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser, interviewer)}
        panel = [people[bar_raiser.id], people[interviewer.id], factories.make_user(), factories.make_user()]
        loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK, recruiter=people[recruiter.id],
                                   hiring_manager=people[hiring_manager.id], bar_raiser=people[bar_raiser.id],
                                   interviewers=panel, phone_screen_evidence=EVIDENCE)
        pending = None
        for interview in loop.interviews:
            if interview.kind != InterviewKind.IN_HOUSE:
                continue
            if interview.interviewer_id == interviewer.id:
                pending = interview
            else:
                factories.submit_feedback(interview, interview.interviewer, "inclined", evidence=EVIDENCE)
        db.session.commit()
        return {"loop": loop.id, "interview": pending.id}


def due_in(app, interview_id: int, delta: timedelta) -> None:
    """Move the interview so that its feedback is due `delta` from now (negative: overdue)."""
    with app.app_context():
        interview = get(Interview, interview_id)
        hours = app.config["FEEDBACK_DUE_HOURS"]
        interview.starts_at = utcnow() + delta - timedelta(hours=hours, minutes=interview.duration_minutes)
        db.session.commit()


def test_nothing_is_sent_while_feedback_is_not_yet_nearly_due(app, late_writer, inbox, runner):
    due_in(app, late_writer["interview"], timedelta(hours=5))
    assert send_reminders(runner) == "Queued 0, sent 0, failed 0."
    assert inbox.envelopes == []


def test_a_reminder_before_the_due_time_and_an_escalation_to_the_recruiter_only_after(
        app, late_writer, inbox, runner, interviewer, recruiter):
    due_in(app, late_writer["interview"], timedelta(hours=1, minutes=30))
    assert send_reminders(runner) == "Queued 1, sent 1, failed 0."
    [reminder] = inbox.to(interviewer.email)
    assert subject(reminder).startswith("Feedback due soon: ")
    assert f"/loops/{late_writer['loop']}/interviews/{late_writer['interview']}/feedback" in body(reminder)
    assert inbox.to(recruiter.email) == []

    assert send_reminders(runner) == "Queued 0, sent 0, failed 0."
    due_in(app, late_writer["interview"], timedelta(minutes=-5))
    assert send_reminders(runner) == "Queued 1, sent 1, failed 0."
    [escalation] = inbox.to(recruiter.email)
    assert subject(escalation).startswith(f"Late feedback: {interviewer.name} on ")
    assert "has not submitted feedback" in body(escalation)
    assert len(inbox.to(interviewer.email)) == 1

    assert send_reminders(runner) == "Queued 0, sent 0, failed 0."
    assert len(inbox.envelopes) == 2
    assert_no_feedback_content(inbox.messages)


def test_late_feedback_that_arrives_before_the_run_is_not_chased(app, late_writer, inbox, runner, interviewer):
    due_in(app, late_writer["interview"], timedelta(hours=-3))
    with app.app_context():
        interview = get(Interview, late_writer["interview"])
        factories.submit_feedback(interview, interview.interviewer, "inclined", evidence=EVIDENCE)
        db.session.commit()
    assert send_reminders(runner) == "Queued 0, sent 0, failed 0."


# --- Debrief ready and decision recorded ---------------------------------------------------------------

def test_participants_hear_the_debrief_is_ready_but_not_the_one_who_moved_it(app, late_writer, inbox, runner,
                                                                           recruiter, hiring_manager, bar_raiser,
                                                                           interviewer):
    with app.app_context():
        interview = get(Interview, late_writer["interview"])
        factories.submit_feedback(interview, interview.interviewer, "inclined", evidence=EVIDENCE)
        loop = get(Loop, late_writer["loop"])
        workflow.advance_loop(loop, get(User, recruiter.id), Step.DEBRIEF)
        db.session.commit()
        everyone = {i.interviewer.email for i in loop.interviews} | {hiring_manager.email, bar_raiser.email}
    send_reminders(runner)
    assert {e.rcpt_tos[0] for e in inbox.envelopes} == everyone
    assert len(inbox.envelopes) == len(everyone)
    assert inbox.to(recruiter.email) == []
    message = inbox.to(interviewer.email)[0]
    assert subject(message).startswith("Debrief ready: ")
    assert f"https://hiring.example.test/tracker/loops/{late_writer['loop']}/debrief" in body(message)
    assert_no_feedback_content(inbox.messages)


@pytest.mark.parametrize("outcome, verdict", [("no_hire", None), ("hire", "veto"), ("hire", "concur")])
def test_everyone_hears_a_decision_was_recorded_never_what_it_was(app, inbox, runner, recruiter, hiring_manager,
                                                                  bar_raiser, interviewer, outcome, verdict):
    with app.app_context():
        people = {p.id: get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser, interviewer)}
        panel = [people[bar_raiser.id], people[interviewer.id], factories.make_user(), factories.make_user()]
        loop = factories.make_loop(step=Step.DEBRIEF, recruiter=people[recruiter.id],
                                   hiring_manager=people[hiring_manager.id], bar_raiser=people[bar_raiser.id],
                                   interviewers=panel, phone_screen_evidence=EVIDENCE)
        others = {p.email for p in panel[1:]} | {recruiter.email}
        loop_id = loop.id
        db.session.commit()
        debrief.decide(loop, people[hiring_manager.id], outcome, "NOT-ENOUGH-DEPTH-RATIONALE"
                       if outcome == "no_hire" else "Strong on ownership.")
        db.session.commit()
    send_reminders(runner)
    if verdict is not None:
        with app.app_context():
            debrief.record_verdict(get(Loop, loop_id), get(User, bar_raiser.id), verdict,
                                   f"{verdict.upper()}-RATIONALE")
            db.session.commit()
        send_reminders(runner)
    for address in others:  # the same single mail whatever the outcome
        [message] = inbox.to(address)
        assert subject(message).startswith("Debrief decision recorded: ")
        assert "A decision has been recorded at the debrief" in body(message)
    [to_bar_raiser] = inbox.to(bar_raiser.email)
    assert ("waits for you, the bar raiser" in body(to_bar_raiser)) == (outcome == "hire")
    assert len(inbox.to(hiring_manager.email)) == (0 if outcome == "no_hire" else 1)
    assert_no_feedback_content(inbox.messages)


# --- Failures, retries, the log ------------------------------------------------------------------------

@pytest.fixture
def two_queued(app, panel, recruiter):
    """Two interview-assigned mails in the outbox."""
    with app.app_context():
        loop, actor = get(Loop, panel["loop"]), get(User, recruiter.id)
        for day in (8, 9):
            interviews.schedule_interview(
                loop, actor, kind="in_house", interviewer=factories.make_user(),
                starts_at=utcnow() + timedelta(days=day), duration_minutes=45, location="",
                principles=loop.requisition.principles[:1])
        db.session.commit()


def test_a_refusing_server_marks_the_mail_failed_logs_it_and_the_next_run_delivers(app, two_queued, inbox,
                                                                                   runner, app_log):
    inbox.refusal = "451 4.3.0 Try again later"
    assert send_reminders(runner) == "Queued 0, sent 0, failed 2."
    failed = rows(app)
    assert [(n.status, n.attempts) for n in failed] == [(NotificationStatus.FAILED, 1)] * 2
    assert all("451" in n.last_error and "Try again later" in n.last_error for n in failed)
    warnings = [r.getMessage() for r in app_log.records if r.levelno == logging.WARNING]
    assert sum("failed, attempt 1 of 5: 451 4.3.0 Try again later" in w for w in warnings) == 2

    inbox.refusal = None
    assert send_reminders(runner) == "Queued 0, sent 2, failed 0."
    assert [(n.status, n.attempts) for n in rows(app)] == [(NotificationStatus.SENT, 2)] * 2
    assert len(inbox.envelopes) == 2


def test_an_unreachable_server_fails_each_mail_and_gives_up_after_the_last_attempt(app, two_queued,
                                                                                   mail_server_down, runner):
    assert send_reminders(runner) == "Queued 0, sent 0, failed 2."
    assert all("cannot use the mail server" in n.last_error for n in rows(app))
    with app.app_context():
        for notification in db.session.scalars(select(Notification)):
            notification.attempts = MAX_ATTEMPTS
        db.session.commit()
    assert send_reminders(runner) == "Queued 0, sent 0, failed 0."


def test_without_a_mail_server_the_mail_is_written_to_the_log_and_counts_as_sent(app, two_queued, runner, app_log):
    app.config["MAIL_SERVER"] = ""
    assert send_reminders(runner) == "Queued 0, sent 2, failed 0."
    logged = [r.getMessage() for r in app_log.records if "MAIL_SERVER is not set" in r.getMessage()]
    assert len(logged) == 2
    assert "Subject: Interview assigned: " in logged[0] and "Principles to probe:" in logged[0]
    assert all(n.status == NotificationStatus.SENT for n in rows(app))


# --- The outbox itself ---------------------------------------------------------------------------------

def test_queueing_the_same_mail_twice_keeps_one_row(app, panel):
    with app.app_context():
        loop = get(Loop, panel["loop"])
        first = notifications.queue("debrief_ready", loop.recruiter, loop=loop)
        second = notifications.queue("debrief_ready", loop.recruiter, loop=loop)
        db.session.commit()
        assert first is not None and second is None
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_losing_a_race_to_queue_costs_the_duplicate_not_the_request(app, panel, monkeypatch):
    with app.app_context():
        loop = get(Loop, panel["loop"])
        assert notifications.queue("debrief_ready", loop.recruiter, loop=loop) is not None
        db.session.commit()
        # Another request queued the same mail between this one's look-up and its insert.
        monkeypatch.setattr(notifications, "is_queued", lambda key: False)
        db.session.add(AuditEntry(at=utcnow(), action="test.kept", subject_type="Loop", subject_id=loop.id,
                                  details={}))
        assert notifications.queue("debrief_ready", loop.recruiter, loop=loop) is None
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="test.kept")) == 1


def test_deactivated_people_are_not_mailed(app, panel):
    with app.app_context():
        loop = get(Loop, panel["loop"])
        loop.recruiter.active = False
        assert notifications.queue("debrief_ready", loop.recruiter, loop=loop) is None


def test_the_database_refuses_an_interview_mail_without_its_interview(app, panel):
    with app.app_context():
        loop = get(Loop, panel["loop"])
        db.session.add(Notification(kind=NotificationKind.FEEDBACK_REMINDER, recipient=loop.recruiter, loop=loop,
                                    dedupe_key="by-hand"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_times_are_shown_in_the_recipients_zone():
    moment = datetime(2031, 7, 1, 12, 0, tzinfo=UTC)
    assert in_zone(moment, ZoneInfo("Europe/Berlin")) == "Tue 01 Jul 2031, 14:00 CEST"
    assert in_zone(moment, ZoneInfo("Asia/Kolkata"), "%H:%M") == "17:30 IST"
