"""The bar-raiser program in Chromium: a bar raiser runs a debrief from the summary and the agenda, and
an admin walks a person from nominated to certified. Each new page type is checked with axe-core."""

import re

import pytest
from playwright.sync_api import Page, expect

from app.db_types import utcnow
from app.debrief.models import DebriefDecision, PracticeVerdict
from app.extensions import db
from app.feedback.models import Rating, Vote
from app.interviews.models import InterviewKind
from app.loops.models import Step
from app.people.models import User
from tests import factories
from tests.browser.accessibility import axe_violations
from tests.browser.journey import sign_in, sign_out
from tests.conftest import make_person

pytestmark = pytest.mark.browser

NOTE = "Omar's concern was the rollback plan, not the design; the candidate's own account settles it."


@pytest.fixture
def split_loop(app, recruiter, hiring_manager, bar_raiser, interviewer):
    """A loop at the debrief where the bar raiser and Omar rated the same principle far apart."""
    with app.app_context():
        rec, hm, br, iv = (db.session.get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser, interviewer))
        panel = [br, iv] + [factories.make_user(name=n, org_unit="Risk") for n in ("Olga Okafor", "Ana Alves",
                                                                                   "Omar Haddad")]
        loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK, recruiter=rec, hiring_manager=hm, bar_raiser=br,
                                   interviewers=panel)
        loop.candidate.name = "Grace Okonkwo"
        for interview in (i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE):
            split = interview.interviewer.name == "Omar Haddad"
            factories.submit_feedback(interview, interview.interviewer, Vote.NOT_INCLINED if split else Vote.INCLINED,
                                      rating=Rating.STRONG_CONCERN if split else Rating.RAISES_THE_BAR
                                      if interview.interviewer_id == br.id else Rating.MEETS_THE_BAR)
        loop.step = Step.DEBRIEF
        db.session.commit()
        return {"id": loop.id, "candidate": loop.candidate.name, "split": loop.requisition.principles[0].name}


