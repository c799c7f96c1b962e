"""Issue 4's journey in Chromium: an interviewer drafts, comes back, and submits; only then do others' notes open.

The loop stands at written feedback (made with factories): the bar raiser and
a third interviewer have submitted; our interviewer has not. Until they submit,
the loop's Feedback page must not show the others' evidence (the blind rule).
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.interviews.models import Interview
from app.people.models import User
from tests import factories
from tests.browser.journey import sign_in

pytestmark = pytest.mark.browser

BAR_RAISER_EVIDENCE = "Rebuilt the settlement batch as a stream; reconciliation breaks fell from forty a week to two."
OTHER_EVIDENCE = "Walked through a failed launch at Quillpay and named her own part in it without prompting."
MY_EVIDENCE = ("Situation: a ledger double-posting incident. Action: she wrote the idempotency keys herself. "
               "Result: zero repeats in nine months.")


@pytest.fixture
def loop_at_written_feedback(app, recruiter, hiring_manager, bar_raiser, interviewer):
    """A loop at step 5 where the bar raiser and Olga have submitted and the interviewer has not."""
    with app.app_context():
        br, iv = db.session.get(User, bar_raiser.id), db.session.get(User, interviewer.id)
        olga = factories.make_user(email="olga@example.test", name="Olga Okafor", org_unit="Risk")
        loop = factories.make_loop(step=5, recruiter=db.session.get(User, recruiter.id),
                                   hiring_manager=db.session.get(User, hiring_manager.id),
                                   bar_raiser=br, interviewers=[br, iv, olga])
        by_interviewer = {i.interviewer_id: i for i in db.session.scalars(
            select(Interview).where(Interview.loop_id == loop.id, Interview.kind == "in_house"))}
        factories.submit_feedback(by_interviewer[br.id], br, "inclined", evidence=BAR_RAISER_EVIDENCE)
        factories.submit_feedback(by_interviewer[olga.id], olga, "strongly_inclined", evidence=OTHER_EVIDENCE)
        mine = by_interviewer[iv.id]
        principle = mine.principles[0].name
        db.session.commit()
        return {"id": loop.id, "candidate": loop.candidate.name, "principle": principle}


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_interviewer_drafts_returns_submits_and_only_then_reads_the_others(page, interviewer,
                                                                           loop_at_written_feedback):
    loop = loop_at_written_feedback
    principle = loop["principle"]

    # --- From the loop page to their own interview's feedback. ---
    sign_in(page, interviewer)
    page.get_by_role("navigation").get_by_role("link", name="Loops").click()
    page.get_by_role("link", name=loop["candidate"]).click()
    expect(page.get_by_role("heading", name=loop["candidate"], level=1)).to_be_visible()
    page.get_by_role("link", name="Your feedback").click()
    expect(page.get_by_role("heading", name="Your feedback", level=1)).to_be_visible()
    expect(page.get_by_text("Draft · only you can see it")).to_be_visible()

    # --- A draft: rating, evidence, vote and the raises-the-bar answer. ---
    page.get_by_role("region", name=principle, exact=True).get_by_role("radio", name="Raises the bar").check()
    page.get_by_role("textbox", name="Evidence").fill(MY_EVIDENCE)
    page.get_by_role("group", name="Overall vote").get_by_role("radio", name="Inclined to hire", exact=True).check()
    page.get_by_role("group", name=re.compile("better than half of current peers")).get_by_role(
        "radio", name="Yes").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved. Only you can see it.")).to_be_visible()

    # --- Away to the loop page, and back: the draft is still there. ---
    page.get_by_role("link", name=loop["candidate"]).first.click()  # the breadcrumb
    mine = page.get_by_role("row").filter(has=page.get_by_role("link", name="Your feedback"))
    expect(mine).to_contain_text("Draft")
    mine.get_by_role("link", name="Your feedback").click()
    expect(page.get_by_role("textbox", name="Evidence")).to_have_value(MY_EVIDENCE)
    expect(page.get_by_role("region", name=principle, exact=True)
           .get_by_role("radio", name="Raises the bar")).to_be_checked()
    expect(page.get_by_role("group", name="Overall vote")
           .get_by_role("radio", name="Inclined to hire", exact=True)).to_be_checked()
    expect(page.get_by_role("group", name=re.compile("better than half of current peers"))
           .get_by_role("radio", name="Yes")).to_be_checked()

    # --- The loop's Feedback page stays blind while theirs is a draft. ---
    page.get_by_role("link", name=loop["candidate"]).first.click()
    page.get_by_role("link", name="Feedback", exact=True).click()
    expect(page.get_by_role("heading", name="Feedback", level=1)).to_be_visible()
    expect(page.get_by_text("Others' feedback opens once yours is in.")).to_be_visible()
    expect(page.get_by_text(MY_EVIDENCE)).to_be_visible()  # their own draft, always
    expect(page.get_by_text(BAR_RAISER_EVIDENCE)).to_have_count(0)
    expect(page.get_by_text(OTHER_EVIDENCE)).to_have_count(0)
    expect(page.get_by_role("heading", name="Bea Raiser")).to_have_count(0)

    # --- Submitting without evidence is refused next to the field, and nothing else is lost. ---
    page.get_by_role("link", name="Write your in-house feedback").click()
    evidence = page.get_by_role("textbox", name="Evidence")
    evidence.fill("   ")
    page.get_by_role("button", name="Submit feedback").click()
    message = f"Write the evidence for “{principle}”: what the candidate did (situation, action, result)."
    expect(page.get_by_text(message)).to_be_visible()
    evidence = page.get_by_role("textbox", name="Evidence")
    expect(evidence).to_have_attribute("aria-invalid", "true")
    expect(evidence).to_have_accessible_description(re.compile(re.escape(message)))
    expect(page.get_by_role("group", name="Overall vote")
           .get_by_role("radio", name="Inclined to hire", exact=True)).to_be_checked()
    expect(page.get_by_text("Draft · only you can see it")).to_be_visible()  # not sealed

    # --- Submit for real: sealed, and the others' feedback opens. ---
    evidence.fill(MY_EVIDENCE)
    page.get_by_role("button", name="Submit feedback").click()
    page.wait_for_url(f"**/loops/{loop['id']}/feedback")
    expect(page.get_by_text("Feedback submitted and sealed.")).to_be_visible()
    expect(page.get_by_text("Others' feedback opens once yours is in.")).to_have_count(0)
    expect(page.get_by_text(BAR_RAISER_EVIDENCE)).to_be_visible()
    expect(page.get_by_text(OTHER_EVIDENCE)).to_be_visible()
    expect(page.get_by_text(MY_EVIDENCE)).to_be_visible()
    expect(page.get_by_role("heading", name="Bea Raiser")).to_be_visible()

    # The sealed feedback reads back and offers no form to change it.
    page.get_by_role("link", name=loop["candidate"]).first.click()
    page.get_by_role("link", name="Your feedback").click()
    expect(page.get_by_role("heading", name="Sealed feedback")).to_be_visible()
    expect(page.get_by_role("button", name="Submit feedback")).to_have_count(0)
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
