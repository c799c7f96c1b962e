"""Calendars that follow changes: invitations that update and cancel one event, and a private feed per person.

Mail goes through the outbox to a real SMTP server on 127.0.0.1 (the `inbox` of
test_notifications); feeds and mails are read back with icalendar.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEntry
from app.db_types import utcnow
from app.extensions import db
from app.interviews import feeds
from app.interviews import services as interviews
from app.interviews.models import CalendarFeed, CancelledInterview, Interview
from app.loops import workflow
from app.loops.models import Loop, LoopStatus, Step
from app.notifications.models import Notification, NotificationKind, NotificationStatus
from app.people.models import User
from app.tokens import digest_of
from tests import factories
from tests import test_notifications as mail

inbox = mail.inbox  # the real SMTP server on loopback
panel = mail.panel  # a loop at the in-house interviews; the interviewer fixture (New York) is not on it yet

STARTS, MOVED = "2031-03-04T15:00", "2031-03-05T16:30"  # the recruiter's zone is UTC


# --- helpers ---------------------------------------------------------------------------------------------

def schedule(client, auth, recruiter, interviewer, panel) -> Interview:
    assert mail.schedule_over_http(client, auth, recruiter, interviewer, panel, starts=STARTS).status_code == 302
    return the_interview(client.application, interviewer)


def the_interview(app, interviewer) -> Interview:
    with app.app_context():
        interview = db.session.scalar(select(Interview).where(Interview.interviewer_id == interviewer.id))
        db.session.expunge_all()
        return interview


def reschedule(client, auth, recruiter, interview, **fields):
    auth.login(recruiter)
    data = {"starts_at": MOVED, "duration_minutes": "45", "location": "Room 9, Harbour building", **fields}
    response = client.post(f"/loops/{interview.loop_id}/interviews/{interview.id}/reschedule", data=data)
    auth.logout()
    return response


def cancel(client, auth, recruiter, interview):
    auth.login(recruiter)
    response = client.post(f"/loops/{interview.loop_id}/interviews/{interview.id}/cancel")
    auth.logout()
    return response


def feed_token(app, person) -> str:
    with app.app_context():
        token = feeds.issue_feed(db.session.get(User, person.id))
        db.session.commit()
        return token


def feed_events(client, token: str) -> dict:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def calendar_parts(message) -> list:
    return [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]


def one_event(part):
    calendar = Calendar.from_ical(part.get_content())
    [event] = calendar.walk("VEVENT")
    return calendar, event


def deliver(runner) -> str:
    return mail.send_reminders(runner)


# --- the invitation ----------------------------------------------------------------------------------------

def test_the_invitation_is_a_request_for_the_interviews_event_with_organizer_attendee_and_utc_times(
        app, client, auth, recruiter, interviewer, panel, inbox, runner):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    assert interview.calendar_uid.startswith("interview-") and interview.calendar_sequence == 0
    deliver(runner)
    [message] = inbox.to(interviewer.email)
    [part] = calendar_parts(message)
    assert part.get_param("method") == "REQUEST"
    calendar, event = one_event(part)
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == interview.calendar_uid
    assert event.decoded("sequence") == 0
    assert str(event["organizer"]) == f"mailto:{recruiter.email}"
    assert str(event["attendee"]) == f"mailto:{interviewer.email}"
    assert event["attendee"].params["CN"] == interviewer.name
    assert event.decoded("dtstart") == datetime(2031, 3, 4, 15, 0, tzinfo=UTC)
    assert "dtstamp" in event
    raw = part.get_content()
    assert "DTSTART:20310304T150000Z" in raw.replace("\r\n ", "")  # UTC, not a local time with a zone


def test_the_uid_is_fixed_at_scheduling_and_differs_between_interviews(app, recruiter, panel):
    with app.app_context():
        loop, actor = db.session.get(Loop, panel["loop"]), db.session.get(User, recruiter.id)
        made = [interviews.schedule_interview(
            loop, actor, kind="in_house", interviewer=factories.make_user(), starts_at=utcnow() + timedelta(days=d),
            duration_minutes=45, location="", principles=loop.requisition.principles[:1]) for d in (8, 9)]
        db.session.commit()
        uids = [i.calendar_uid for i in made]
        assert len(set(uids)) == 2 and all(u.endswith("@" + app.config["CALENDAR_DOMAIN"]) for u in uids)
        interviews.reschedule_interview(made[0], actor, starts_at=made[0].starts_at + timedelta(hours=2),
                                        duration_minutes=45, location="")
        db.session.commit()
        assert made[0].calendar_uid == uids[0] and made[0].calendar_sequence == 1


# --- a reschedule updates the same event --------------------------------------------------------------------

def test_a_reschedule_updates_the_event_in_the_feed_and_mails_an_updated_request(
        app, client, auth, recruiter, interviewer, panel, inbox, runner):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    token = feed_token(app, interviewer)
    before = feed_events(client, token)
    assert list(before) == [interview.calendar_uid]
    assert before[interview.calendar_uid].decoded("sequence") == 0
    deliver(runner)  # the first invitation

    response = reschedule(client, auth, recruiter, interview)
    assert response.status_code == 302

    after = feed_events(client, token)
    assert list(after) == [interview.calendar_uid]  # updated, not duplicated
    event = after[interview.calendar_uid]
    assert event.decoded("sequence") == 1
    assert event.decoded("dtstart") == datetime(2031, 3, 5, 16, 30, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2031, 3, 5, 17, 15, tzinfo=UTC)
    assert str(event["location"]) == "Room 9, Harbour building"
    assert str(event["status"]) == "CONFIRMED"

    deliver(runner)
    first, update = inbox.to(interviewer.email)
    assert mail.subject(update) == f"Interview moved: {panel['candidate']} ({panel['requisition']})"
    assert "When:  Wed 05 Mar 2031, 11:30 EST to 12:15 EST" in mail.body(update)  # in the interviewer's zone
    [part] = calendar_parts(update)
    assert part.get_param("method") == "REQUEST"
    calendar, mailed = one_event(part)
    assert str(mailed["uid"]) == interview.calendar_uid and mailed.decoded("sequence") == 1
    assert mailed.decoded("dtstart") == datetime(2031, 3, 5, 16, 30, tzinfo=UTC)
    mail.assert_no_feedback_content(inbox.messages)

    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "interview.rescheduled")).all()
        assert entry.details["starts_at_to"].startswith("2031-03-05T16:30")
        assert entry.actor_id == recruiter.id


def test_two_quick_moves_mail_the_latest_only(app, client, auth, recruiter, interviewer, panel, inbox, runner):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    deliver(runner)
    assert reschedule(client, auth, recruiter, interview).status_code == 302
    assert reschedule(client, auth, recruiter, interview, starts_at="2031-03-06T09:00").status_code == 302
    assert deliver(runner) == "Queued 0, sent 1, failed 0, skipped 1."
    [_, update] = inbox.to(interviewer.email)
    _, event = one_event(calendar_parts(update)[0])
    assert event.decoded("sequence") == 2
    assert event.decoded("dtstart") == datetime(2031, 3, 6, 9, 0, tzinfo=UTC)


def test_saving_the_form_unchanged_sends_nothing(app, client, auth, recruiter, interviewer, panel, runner, inbox):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    deliver(runner)
    response = reschedule(client, auth, recruiter, interview, starts_at=STARTS, duration_minutes="60",
                          location="Room 4, Harbour building")
    assert response.status_code == 302
    assert the_interview(app, interviewer).calendar_sequence == 0
    assert deliver(runner) == "Queued 0, sent 0, failed 0."


# --- a cancellation cancels the same event -----------------------------------------------------------------

def test_a_cancellation_mails_a_cancel_and_the_feed_shows_the_event_cancelled(
        app, client, auth, recruiter, interviewer, panel, inbox, runner):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    token = feed_token(app, interviewer)
    deliver(runner)
    assert cancel(client, auth, recruiter, interview).status_code == 302

    events = feed_events(client, token)
    assert list(events) == [interview.calendar_uid]
    event = events[interview.calendar_uid]
    assert str(event["status"]) == "CANCELLED"
    assert event.decoded("sequence") == 1
    assert event.decoded("dtstart") == datetime(2031, 3, 4, 15, 0, tzinfo=UTC)

    assert deliver(runner) == "Queued 0, sent 1, failed 0."
    _, cancellation = inbox.to(interviewer.email)
    assert mail.subject(cancellation) == f"Interview cancelled: {panel['candidate']} ({panel['requisition']})"
    [part] = calendar_parts(cancellation)
    assert part.get_param("method") == "CANCEL"
    calendar, mailed = one_event(part)
    assert str(calendar["method"]) == "CANCEL"
    assert str(mailed["uid"]) == interview.calendar_uid
    assert mailed.decoded("sequence") == 1 and str(mailed["status"]) == "CANCELLED"
    assert str(mailed["organizer"]) == f"mailto:{recruiter.email}"
    assert str(mailed["attendee"]) == f"mailto:{interviewer.email}"
    with app.app_context():
        [row] = db.session.scalars(select(Notification).where(
            Notification.kind == NotificationKind.INTERVIEW_CANCELLED)).all()
        assert row.status == NotificationStatus.SENT and row.interview_id is None
        assert db.session.get(Interview, interview.id) is None


def test_an_interview_cancelled_before_its_invitation_went_out_mails_nothing(app, client, auth, recruiter,
                                                                             interviewer, panel, inbox, runner):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    assert cancel(client, auth, recruiter, interview).status_code == 302
    assert deliver(runner) == "Queued 0, sent 0, failed 0."
    assert inbox.envelopes == []
    token = feed_token(app, interviewer)
    assert str(feed_events(client, token)[interview.calendar_uid]["status"]) == "CANCELLED"


def test_an_interview_whose_loop_closes_before_it_is_cancelled_by_mail_and_in_the_feed(
        app, client, auth, recruiter, interviewer, panel, inbox, runner):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    token = feed_token(app, interviewer)
    deliver(runner)
    with app.app_context():
        loop = db.session.get(Loop, panel["loop"])
        workflow.end_loop(loop, db.session.get(User, recruiter.id), LoopStatus.WITHDRAWN, "Took another offer.")
        db.session.commit()
    event = feed_events(client, token)[interview.calendar_uid]
    assert str(event["status"]) == "CANCELLED" and event.decoded("sequence") == 1

    assert deliver(runner) == "Queued 0, sent 1, failed 0."
    _, cancellation = inbox.to(interviewer.email)
    [part] = calendar_parts(cancellation)
    assert part.get_param("method") == "CANCEL"
    _, mailed = one_event(part)
    assert (str(mailed["uid"]), mailed.decoded("sequence"), str(mailed["status"])) == (
        interview.calendar_uid, 1, "CANCELLED")
    assert "Took another offer" not in mail.body(cancellation) and "withdr" not in mail.body(cancellation).lower()


def test_closing_a_loop_cancels_nothing_that_was_never_sent_or_already_happened(app, recruiter, panel, inbox,
                                                                              runner):
    with app.app_context():
        loop = db.session.get(Loop, panel["loop"])
        workflow.end_loop(loop, db.session.get(User, recruiter.id), LoopStatus.WITHDRAWN, "Took another offer.")
        db.session.commit()
    assert deliver(runner) == "Queued 0, sent 0, failed 0."


def test_the_database_ties_a_cancellation_mail_to_its_cancelled_interview(app, recruiter, panel):
    with app.app_context():
        loop = db.session.get(Loop, panel["loop"])
        db.session.add(Notification(kind=NotificationKind.INTERVIEW_CANCELLED, recipient_id=recruiter.id, loop=loop,
                                    dedupe_key="no-cancelled-interview"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_the_database_keeps_uids_unique_and_sequences_from_going_below_zero(app, panel):
    with app.app_context():
        first, second = [i for i in db.session.get(Loop, panel["loop"]).interviews][:2]
        second.calendar_uid = first.calendar_uid
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        first = db.session.get(Interview, first.id)
        first.calendar_sequence = -1
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


# --- the feed ------------------------------------------------------------------------------------------------

def test_the_feed_lists_only_its_owners_interviews_in_its_window_without_feedback(app, client, interviewer):
    with app.app_context():
        iv = db.session.get(User, interviewer.id)
        other = factories.make_user()
        written = factories.make_loop(step=Step.DEBRIEF, interviewers=[
            factories.make_user(certification="certified", org_unit="Search"), iv, other])
        upcoming = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[
            factories.make_user(certification="certified", org_unit="Search"), iv])
        old = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[iv])
        [too_old] = [i for i in old.interviews if i.interviewer_id == iv.id]
        too_old.starts_at = utcnow() - timedelta(days=200)
        db.session.commit()
        mine = {i.calendar_uid for loop in (written, upcoming) for i in loop.interviews if i.interviewer_id == iv.id}
        theirs = {i.calendar_uid for loop in (written, upcoming) for i in loop.interviews if i.interviewer_id != iv.id}
        too_old = too_old.calendar_uid
        names = {written.candidate.name, upcoming.candidate.name}
        loop_ids = {written.id, upcoming.id}
    token = feed_token(app, interviewer)
    response = client.get(f"/calendar/{token}.ics")
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["x-wr-calname"]) == f"Interviews · {interviewer.name}"
    assert "refresh-interval" in calendar and "x-published-ttl" in calendar
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == mine and not set(events) & (theirs | {too_old})
    assert {str(e["summary"]).split(": ", 1)[1].split(" (")[0] for e in events.values()} == names
    assert {int(str(e["url"]).rsplit("/", 1)[1]) for e in events.values()} == loop_ids
    text = response.get_data(as_text=True).replace("\r\n ", "")
    for words in mail.FORBIDDEN:
        assert words not in text, words


def test_a_cancelled_interview_on_a_loop_the_person_left_does_not_name_the_candidate(app, client, recruiter,
                                                                                    interviewer, panel):
    with app.app_context():
        loop, actor = db.session.get(Loop, panel["loop"]), db.session.get(User, recruiter.id)
        interview = interviews.schedule_interview(
            loop, actor, kind="in_house", interviewer=db.session.get(User, interviewer.id),
            starts_at=utcnow() + timedelta(days=9), duration_minutes=45, location="",
            principles=loop.requisition.principles[:1])
        db.session.commit()
        interviews.cancel_interview(interview, actor)
        db.session.commit()
    token = feed_token(app, interviewer)
    [event] = feed_events(client, token).values()
    assert str(event["status"]) == "CANCELLED"
    assert panel["candidate"] not in str(event["summary"]) and "url" not in event


def test_a_conditional_fetch_of_an_unchanged_feed_is_304_and_a_change_makes_it_200(
        app, client, auth, recruiter, interviewer, panel):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    token = feed_token(app, interviewer)
    first = client.get(f"/calendar/{token}.ics")
    assert first.headers["Cache-Control"].startswith("private")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and modified
    again = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(f"/calendar/{token}.ics", headers={"If-Modified-Since": modified}).status_code == 304

    assert reschedule(client, auth, recruiter, interview).status_code == 302
    changed = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_reset_link_revokes_the_old_one(app, client, interviewer):
    old = feed_token(app, interviewer)
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    new = feed_token(app, interviewer)
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalendarFeed)) == 1


def test_a_deactivated_persons_feed_is_404(app, client, interviewer):
    token = feed_token(app, interviewer)
    with app.app_context():
        db.session.get(User, interviewer.id).active = False
        db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


@pytest.mark.parametrize("token", ["nope", "hrt_cal_", "hrt_cal_" + "A" * 43, "x" * 3000, "%00", "hrt_cal_%FF",
                                   "..%2F..%2Fetc%2Fpasswd"])
def test_bad_tokens_are_404(app, client, interviewer, token):
    feed_token(app, interviewer)
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert b"VCALENDAR" not in response.data


def test_the_feed_is_stored_as_a_digest_only(app, interviewer):
    token = feed_token(app, interviewer)
    with app.app_context():
        feed = db.session.scalar(select(CalendarFeed))
        assert feed.token_digest == digest_of(token) and token not in (feed.token_digest, feed.token_hint)
        assert token.startswith("hrt_cal_") and token.startswith(feed.token_hint)


def test_the_feed_is_rate_limited_per_url(app, client, interviewer):
    app.config["CALENDAR_FEED_LIMIT"] = "3 per minute"
    token = feed_token(app, interviewer)
    assert [client.get(f"/calendar/{token}.ics").status_code for _ in range(4)] == [200, 200, 200, 429]


# --- the account page ------------------------------------------------------------------------------------

def test_the_account_page_shows_a_new_link_once_and_resets_or_turns_it_off(app, client, auth, interviewer):
    auth.login(interviewer)
    page = client.get("/account/calendar").get_data(as_text=True)
    assert "Subscribe in Google Calendar / Outlook" in page and "hrt_cal_" not in page

    made = client.post("/account/calendar")
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    html = made.get_data(as_text=True)
    url = re.search(r'id="feed-url" value="([^"]+)"', html).group(1)
    assert re.fullmatch(r"http://127\.0\.0\.1:5000/calendar/hrt_cal_[\w-]{43}\.ics", url)
    assert f'href="webcal://127.0.0.1:5000/calendar/{url.rsplit("/", 1)[1]}"' in html
    path = url.split("5000", 1)[1]
    assert client.get(path).status_code == 200

    shown_again = client.get("/account/calendar").get_data(as_text=True)
    assert path not in shown_again and "Reset link" in shown_again

    client.post("/account/calendar")  # reset
    assert client.get(path).status_code == 404
    assert client.post("/account/calendar/revoke").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalendarFeed)) == 0
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("calendar_feed.%"))
                                     .order_by(AuditEntry.id)).all()
        assert actions == ["calendar_feed.created", "calendar_feed.reset", "calendar_feed.revoked"]


# --- the reschedule page: refusals ---------------------------------------------------------------------------

def snapshot(app, interview_id: int):
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        return ((interview.starts_at, interview.duration_minutes, interview.location, interview.calendar_sequence),
                db.session.scalar(select(func.count()).select_from(Notification)),
                db.session.scalar(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.action.like("interview.%"))))


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"starts_at": ""}, "starts_at", "Enter the start date and time."),
    ({"starts_at": "tomorrow"}, "starts_at", "Enter a date and time, like 2026-12-01 14:30."),
    ({"starts_at": "0001-01-01T00:00"}, "starts_at", "Choose a date between 2000 and 2999."),
    ({"duration_minutes": "5"}, "duration_minutes", "Between 15 and 480 minutes."),
    ({"duration_minutes": "lots"}, "duration_minutes", "Not a valid integer value."),
    ({"duration_minutes": "99999999999999999999"}, "duration_minutes", "Not a valid integer value."),
    ({"location": "x" * 501}, "location", "Field cannot be longer than 500 characters."),
])
def test_bad_input_on_the_reschedule_form_is_422_beside_its_field_and_writes_nothing(
        app, client, auth, recruiter, interviewer, panel, fields, field, message):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    before = snapshot(app, interview.id)
    response = reschedule(client, auth, recruiter, interview, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error"><span><span class="visually-hidden">Error: </span>([^<]+)<', html)
    assert error and error.group(1).startswith(message)
    assert snapshot(app, interview.id) == before


def test_a_move_onto_another_interview_is_refused_beside_the_start(app, client, auth, recruiter, interviewer,
                                                                   panel):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    with app.app_context():
        other = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS,
                                    interviewers=[db.session.get(User, interviewer.id)])
        [clash] = [i for i in other.interviews if i.interviewer_id == interviewer.id]
        clash.starts_at = datetime(2031, 3, 5, 16, 0, tzinfo=UTC)
        db.session.commit()
    before = snapshot(app, interview.id)
    response = reschedule(client, auth, recruiter, interview)
    assert response.status_code == 422
    assert "is already interviewing from" in response.get_data(as_text=True)
    assert snapshot(app, interview.id) == before


def test_an_interview_with_feedback_cannot_move_and_its_page_says_why(app, client, auth, recruiter, panel):
    with app.app_context():
        loop = db.session.get(Loop, panel["loop"])
        interview = next(i for i in loop.interviews if i.kind == "in_house")
        factories.submit_feedback(interview, interview.interviewer, "inclined")
        db.session.commit()
        interview_id = interview.id
    interview = type("Ref", (), {"id": interview_id, "loop_id": panel["loop"]})
    auth.login(recruiter)
    page = client.get(f"/loops/{panel['loop']}/interviews/{interview_id}/reschedule")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Feedback has been written for this interview." in html and "disabled" in html
    auth.logout()
    before = snapshot(app, interview_id)
    response = reschedule(client, auth, recruiter, interview)
    assert response.status_code == 409
    assert snapshot(app, interview_id) == before


def test_only_the_loops_recruiter_reschedules(app, recruiter, hiring_manager, panel):
    with app.app_context():
        loop = db.session.get(Loop, panel["loop"])
        interview = next(i for i in loop.interviews if i.kind == "in_house")
        with pytest.raises(Exception, match="Only the loop's recruiter reschedules"):
            interviews.reschedule_interview(interview, db.session.get(User, hiring_manager.id),
                                            starts_at=interview.starts_at + timedelta(hours=1),
                                            duration_minutes=60, location="")


def test_the_loop_page_offers_the_reschedule_to_its_recruiter_only(app, client, auth, recruiter, hiring_manager,
                                                                   interviewer, panel):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    link = f"/loops/{panel['loop']}/interviews/{interview.id}/reschedule"
    auth.login(recruiter)
    assert link in client.get(f"/loops/{panel['loop']}").get_data(as_text=True)
    auth.logout()
    auth.login(hiring_manager)
    assert link not in client.get(f"/loops/{panel['loop']}").get_data(as_text=True)
    assert client.get(link).status_code == 403


def test_the_loop_history_tells_of_the_move(app, client, auth, recruiter, interviewer, panel):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    reschedule(client, auth, recruiter, interview)
    auth.login(recruiter)
    html = client.get(f"/loops/{panel['loop']}/history").get_data(as_text=True)
    assert "Interview rescheduled" in html and "Room 9, Harbour building" in html


def test_cancelled_interviews_keep_their_event_for_the_feed(app, client, auth, recruiter, interviewer, panel):
    interview = schedule(client, auth, recruiter, interviewer, panel)
    cancel(client, auth, recruiter, interview)
    with app.app_context():
        [kept] = db.session.scalars(select(CancelledInterview)).all()
        assert (kept.calendar_uid, kept.calendar_sequence, kept.interviewer_id) == (
            interview.calendar_uid, 1, interviewer.id)


# --- the migration ---------------------------------------------------------------------------------------------

def test_interviews_scheduled_before_the_migration_keep_the_uid_their_invitations_carry(app):
    """0014 gives existing interviews `interview-<id>@bar-raiser`, the UID their mailed .ics already had."""
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS)
        db.session.commit()
        ids = sorted(i.id for i in loop.interviews)
        db.session.remove()
        downgrade(revision="0009")
        db.engine.dispose()
        upgrade()
        db.engine.dispose()
        rows = db.session.execute(select(Interview.id, Interview.calendar_uid, Interview.calendar_sequence)
                                  .order_by(Interview.id)).all()
        assert [tuple(r) for r in rows] == [(i, f"interview-{i}@bar-raiser", 0) for i in ids]
        db.session.remove()