def expect_accessible(page: Page) -> None:
    assert axe_violations(page) == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_bar_raiser_writes_the_summary_runs_the_agenda_and_records_the_verdict(
        page, hiring_manager, bar_raiser, split_loop):
    loop = split_loop
    sign_in(page, bar_raiser)
    page.goto(f"/loops/{loop['id']}/debrief")
    page.get_by_role("link", name="Write the summary").click()
    expect(page.get_by_role("heading", name="Debrief summary", level=1)).to_be_visible()
    summary = page.get_by_role("textbox", name="Summary for the debrief")
    expect(summary).to_have_value(re.compile(rf"^Disagreements\n- {re.escape(loop['split'])} \(Bea Raiser: Raises"))
    expect_accessible(page)
    summary.fill(f"Start with {loop['split']}: Omar and I heard different stories. Then the two Not inclined "
                 "votes. Everything else agrees.")
    page.get_by_role("button", name="Mark ready for the debrief").click()
    expect(page.get_by_text("Summary marked ready")).to_be_visible()
    expect(page.get_by_role("heading", name="Ready for the debrief")).to_be_visible()

    page.get_by_role("link", name="Open the debrief agenda").click()
    agenda = page.get_by_role("region", name="Agenda")
    first = agenda.locator("section.agenda-item").first
    expect(first.get_by_role("heading", level=4)).to_contain_text(loop["split"])
    expect(first).to_contain_text("Ratings disagree")
    expect(first).to_contain_text("Strong concern")
    votes = agenda.get_by_role("region", name=re.compile("the votes: Not inclined first"))
    expect(votes.get_by_role("row").nth(1)).to_contain_text("Omar Haddad")
    expect(votes).to_contain_text("fingerprint")
    first.get_by_role("textbox").fill(NOTE)
    first.get_by_role("button", name=re.compile("^Save note")).click()
    expect(page.get_by_text("Note saved.")).to_be_visible()
    expect(page.locator(".agenda-note").first).to_contain_text(NOTE)
    expect_accessible(page)
    sign_out(page)

    # The hiring manager reads the summary and the evidence, then decides below them.
    sign_in(page, hiring_manager)
    page.goto(f"/loops/{loop['id']}/debrief")
    expect(page.get_by_text("Omar and I heard different stories")).to_be_visible()
    page.get_by_role("group", name="Decision").get_by_role("radio", name="Hire", exact=True).check()
    page.get_by_role("textbox", name="Rationale").fill("The split on the first principle was settled in the room.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    sign_out(page)

    sign_in(page, bar_raiser)
    page.goto(f"/loops/{loop['id']}/debrief")
    page.get_by_role("group", name="Your verdict").get_by_role("radio", name="Concur", exact=True).check()
    page.get_by_role("textbox", name="Rationale").fill("Concur: the evidence on every principle is first-hand.")
    page.get_by_role("button", name="Record verdict").click()
    expect(page.get_by_text("Verdict recorded.")).to_be_visible()
    expect(page.get_by_text("Hire, bar raiser concurs")).to_be_visible()


@pytest.fixture
def trainee_with_a_record(app, interviewer):
    """The interviewer, with a level, three shadowed loops and one reverse-shadow loop behind them."""
    with app.app_context():
        trainee = db.session.get(User, interviewer.id)
        trainee.job_level = 6
        for _ in range(3):
            loop = factories.make_loop(step=Step.DEBRIEF, shadow=trainee)
            interview = next(i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE)
            factories.submit_feedback(interview, trainee, Vote.INCLINED, practice=True)
        loop = factories.make_loop(step=Step.DEBRIEF, shadow=trainee)
        loop.is_reverse_shadow = True
        db.session.add(PracticeVerdict(loop=loop, trainee=trainee, verdict="concur", rationale="Raises the bar."))
        db.session.add(DebriefDecision(loop=loop, outcome="hire", rationale="Strong.", decided_by=loop.hiring_manager,
                                       verdict="concur", verdict_rationale="Agreed.", verdict_by=loop.bar_raiser,
                                       verdict_at=utcnow()))
        db.session.commit()
    return interviewer


def move(page: Page, button: str, note: str) -> None:
    card = page.get_by_role("region", name=button)
    card.get_by_role("textbox", name="Note").fill(note)
    card.get_by_role("button", name=button).click()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_an_admin_walks_a_person_from_nominated_to_certified(app, page, admin, trainee_with_a_record):
    trainee = trainee_with_a_record
    signers = [make_person(app, f"signer{n}@example.test", f"Signer {n}", certification="certified",
                           org_unit="Devices") for n in range(2)]
    sign_in(page, admin)
    page.get_by_role("navigation").get_by_role("link", name="Bar raisers").click()
    expect(page.get_by_role("heading", name="Bar-raiser program", level=1)).to_be_visible()
    expect_accessible(page)
    page.get_by_label("Person", exact=True).select_option(label=f"{trainee.name} (Payments)")
    page.get_by_role("textbox", name="Why this person would make a good bar raiser").fill(
        "Writes the clearest feedback on every panel; disagrees with evidence.")
    page.get_by_role("button", name="Nominate").click()
    expect(page.get_by_role("heading", name=trainee.name, level=1)).to_be_visible()
    expect(page.locator(".path-step[aria-current=step]")).to_contain_text("Nominated")

    move(page, "Accept the nomination", "Booked on the March course.")
    expect(page.get_by_text(f"{trainee.name} is now in training.")).to_be_visible()
    move(page, "Training completed", "Two-day bar-raiser course, March cohort.")
    move(page, "Start reverse shadowing", "Three shadowed loops with practice feedback.")
    expect(page.get_by_text(f"{trainee.name} is now reverse shadow.")).to_be_visible()
    certify = page.get_by_role("region", name="Certify")
    expect(certify).to_contain_text("Be signed off by 2 certified bar raisers (0 so far).")
    expect(certify.get_by_role("button", name="Certify")).to_have_attribute("aria-disabled", "true")
    expect_accessible(page)
    sign_out(page)

    for signer in signers:
        sign_in(page, signer)
        page.goto(f"/program/people/{trainee.id}")
        page.get_by_role("textbox", name="Your sign-off note").fill(f"{signer.name}: ran a clean debrief.")
        page.get_by_role("button", name="Sign off").click()
        expect(page.get_by_text(f"You signed off {trainee.name}.")).to_be_visible()
        sign_out(page)

    sign_in(page, admin)
    page.goto(f"/program/people/{trainee.id}")
    move(page, "Certify", "Two sign-offs and a supervised debrief.")
    expect(page.get_by_text(f"{trainee.name} is now certified.")).to_be_visible()
    page.get_by_role("link", name="Bar-raiser program").click()
    row = page.get_by_role("row", name=re.compile(re.escape(trainee.name)))
    expect(row).to_contain_text("Certified")
