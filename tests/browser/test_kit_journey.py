"""Issue 13's journeys in Chromium: from home to the kit in one click, feedback that ticks the questions asked
and meets a coaching flag, and a draft that survives the tab being closed."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.db_types import utcnow
from app.extensions import db
from app.kits.csv_io import import_starter_bank
from app.kits.services import plan_loop
from app.loops.models import Step
from app.people.models import User
from tests import factories
from tests.browser.accessibility import axe_violations
from tests.browser.journey import sign_in

pytestmark = pytest.mark.browser

GOOD = ("She led the ledger migration herself: wrote the backfill, ran it behind a flag for two weeks and cut "
        "reconciliation errors from forty a day to two, so finance closed the month three days sooner.")


@pytest.fixture
def interview_now(app, recruiter, hiring_manager, bar_raiser, interviewer):
    """An in-house loop whose interview with `interviewer` started half an hour ago; the starter bank is loaded."""
    with app.app_context():
        iv = db.session.get(User, interviewer.id)
        import_starter_bank(None, check_actor=False)
        loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, recruiter=db.session.get(User, recruiter.id),
                                   hiring_manager=db.session.get(User, hiring_manager.id),
                                   bar_raiser=db.session.get(User, bar_raiser.id),
                                   interviewers=[db.session.get(User, bar_raiser.id), iv,
                                                 factories.make_user(name="Ola Other")])
        mine = next(i for i in loop.interviews if i.interviewer_id == iv.id)
        mine.starts_at = utcnow() - timedelta(minutes=30)
        plan_loop(loop)  # as scheduling does
        db.session.commit()
        return {"loop": loop.id, "interview": mine.id, "candidate": loop.candidate.name,
                "principle": mine.principles[0].name,
                "form": f"/loops/{loop.id}/interviews/{mine.id}/feedback"}


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_interviewer_opens_the_kit_from_home_writes_feedback_meets_a_coaching_flag_fixes_it_and_submits(
        page, interviewer, interview_now):
    sign_in(page, interviewer)
    page.get_by_role("link", name=re.compile(f"Open the interview kit.*{interview_now['candidate']}")).click()
    expect(page.get_by_role("heading", name="Interview kit", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=interview_now["principle"], level=3)).to_be_visible()
    questions = page.locator(".kit-question__text")
    expect(questions).to_have_count(2)
    first_question = questions.first.inner_text().split(" ", 1)[1]
    expect(page.get_by_role("heading", name="The rating scale")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Write your feedback").click()
    expect(page.get_by_role("heading", name="Your feedback", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("checkbox", name=first_question).check()
    page.get_by_role("radio", name="Below the bar").check()
    page.get_by_role("textbox", name="Evidence").fill("Not a culture fit.")
    expect(page.get_by_role("status").filter(has_text="Draft saved automatically")).to_be_visible()
    coaching = page.locator('[data-coaching-for="ratings-0-evidence"]')
    expect(coaching).to_contain_text("Opinion, not evidence (culture fit)")
    expect(coaching).to_contain_text("Too short to be evidence")

    page.get_by_role("textbox", name="Evidence").fill(GOOD)
    expect(coaching).to_be_hidden()
    page.get_by_role("group", name="Overall vote").get_by_role("radio", name="Not inclined", exact=True).check()
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Submit feedback").click()
    page.wait_for_url(f"**/loops/{interview_now['loop']}/feedback")
    expect(page.get_by_text("Feedback submitted and sealed.")).to_be_visible()
    expect(page.get_by_text("Coaching noticed")).to_have_count(0)

    page.goto(interview_now["form"])
    expect(page.get_by_role("heading", name="Sealed feedback")).to_be_visible()
    expect(page.locator(".questions-asked")).to_contain_text(first_question)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_draft_saved_automatically_is_there_after_the_tab_is_closed(page, interviewer, interview_now):
    sign_in(page, interviewer)
    page.goto(interview_now["form"])
    page.get_by_role("textbox", name="Evidence").fill(GOOD)
    expect(page.get_by_role("status").filter(has_text="Draft saved automatically")).to_be_visible()
    context = page.context
    page.close()

    again = context.new_page()
    again.goto(interview_now["form"])
    expect(again.get_by_role("textbox", name="Evidence")).to_have_value(GOOD)
    expect(again.get_by_text("Draft · only you can see it")).to_be_visible()
