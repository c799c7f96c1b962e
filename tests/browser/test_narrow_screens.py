"""A phone's width (390 px): list tables are cards, nothing scrolls sideways, every navigation item is in sight."""

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.loops.models import Step
from app.people.models import User
from tests import factories
from tests.browser.journey import sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(viewport=PHONE, base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def nothing_hidden_sideways(page: Page) -> None:
    """No table scrolls sideways, the page is no wider than the screen, and every nav link lies within it."""
    scrolling = page.evaluate(
        "() => [...document.querySelectorAll('.table-wrap')].filter(e => e.scrollWidth > e.clientWidth + 1).length")
    assert scrolling == 0, page.url
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], page.url
    # Each card's value sits beside its column's name; a name on two lines makes its cell as tall.
    crowded = page.evaluate("""() => [...document.querySelectorAll('.table--cards td[data-label]')]
        .filter(td => td.offsetParent !== null)
        .filter(td => parseFloat(getComputedStyle(td, '::before').height) > td.clientHeight + 1).length""")
    assert crowded == 0, page.url
    for link in page.get_by_role("navigation", name="Main").get_by_role("link").all():
        expect(link).to_be_in_viewport()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (page.url, link.inner_text())


def test_the_recruiters_pages_fit_a_phone(app, phone, recruiter, hiring_manager, bar_raiser, interviewer):
    with app.app_context():
        rec, hm, br, iv = (db.session.get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser, interviewer))
        for step in (Step.RESUME_REVIEW, Step.WRITTEN_FEEDBACK, Step.OFFER):
            factories.make_loop(step=step, recruiter=rec, hiring_manager=hm)
        debrief = factories.make_loop(step=Step.DEBRIEF, recruiter=rec, hiring_manager=hm, bar_raiser=br,
                                      interviewers=[br, iv] + [factories.make_user() for _ in range(3)])
        db.session.commit()
        debrief_id = debrief.id
    sign_in(phone, recruiter)
    for path in ("/", "/loops/", "/metrics?date_from=", "/metrics/interviewers?date_from=",
                 f"/loops/{debrief_id}/debrief"):
        phone.goto(path)
        nothing_hidden_sideways(phone)
    # Each loop is a card whose values are labelled with their column's name.
    phone.goto("/loops/")
    expect(phone.locator("td[data-label='Hiring manager']").first).to_be_visible()
    expect(phone.get_by_role("navigation", name="Main").get_by_role("link", name="Metrics")).to_be_in_viewport()


def test_the_interviewers_home_fits_a_phone(app, phone, interviewer):
    with app.app_context():
        iv = db.session.get(User, interviewer.id)
        factories.make_loop(step=Step.WRITTEN_FEEDBACK,
                            interviewers=[factories.make_user(certification="certified", org_unit="Search"), iv])
        db.session.commit()
    sign_in(phone, interviewer)
    nothing_hidden_sideways(phone)
    expect(phone.get_by_role("heading", name="Feedback to write")).to_be_in_viewport()
