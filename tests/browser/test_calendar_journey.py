"""Calendars in a browser: the recruiter moves an interview; the interviewer subscribes on a phone."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from app.db_types import utcnow
from app.extensions import db
from app.interviews.models import Interview
from app.loops.models import Step
from app.people.models import User
from tests import factories
from tests.browser.accessibility import axe_violations
from tests.browser.journey import sign_in, sign_out
from tests.browser.test_narrow_screens import nothing_hidden_sideways, phone  # noqa: F401  (the 390 px page)

pytestmark = pytest.mark.browser


@pytest.fixture
def booked(app, recruiter, interviewer):
    """A loop at the in-house interviews with the interviewer booked in five days."""
    with app.app_context():
        rec, iv = db.session.get(User, recruiter.id), db.session.get(User, interviewer.id)
        loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, recruiter=rec, interviewers=[
            factories.make_user(certification="certified", org_unit="Search"), iv])
        [interview] = [i for i in loop.interviews if i.interviewer_id == iv.id]
        interview.starts_at = (utcnow() + timedelta(days=5)).replace(hour=14, minute=0, second=0, microsecond=0)
        db.session.commit()
        return {"loop": loop.id, "interview": interview.id, "uid": interview.calendar_uid}


def test_the_recruiter_moves_an_interview_and_the_subscribed_feed_follows(app, page, booked, recruiter,
                                                                        interviewer):
    sign_in(page, interviewer)
    page.get_by_title("Your account").click()
    page.get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", name="Subscribe in Google Calendar / Outlook")).to_be_visible()
    page.get_by_role("button", name="Create my feed link").click()
    address = page.get_by_label("Feed address").input_value()
    assert axe_violations(page) == []
    sign_out(page)

    sign_in(page, recruiter)
    page.goto(f"/loops/{booked['loop']}")
    page.get_by_role("link", name=f"Reschedule the interview with {interviewer.name}").click()
    expect(page.get_by_role("heading", name="Reschedule an interview")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Minutes").fill("5")
    page.get_by_role("button", name="Save and send the update").click()
    expect(page.get_by_text("Between 15 and 480 minutes.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Minutes").fill("90")
    page.get_by_role("button", name="Save and send the update").click()
    expect(page.get_by_text(f"Rescheduled; {interviewer.name} is sent the updated invitation.")).to_be_visible()

    feed = page.request.get(address.replace("http://127.0.0.1:5000", ""))
    [event] = Calendar.from_ical(feed.body()).walk("VEVENT")
    assert str(event["uid"]) == booked["uid"] and event.decoded("sequence") == 1
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=90)
    with app.app_context():
        assert db.session.get(Interview, booked["interview"]).duration_minutes == 90


def test_the_calendar_page_fits_a_phone_and_shows_the_link_to_copy(app, phone, interviewer):  # noqa: F811
    sign_in(phone, interviewer)
    phone.goto("/account/calendar")
    nothing_hidden_sideways(phone)
    phone.get_by_role("button", name="Create my feed link").click()
    field = phone.get_by_label("Feed address")
    expect(field).to_be_in_viewport()
    assert field.input_value().startswith("http://127.0.0.1:5000/calendar/hrt_cal_")
    expect(phone.get_by_role("button", name="Copy the address")).to_be_visible()
    expect(phone.get_by_role("link", name="Open in your calendar app")).to_have_attribute(
        "href", field.input_value().replace("http://", "webcal://"))
    nothing_hidden_sideways(phone)
    assert axe_violations(phone) == []
    expect(phone.get_by_role("button", name="Reset link")).to_be_visible()
