"""The metrics in Chromium: a recruiter opens the loops' metrics on the last twelve months, widens them to all
time, moves to the interviewers' page with the filter kept, and drills into one interviewer's votes and back.
Both metrics pages and the drill-down are checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.feedback.models import Vote
from app.interviews.models import InterviewKind
from app.loops.models import Step
from app.people.models import User
from tests import factories
from tests.browser.accessibility import axe_violations
from tests.browser.journey import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def decided_loop(app, recruiter, hiring_manager, bar_raiser):
    """A loop the recruiter takes part in, at the debrief with its in-house feedback all submitted."""
    with app.app_context():
        rec, hm, br = (db.session.get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser))
        panel = [br] + [factories.make_user(name=name) for name in ("Olga Okafor", "Ana Alves", "Omar Haddad")]
        loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK, recruiter=rec, hiring_manager=hm, bar_raiser=br,
                                   interviewers=panel)
        for interview in (i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE):
            factories.submit_feedback(interview, interview.interviewer, Vote.INCLINED)
        loop.step = Step.DEBRIEF
        db.session.commit()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_recruiter_reads_the_loops_metrics_then_the_interviewers_and_one_interviewers_votes(
        page, recruiter, decided_loop):
    sign_in(page, recruiter)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Metrics").click()
    expect(page.get_by_role("heading", name="Metrics", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/metrics\?date_from=\d{4}-\d{2}-01$"))
    expect(page.get_by_role("heading", name="Funnel")).to_be_visible()
    expect(page.get_by_role("heading", name="Interviewer calibration")).to_have_count(0)
    assert axe_violations(page) == []

    # All time: the date cleared, the filter applied.
    page.get_by_label("Created from").fill("")
    page.get_by_role("button", name="Show metrics").click()
    expect(page).to_have_url(re.compile(r"/metrics\?.*date_from=(&|$)"))

    tabs = page.get_by_role("navigation", name="Metrics pages")
    tabs.get_by_role("link", name="Interviewers").click()
    expect(page.get_by_role("heading", name="Interviewers", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/metrics/interviewers\?date_from=$"))
    expect(page.get_by_label("Created from")).to_have_value("")
    calibration = page.locator("#calibration")
    expect(calibration.get_by_role("heading", name="Interviewer calibration")).to_be_visible()
    expect(page.locator("#coaching").get_by_role("heading", name="Evidence coaching")).to_be_visible()
    assert axe_violations(page) == []

    calibration.get_by_role("link", name="Olga Okafor").click()
    expect(page.get_by_role("heading", name="Olga Okafor: first votes")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Interviewers").first.click()
    expect(page.get_by_role("heading", name="Interviewers", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Metrics pages").get_by_role("link", name="Loops and steps").click()
    expect(page.get_by_role("heading", name="Metrics", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/metrics\?date_from=$"))
