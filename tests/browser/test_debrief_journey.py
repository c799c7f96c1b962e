"""The debrief in Chromium: the hiring manager decides, the bar raiser vetoes; a decided loop's PDF downloads.

Loops are made with factories, already standing at the debrief (step 6) or at
the reference check (step 7, decided Hire with the bar raiser's concurrence).
"""

import re
import subprocess

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.people.models import User
from tests import factories
from tests.browser.journey import sign_in, sign_out

pytestmark = pytest.mark.browser

HIRE_RATIONALE = ("Four of four interviewers inclined to hire; the ledger migration story held up under "
                  "three rounds of follow-up questions.")
VETO_RATIONALE = ("Ownership evidence is second-hand in every interview: the panel heard what her team did, "
                  "never what she did. Below the bar for L6.")


def open_loop(page: Page, candidate: str, status: str | None = None) -> None:
    """Go to the loop from the Loops list; it lists open loops unless told a `status` to filter by."""
    page.get_by_role("navigation").get_by_role("link", name="Loops").click()
    if status is not None:
        page.get_by_label("Status").select_option(label=status)
        page.get_by_role("button", name="Show loops").click()
        expect(page.get_by_role("heading", name=re.compile(f"^{status} loops"))).to_be_visible()
    page.get_by_role("link", name=candidate).click()
    expect(page.get_by_role("heading", name=candidate, level=1)).to_be_visible()


def people(*persons) -> list[User]:
    return [db.session.get(User, p.id) for p in persons]


@pytest.fixture
def loop_at_debrief(app, recruiter, hiring_manager, bar_raiser, interviewer):
    """A loop at step 6: four in-house interviewers (the bar raiser among them), all submitted."""
    with app.app_context():
        rec, hm, br, iv = people(recruiter, hiring_manager, bar_raiser, interviewer)
        olga = factories.make_user(email="olga@example.test", name="Olga Okafor", org_unit="Risk")
        omar = factories.make_user(email="omar@example.test", name="Omar Haddad", org_unit="Risk")
        loop = factories.make_loop(step=6, recruiter=rec, hiring_manager=hm, bar_raiser=br,
                                   interviewers=[br, iv, olga, omar])
        loop.candidate.name = "Grace Okonkwo"
        db.session.commit()
        return {"id": loop.id, "candidate": loop.candidate.name,
                "principles": [p.name for p in loop.requisition.principles],
                "interviewers": [br.name, iv.name, olga.name, omar.name]}


