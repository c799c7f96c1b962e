"""Issue 3's journey in Chromium: from a new requisition to a loop whose in-house panel covers every principle.

A recruiter opens a requisition; its hiring manager describes it, picks the
target principles and approves it; the recruiter adds a candidate, starts a
loop, picks the bar raiser from the suggestions, records the résumé screen and
schedules the in-house interviews until the coverage panel says complete.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.db_types import utcnow
from app.extensions import db
from tests import factories
from tests.browser.journey import sign_in, sign_out

pytestmark = pytest.mark.browser

TITLE = "Staff Engineer, Ledger Platform"
TARGETS = ["Customer Obsession", "Ownership", "Dive Deep", "Deliver Results"]
CANDIDATE = "Priya Natarajan"
RESUME_LINK = "https://cv.example.test/priya-natarajan.pdf"


def schedule(page: Page, *, kind: str, interviewer_id: int, starts: str, principles: list[str] = ()) -> None:
    """Fill and send the loop page's "Schedule an interview" form."""
    form = page.get_by_role("region", name="Schedule an interview")
    form.get_by_label("Kind").select_option(label=kind)
    form.get_by_label("Interviewer").select_option(value=str(interviewer_id))
    form.get_by_label("Starts").fill(starts)
    form.get_by_label("Minutes").fill("60")
    probe = form.get_by_role("group", name="Principles to probe")
    for name in principles:
        probe.get_by_label(name, exact=True).check()
    form.get_by_role("button", name="Schedule interview").click()