@pytest.fixture
def decided_loop(app, recruiter, hiring_manager, bar_raiser):
    """A loop at step 7: the hiring manager decided Hire and the bar raiser concurred."""
    with app.app_context():
        rec, hm, br = people(recruiter, hiring_manager, bar_raiser)
        loop = factories.make_loop(step=7, recruiter=rec, hiring_manager=hm, bar_raiser=br)
        loop.candidate.name = "Tomasz Wielgosz"
        db.session.commit()
        return {"id": loop.id, "candidate": loop.candidate.name,
                "rationale": loop.decision.rationale, "verdict_rationale": loop.decision.verdict_rationale}


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_bar_raiser_vetoes_the_hiring_managers_hire(page, hiring_manager, bar_raiser, interviewer, loop_at_debrief):
    loop = loop_at_debrief
    debrief_url = re.compile(rf"/loops/{loop['id']}/debrief(#\w+)?$")  # a form's #anchor survives its redirect

    # --- The hiring manager opens the debrief from the loop page. ---
    sign_in(page, hiring_manager)
    open_loop(page, loop["candidate"])
    page.get_by_role("link", name="Open the debrief").click()
    page.wait_for_url(debrief_url)
    expect(page.get_by_role("heading", name="Debrief", level=1)).to_be_visible()
    expect(page.get_by_text("Pending", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()

    # The principle × interviewer grid: a column per interviewer, a row per target principle.
    grid = page.get_by_role("region", name="Principles × interviewers")
    for name in loop["interviewers"]:
        expect(grid.get_by_role("columnheader", name=re.compile(re.escape(name)))).to_be_visible()
    for principle in loop["principles"]:
        expect(grid.get_by_role("rowheader", name=principle, exact=True)).to_be_visible()
    expect(grid.get_by_text("Meets the bar")).to_have_count(len(loop["interviewers"]))
    expect(grid.get_by_role("row", name=re.compile("^First vote"))).to_contain_text("Inclined to hire")
    expect(page.get_by_role("button", name="Record verdict")).to_have_count(0)  # the HM has no verdict to give

    # --- Hire without a rationale: refused next to the field, the choice kept. ---
    decision = page.get_by_role("group", name="Decision")
    decision.get_by_role("radio", name="Hire", exact=True).check()
    page.get_by_role("button", name="Record decision").click()
    message = "Write the rationale for the decision."
    expect(page.get_by_text(message)).to_be_visible()
    rationale = page.get_by_role("textbox", name="Rationale")
    expect(rationale).to_have_attribute("aria-invalid", "true")
    expect(rationale).to_have_accessible_description(re.compile(re.escape(message)))
    expect(page.get_by_role("group", name="Decision").get_by_role("radio", name="Hire", exact=True)).to_be_checked()
    expect(page.get_by_text("Pending", exact=True)).to_be_visible()  # nothing recorded

    # --- Hire, with the rationale. ---
    rationale.fill(HIRE_RATIONALE)
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(debrief_url)
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page.get_by_text("Hire, awaiting the bar raiser")).to_be_visible()
    expect(page.get_by_text(HIRE_RATIONALE)).to_be_visible()
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)  # made once
    sign_out(page)

    # --- The bar raiser opens the debrief in two tabs and vetoes in the first. ---
    sign_in(page, bar_raiser)
    open_loop(page, loop["candidate"])
    page.get_by_role("link", name="Open the debrief").click()
    page.wait_for_url(debrief_url)
    stale = page.context.new_page()
    stale.goto(f"/loops/{loop['id']}/debrief")
    expect(stale.get_by_role("button", name="Record verdict")).to_be_visible()

    expect(page.get_by_text("Hire, awaiting the bar raiser")).to_be_visible()
    page.get_by_role("group", name="Your verdict").get_by_role("radio", name="Veto", exact=True).check()
    page.get_by_role("textbox", name="Rationale").fill(VETO_RATIONALE)
    page.get_by_role("button", name="Record verdict").click()
    page.wait_for_url(debrief_url)
    expect(page.get_by_text("Verdict recorded.")).to_be_visible()
    expect(page.get_by_text("Vetoed by the bar raiser")).to_be_visible()
    expect(page.get_by_text(VETO_RATIONALE)).to_be_visible()
    expect(page.get_by_text(HIRE_RATIONALE)).to_be_visible()  # the decision stays on record beside the veto
    expect(page.get_by_role("button", name="Record verdict")).to_have_count(0)
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)

    # The second tab, still showing the form, cannot turn the veto into a concurrence.
    stale.get_by_role("group", name="Your verdict").get_by_role("radio", name="Concur", exact=True).check()
    stale.get_by_role("textbox", name="Rationale").fill("On reflection, fine.")
    with stale.expect_response(re.compile(r"/debrief/verdict$")) as answer:
        stale.get_by_role("button", name="Record verdict").click()
    assert answer.value.status == 409
    expect(stale.get_by_role("alert")).to_contain_text(
        "Not recorded: The bar raiser already recorded Veto; it is final.")
    expect(stale.get_by_text("Vetoed by the bar raiser")).to_be_visible()
    expect(stale.get_by_role("button", name="Record verdict")).to_have_count(0)
    stale.close()

    # --- The loop page: closed as not hired, read-only, with nothing left to act on. ---
    page.get_by_role("link", name=loop["candidate"]).first.click()  # the breadcrumb
    expect(page.get_by_role("heading", name=loop["candidate"], level=1)).to_be_visible()
    closed = page.get_by_role("note")
    expect(closed).to_contain_text("Not hired at the debrief")
    expect(closed).to_contain_text(f"by {bar_raiser.name}")
    expect(closed).to_contain_text(f"Vetoed by the bar raiser: {VETO_RATIONALE}")
    expect(closed).to_contain_text("This loop is closed and read-only.")
    expect(page.locator(".page-header").get_by_text("Not hired", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Open the debrief")).to_have_count(0)
    expect(page.get_by_role("link", name="Read the debrief")).to_be_visible()
    expect(page.get_by_role("main").locator("form")).to_have_count(0)  # no action forms at all
    expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)
    sign_out(page)

    # --- An interviewer on the loop reads the outcome but gets no PDF, and has nothing to vote on. ---
    sign_in(page, interviewer)
    page.get_by_role("navigation").get_by_role("link", name="Loops").click()
    expect(page.get_by_role("link", name=loop["candidate"])).to_have_count(0)  # closed: off the open list
    open_loop(page, loop["candidate"], status="Not hired")
    page.get_by_role("link", name="Read the debrief").click()
    page.wait_for_url(debrief_url)
    expect(page.get_by_text("Vetoed by the bar raiser")).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF")).to_have_count(0)
    expect(page.get_by_role("button", name="Record final vote")).to_have_count(0)
    assert page.request.get(f"/loops/{loop['id']}/debrief.pdf").status == 403


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_grid_marks_the_bar_raisers_column(page, hiring_manager, bar_raiser, loop_at_debrief):
    sign_in(page, hiring_manager)
    page.goto(f"/loops/{loop_at_debrief['id']}/debrief")
    grid = page.get_by_role("region", name="Principles × interviewers")
    expect(grid.get_by_role("columnheader", name=re.compile(bar_raiser.name))).to_contain_text(
        "Bar raiser", timeout=2_000)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_hiring_manager_downloads_the_debrief_pdf(page, hiring_manager, decided_loop, tmp_path):
    loop = decided_loop
    sign_in(page, hiring_manager)
    open_loop(page, loop["candidate"])
    page.get_by_role("link", name="Read the debrief").click()
    page.wait_for_url(f"**/loops/{loop['id']}/debrief")
    expect(page.get_by_text("Hire, bar raiser concurs")).to_be_visible()

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.failure() is None
    name = download.suggested_filename
    assert name.startswith("debrief-") and name.endswith(".pdf"), name
    assert "tomasz-wielgosz" in name, name
    saved = tmp_path / name
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")

    result = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True,
                            timeout=60, check=True)
    text = " ".join(result.stdout.split())  # wrapped lines and layout spaces read as single spaces
    assert loop["candidate"] in text
    assert re.search(r"\bHire\b", text) and "Concur" in text
    assert loop["rationale"] in text
    assert loop["verdict_rationale"] in text
    assert re.search(r"Page 1 of \d+", text)