@pytest.fixture
def panel(app, interviewer):
    """Two more interviewers, and a certified bar raiser who sits in the hiring manager's unit."""
    with app.app_context():
        olga = factories.make_user(email="olga@example.test", name="Olga Okafor", org_unit="Payments")
        pat = factories.make_user(email="pat@example.test", name="Pat Quinn", org_unit="Risk")
        factories.make_user(email="carl@example.test", name="Carl Colleague", org_unit="Payments",
                            certification="certified")
        db.session.commit()
        return {"ivan": interviewer.id, "olga": olga.id, "pat": pat.id}


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_recruiter_and_hiring_manager_set_up_a_loop_with_full_coverage(
        page, recruiter, hiring_manager, bar_raiser, panel):
    # --- The recruiter opens a requisition. ---
    sign_in(page, recruiter)
    page.get_by_role("navigation").get_by_role("link", name="Requisitions").click()
    page.get_by_role("link", name="Open requisition").click()
    page.get_by_label("Job title").fill(TITLE)
    page.get_by_label("Level").fill("L7")
    page.get_by_label("Org unit").select_option(label="Payments")
    page.get_by_label("Hiring manager").select_option(value=str(hiring_manager.id))
    page.get_by_role("button", name="Open requisition").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text(f"{hiring_manager.name} writes the job description and approves it.")).to_be_visible()
    expect(page.get_by_role("link", name="New loop")).to_have_count(0)  # a draft takes no loops
    sign_out(page)

    # --- The hiring manager describes it, picks four principles, and approves it. ---
    sign_in(page, hiring_manager)
    page.get_by_role("navigation").get_by_role("link", name="Requisitions").click()
    page.get_by_role("link", name=TITLE).click()
    approve = page.get_by_role("button", name="Approve requisition")
    expect(approve).to_be_disabled()
    page.get_by_role("textbox", name="Job description").fill(
        "Own the double-entry ledger that every payment posts to: its correctness, its latency and its "
        "on-call. Success in a year: month-end close without manual fixes.")
    targets = page.get_by_role("group", name="Target leadership principles")
    for name in TARGETS:
        targets.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    for name in TARGETS:  # the saved draft comes back ticked
        expect(page.get_by_role("group", name="Target leadership principles")
               .get_by_label(name, exact=True)).to_be_checked()
    expect(approve).to_be_enabled()
    approve.click()
    expect(page.get_by_text("Approved. Recruiters can now start loops for this requisition.")).to_be_visible()
    principles_card = page.get_by_role("region", name=re.compile("^Target leadership principles"))
    for name in TARGETS:
        expect(principles_card.get_by_text(name, exact=True)).to_be_visible()
    sign_out(page)

    # --- The recruiter adds the candidate with a résumé link. ---
    sign_in(page, recruiter)
    page.get_by_role("navigation").get_by_role("link", name="Candidates").click()
    page.get_by_role("link", name="Add candidate").click()
    page.get_by_label("Name", exact=True).fill(CANDIDATE)
    page.get_by_label("E-mail").fill("priya@example.test")
    page.get_by_label("or a link to the résumé").fill(RESUME_LINK)
    page.get_by_role("button", name="Add candidate").click()
    expect(page.get_by_role("heading", name=CANDIDATE, level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Résumé link")).to_have_attribute("href", RESUME_LINK)

    # --- ...and starts a loop for them against the approved requisition, chosen on the candidate's page. ---
    page.get_by_label("For").select_option(label=f"{TITLE} (L7)")
    page.get_by_role("button", name="Start a loop").click()
    expect(page.get_by_label("Requisition")).to_have_value(re.compile(r"^[1-9]\d*$"))  # preselected, and so
    expect(page.get_by_label("Candidate")).to_have_value(re.compile(r"^[1-9]\d*$"))  # the suggestions show
    expect(page.get_by_role("button", name=f"Pick {bar_raiser.name} as bar raiser")).to_be_visible()
    page.get_by_role("button", name="Create loop").click()
    expect(page.get_by_text(f"Loop created for {CANDIDATE}. It starts at the résumé review.")).to_be_visible()
    expect(page.get_by_role("heading", name=CANDIDATE, level=1)).to_be_visible()
    loop_url = page.url
    steps = page.get_by_role("region", name="Progress through the eight steps")
    expect(steps.locator("[aria-current=step]")).to_contain_text("Résumé review")
    facts = page.get_by_role("region", name="People on this loop")
    expect(facts.get_by_text("Not assigned yet")).to_be_visible()

    # --- The bar raiser comes from the suggestions: certified and independent only. ---
    facts.get_by_role("link", name="Choose the bar raiser").click()
    expect(page.get_by_role("heading", name="People on this loop", level=1)).to_be_visible()
    people = page.get_by_role("region", name="People", exact=True)
    expect(people.get_by_role("button", name=re.compile("^Pick "))).to_have_count(1)
    expect(people.get_by_role("button", name="Pick Carl Colleague as bar raiser")).to_have_count(0)  # HM's unit
    people.get_by_role("button", name=f"Pick {bar_raiser.name} as bar raiser").click()
    expect(people.get_by_role("combobox", name="Bar raiser")).to_have_value(str(bar_raiser.id))
    expect(people.get_by_role("button", name=f"Pick {bar_raiser.name} as bar raiser")).to_have_attribute(
        "aria-pressed", "true")
    people.get_by_role("button", name="Save people").click()
    expect(page.get_by_text("People saved.")).to_be_visible()
    expect(facts.get_by_text(bar_raiser.name)).to_be_visible()

    # --- The résumé screen: advance, and the loop moves to the phone screen. ---
    screen = page.get_by_role("region", name="Screen decisions")
    screen.get_by_label("Advance").check()
    screen.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    steps = page.get_by_role("region", name="Progress through the eight steps")
    expect(steps.locator("[aria-current=step]")).to_contain_text("Phone screen")
    expect(steps.get_by_role("listitem").filter(has_text="Résumé review")).to_contain_text("(done)")

    # --- The in-house panel, before the phone screen has even happened. ---
    coverage = page.get_by_test_id("coverage-status")
    expect(coverage).to_contain_text("Not covered yet")
    day = (utcnow() + timedelta(days=7)).date().isoformat()
    plan = [
        ("Bea Raiser", bar_raiser.id, "09:00", ["Customer Obsession", "Ownership"]),
        ("Ivan Interviewer", panel["ivan"], "10:30", ["Dive Deep"]),
        ("Olga Okafor", panel["olga"], "12:00", ["Deliver Results"]),
    ]
    for name, person_id, clock, principles in plan:
        schedule(page, kind="In-house", interviewer_id=person_id, starts=f"{day}T{clock}", principles=principles)
        expect(page.get_by_text(f"Scheduled {name}.")).to_be_visible()
    # Every target principle is now covered, but one in-house interview short of the minimum.
    expect(page.get_by_test_id("coverage-status")).to_contain_text("Coverage complete")
    interviews = page.get_by_role("region", name=re.compile("^Interviews")).first
    expect(interviews.get_by_role("row").filter(has_text="Bea Raiser")).to_contain_text("Bar raiser")

    # An interviewer cannot be in two places at once: the refusal sits next to "Starts".
    schedule(page, kind="Phone screen", interviewer_id=panel["ivan"], starts=f"{day}T11:00")
    form = page.get_by_role("region", name="Schedule an interview")
    starts = form.get_by_label("Starts")
    expect(starts).to_have_attribute("aria-invalid", "true")
    expect(starts).to_have_accessible_description(re.compile("Ivan Interviewer is already interviewing from"))
    expect(form.get_by_text(re.compile(r"Ivan Interviewer is already interviewing from .* UTC\."))).to_be_visible()
    expect(page.get_by_text("Scheduled Ivan Interviewer.")).to_have_count(0)

    # The fourth in-house interview (the configured minimum).
    schedule(page, kind="In-house", interviewer_id=panel["pat"], starts=f"{day}T14:00", principles=["Ownership"])
    expect(page.get_by_text("Scheduled Pat Quinn.")).to_be_visible()
    coverage = page.get_by_test_id("coverage-status")
    expect(coverage).to_contain_text(
        "Coverage complete: every target principle has an interviewer, and every interviewer has a principle.")
    interviews = page.get_by_role("region", name=re.compile("^Interviews")).first
    expect(interviews.get_by_role("row").filter(has_text="In-house")).to_have_count(4)
    table = page.get_by_role("region", name="Principle coverage").first.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text="Ownership")).to_contain_text("Bea Raiser, Pat Quinn")
    expect(table.get_by_text("Gap — nobody probes this")).to_have_count(0)

    # The page as it reloads says the same.
    page.goto(loop_url)
    expect(page.get_by_test_id("coverage-status")).to_contain_text("Coverage complete")
    expect(page.get_by_role("region", name="Progress through the eight steps")
           .locator("[aria-current=step]")).to_contain_text("Phone screen")
