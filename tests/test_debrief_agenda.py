"""The debrief the bar raiser runs: the agenda's order, the summary, notes, the reverse shadow, sealed votes."""

import re
from datetime import timedelta

import pytest

from app.db_types import utcnow
from app.debrief.agenda import build_agenda, draft_outline
from app.debrief.models import AgendaNote, DebriefBrief
from app.debrief.summary import summarize
from app.extensions import db
from app.feedback.models import Feedback, FeedbackRating, FeedbackStatus, Rating, Vote
from app.feedback.seal import sealed_fingerprint
from app.interviews.models import Interview, InterviewKind
from app.loops.models import Loop, LoopStatus, Step
from app.people.models import Certification, User
from tests import factories

R, M, B, S = Rating.RAISES_THE_BAR, Rating.MEETS_THE_BAR, Rating.BELOW_THE_BAR, Rating.STRONG_CONCERN


def rate(interview, author, vote, ratings: dict, *, practice=False, late=False):
    feedback = Feedback(author=author, is_practice=practice, summary=f"{author.name}'s read.", ratings=[
        FeedbackRating(principle=p, rating=r, evidence=f"{author.name} on {p.name}: told the story of the outage.")
        for p, r in ratings.items()])
    feedback.interview = interview
    db.session.add(feedback)
    db.session.flush()
    feedback.status, feedback.vote, feedback.raises_bar = FeedbackStatus.SUBMITTED, vote, True
    feedback.submitted_at = interview.ends_at + timedelta(hours=30 if late else 2)
    db.session.flush()
    return feedback


def constructed_loop(hiring_manager=None, bar_raiser=None, recruiter=None, step=Step.DEBRIEF, submitted=True,
                     shadow=None):
    """Four principles: P1 split wide, P2 split narrow, P0 agreed, P3 a single data point."""
    a, b, c = (factories.make_user(name=n, org_unit="Payments") for n in ("Ana Alpha", "Ben Beta", "Cy Gamma"))
    bar_raiser = bar_raiser or factories.make_user(name="Bea Raiser", certification="certified", org_unit="Search")
    loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK, interviewers=[bar_raiser, a, b, c],
                               hiring_manager=hiring_manager, bar_raiser=bar_raiser, recruiter=recruiter,
                               shadow=shadow)
    p = loop.requisition.principles
    interviews = {i.interviewer_id: i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE}
    plan = {
        bar_raiser: (Vote.STRONGLY_INCLINED, {p[0]: M}),
        a: (Vote.INCLINED, {p[0]: M, p[1]: R}),
        b: (Vote.STRONGLY_NOT_INCLINED, {p[0]: M, p[1]: S, p[2]: M}),
        c: (Vote.NOT_INCLINED, {p[2]: B, p[3]: R}),
    }
    for person, (vote, ratings) in plan.items():
        interview = interviews[person.id]
        interview.principles = list(ratings)
        if submitted:
            rate(interview, person, vote, ratings, late=person is c)
    loop.step = step
    db.session.flush()
    db.session.expire(loop)
    return loop



def test_the_agenda_starts_where_ratings_disagree_most_then_votes_not_inclined_first(ctx):
    loop = constructed_loop()
    p = loop.requisition.principles
    agenda = build_agenda(summarize(loop))
    assert [i.principle for i in agenda.disagreements] == [p[1], p[2]]  # Raises vs Strong concern, then Meets vs Below
    assert agenda.first.principle == p[1]
    assert [c.interviewer.name for c in agenda.not_inclined] == ["Ben Beta", "Cy Gamma"]  # strongly first
    assert [c.interviewer.name for c in agenda.inclined] == ["Ana Alpha", "Bea Raiser"]
    assert [(i.principle, i.kind) for i in agenda.rest] == [(p[0], "agreement"), (p[3], "single")]


def test_the_outline_lists_disagreements_single_data_points_uncovered_and_late(ctx):
    loop = constructed_loop()
    p = loop.requisition.principles
    outline = draft_outline(summarize(loop))
    assert f"- {p[1].name} (Ana Alpha: Raises the bar; Ben Beta: Strong concern)" in outline
    assert f"- {p[3].name}: only Cy Gamma rated it." in outline
    assert "Uncovered principles\n- None." in outline
    assert "Late feedback\n- Cy Gamma\n\n" in outline


def people_of(loop):
    return {"hm": loop.hiring_manager, "br": loop.bar_raiser, "recruiter": loop.recruiter,
            "ana": db.session.query(User).filter_by(name="Ana Alpha").one()}


@pytest.fixture
def debrief(app):
    """A constructed loop at the debrief, its people signed in by e-mail with the test password."""
    with app.app_context():
        loop = constructed_loop()
        db.session.commit()
        return loop.id, {k: (v.email, v.id) for k, v in people_of(loop).items()}


def login(client, email):
    client.post("/logout")
    return client.post("/login", data={"email": email, "password": "correct-horse-battery"})


def test_the_debrief_page_opens_on_the_agenda_in_that_order(app, client, debrief):
    loop_id, people = debrief
    login(client, people["hm"][0])
    html = client.get(f"/loops/{loop_id}/debrief").get_data(as_text=True)
    with app.app_context():
        p = db.session.get(Loop, loop_id).requisition.principles
        names = [p[1].name, p[2].name, p[0].name, p[3].name]
    agenda = html[html.index('id="agenda-heading"'):html.index('id="votes-heading"')]
    headings = re.findall(r'<h4 id="agenda-\d+-heading"><span class="agenda-item__number">\d+\.</span> ([^\n<]+)',
                          agenda)
    assert [h.strip().replace("&#39;", "'") for h in headings] == names
    votes = agenda[agenda.index('id="agenda-votes"'):agenda.index('id="agenda-rest"')]
    assert votes.index("Ben Beta") < votes.index("Cy Gamma") < votes.index("Ana Alpha") < votes.index("Bea Raiser")
    # The hiring manager reads the evidence before the decision form.
    assert html.index('id="agenda-heading"') < html.index('id="decide"')


def test_each_first_vote_shows_its_sealed_time_and_fingerprint(app, client, debrief):
    loop_id, people = debrief
    login(client, people["ana"][0])
    html = client.get(f"/loops/{loop_id}/debrief").get_data(as_text=True)
    with app.app_context():
        loop = db.session.get(Loop, loop_id)
        fingerprints = [sealed_fingerprint(f) for i in loop.interviews for f in i.feedbacks
                        if i.kind == InterviewKind.IN_HOUSE]
    assert len(fingerprints) == 4
    for fingerprint in fingerprints:
        assert f"fingerprint {fingerprint[:16]}" in html
    assert html.count("sealed ") >= 4


def test_a_fingerprint_changes_with_any_sealed_content(ctx):
    loop = constructed_loop()
    feedback = next(f for i in loop.interviews for f in i.feedbacks if i.kind == InterviewKind.IN_HOUSE)
    before = sealed_fingerprint(feedback)
    assert before == sealed_fingerprint(feedback) and len(before) == 64
    db.session.expunge(feedback)  # compare a copy, not the sealed row
    feedback.summary = feedback.summary + " (edited)"
    assert sealed_fingerprint(feedback) != before


def test_the_bar_raiser_writes_the_summary_from_the_outline_and_marks_it_ready(app, client, debrief):
    loop_id, people = debrief
    login(client, people["br"][0])
    page = client.get(f"/loops/{loop_id}/debrief/summary")
    assert page.status_code == 200 and "Disagreements" in page.get_data(as_text=True)
    assert client.post(f"/loops/{loop_id}/debrief/summary",
                       data={"body": "Draft: settle Deliver Results.", "save": "Save draft"}).status_code == 302
    login(client, people["hm"][0])
    assert "Draft: settle" not in client.get(f"/loops/{loop_id}/debrief").get_data(as_text=True)  # drafts are private
    login(client, people["br"][0])
    blank = client.post(f"/loops/{loop_id}/debrief/summary", data={"body": " ", "ready": "Mark ready"})
    assert blank.status_code == 422 and "Write the summary before marking it ready." in blank.get_data(as_text=True)
    ready = client.post(f"/loops/{loop_id}/debrief/summary",
                        data={"body": "Settle the split on the outage story first.", "ready": "Mark ready"})
    assert ready.status_code == 302
    again = client.post(f"/loops/{loop_id}/debrief/summary", data={"body": "Changed.", "ready": "Mark ready"})
    assert again.status_code == 409
    for who in ("hm", "ana"):
        login(client, people[who][0])
        assert "Settle the split on the outage story first." in client.get(
            f"/loops/{loop_id}/debrief").get_data(as_text=True)
    login(client, people["ana"][0])
    assert client.get(f"/loops/{loop_id}/debrief/summary").status_code == 403  # only the bar raiser writes it
    with app.app_context():
        brief = db.session.query(DebriefBrief).one()
        assert brief.is_ready and brief.body == "Settle the split on the outage story first."


def test_nobody_who_has_not_submitted_reads_the_summary_or_the_agenda(app, client):
    with app.app_context():
        loop = constructed_loop(step=Step.WRITTEN_FEEDBACK, submitted=False)
        bar_raiser, ana = loop.bar_raiser, people_of(loop)["ana"]
        db.session.commit()
        loop_id, emails = loop.id, (bar_raiser.email, ana.email)
    for email in emails:
        login(client, email)
        assert client.get(f"/loops/{loop_id}/debrief").status_code == 404  # not at the debrief yet
    login(client, emails[0])
    assert client.get(f"/loops/{loop_id}/debrief/summary").status_code == 403  # the bar raiser has not submitted
    with app.app_context():
        loop = db.session.get(Loop, loop_id)
        late = factories.make_user(name="Late Larry", org_unit="Payments")
        db.session.add(Interview(loop=loop, kind=InterviewKind.IN_HOUSE, interviewer=late,
                                 starts_at=utcnow(), principles=loop.requisition.principles[:1]))
        loop.step = Step.DEBRIEF
        db.session.commit()
        email = late.email
    login(client, email)
    assert client.get(f"/loops/{loop_id}/debrief").status_code == 403


def test_the_bar_raiser_notes_what_the_discussion_established(app, client, debrief):
    loop_id, people = debrief
    with app.app_context():
        principle = db.session.get(Loop, loop_id).requisition.principles[1]
        principle_id, name = principle.id, principle.name
    login(client, people["ana"][0])
    assert client.post(f"/loops/{loop_id}/debrief/agenda-note",
                       data={"principle_id": principle_id, "body": "Mine."}).status_code == 403
    login(client, people["br"][0])
    blank = client.post(f"/loops/{loop_id}/debrief/agenda-note", data={"principle_id": principle_id, "body": ""})
    assert blank.status_code == 422 and "Write what the discussion established." in blank.get_data(as_text=True)
    saved = client.post(f"/loops/{loop_id}/debrief/agenda-note",
                        data={"principle_id": principle_id, "body": "Ben's concern was about the rollback, not "
                                                                    "the design; Ana's example stands."})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"#agenda-{principle_id}")
    login(client, people["hm"][0])
    html = client.get(f"/loops/{loop_id}/debrief").get_data(as_text=True)
    item = html[html.index(f'id="agenda-{principle_id}"'):]
    assert name in item[:400] and "Ana&#39;s example stands." in item
    client.post(f"/loops/{loop_id}/debrief/decision", data={"outcome": "hire", "rationale": "Strong overall."})
    login(client, people["br"][0])
    late = client.post(f"/loops/{loop_id}/debrief/agenda-note", data={"principle_id": principle_id, "body": "More."})
    assert late.status_code == 409
    with app.app_context():
        assert db.session.query(AgendaNote).one().body.startswith("Ben's concern")


@pytest.fixture
def reverse_shadow_loop(app):
    """A loop at the debrief run by a reverse shadow under a certified supervisor."""
    with app.app_context():
        trainee = factories.make_user(name="Tess Trainee", org_unit="Logistics")
        trainee.certification = Certification.REVERSE_SHADOW
        loop = constructed_loop(shadow=trainee)
        loop.is_reverse_shadow = True
        db.session.commit()
        return loop.id, {"trainee": trainee.email, "br": loop.bar_raiser.email, "hm": loop.hiring_manager.email}


def test_the_supervisors_verdict_counts_and_the_trainees_does_not(app, client, reverse_shadow_loop):
    loop_id, people = reverse_shadow_loop
    login(client, people["trainee"])
    assert client.post(f"/loops/{loop_id}/debrief/verdict",
                       data={"verdict": "veto", "verdict_rationale": "Not yet."}).status_code == 403
    assert client.post(f"/loops/{loop_id}/debrief/practice-verdict",
                       data={"verdict": "veto", "verdict_rationale": "The Dive Deep gap is real."}).status_code == 302
    again = client.post(f"/loops/{loop_id}/debrief/practice-verdict",
                        data={"verdict": "concur", "verdict_rationale": "Changed my mind."})
    assert again.status_code == 409
    # The trainee acts as the bar raiser: writes the summary.
    assert client.post(f"/loops/{loop_id}/debrief/summary",
                       data={"body": "Start with Dive Deep.", "ready": "Mark ready"}).status_code == 302
    login(client, people["hm"])
    client.post(f"/loops/{loop_id}/debrief/decision", data={"outcome": "hire", "rationale": "Strong overall."})
    login(client, people["br"])
    assert client.post(f"/loops/{loop_id}/debrief/verdict",
                       data={"verdict": "concur", "verdict_rationale": "Raises the bar."}).status_code == 302
    with app.app_context():
        loop = db.session.get(Loop, loop_id)
        assert (loop.step, loop.status, loop.decision.verdict) == (Step.REFERENCE_CHECK, LoopStatus.OPEN, "concur")
        assert loop.practice_verdict.verdict == "veto"
    html = client.get(f"/loops/{loop_id}/debrief").get_data(as_text=True)
    assert "Tess Trainee</strong> (reverse shadow)" in html and "Practice, not counted" in html
    assert "The Dive Deep gap is real." in html and "Raises the bar." in html


def test_the_pdf_prints_the_summary_the_notes_the_practice_verdict_and_sealed_first_votes(
        app, client, reverse_shadow_loop, tmp_path):
    from tests.test_debrief_pdf import pdf_text

    app.config["PDF_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    loop_id, people = reverse_shadow_loop
    with app.app_context():
        principle_id = db.session.get(Loop, loop_id).requisition.principles[1].id
    login(client, people["trainee"])
    client.post(f"/loops/{loop_id}/debrief/summary", data={"body": "Start with the outage story.", "ready": "1"})
    client.post(f"/loops/{loop_id}/debrief/agenda-note",
                data={"principle_id": principle_id, "body": "The rollback concern was answered."})
    client.post(f"/loops/{loop_id}/debrief/practice-verdict", data={"verdict": "veto", "verdict_rationale": "Thin."})
    login(client, people["hm"])
    response = client.get(f"/loops/{loop_id}/debrief.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "The bar raiser's summary" in text and "Start with the outage story." in text
    assert "The rollback concern was answered." in text
    assert "Reverse shadow's practice verdict: Veto (not counted)" in text
    with app.app_context():
        loop = db.session.get(Loop, loop_id)
        for feedback in (f for i in loop.interviews for f in i.feedbacks if i.kind == InterviewKind.IN_HOUSE):
            assert f"fingerprint {sealed_fingerprint(feedback)[:16]}" in text


def test_only_a_certified_bar_raiser_holds_the_veto(app, client, debrief):
    loop_id, people = debrief
    login(client, people["hm"][0])
    client.post(f"/loops/{loop_id}/debrief/decision", data={"outcome": "hire", "rationale": "Strong overall."})
    with app.app_context():
        db.session.get(User, people["br"][1]).certification = Certification.PAUSED  # paused behind the path's back
        db.session.commit()
    login(client, people["br"][0])
    refused = client.post(f"/loops/{loop_id}/debrief/verdict", data={"verdict": "veto", "verdict_rationale": "No."})
    assert refused.status_code in (409, 422)
    assert "Only a certified bar raiser holds the veto." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Loop, loop_id).decision.verdict is None


def test_once_every_feedback_is_in_the_bar_raiser_writes_the_summary_before_the_debrief(app, client):
    with app.app_context():
        loop = constructed_loop(step=Step.WRITTEN_FEEDBACK)
        db.session.commit()
        loop_id, bar_raiser, ana = loop.id, loop.bar_raiser.email, people_of(loop)["ana"].email
    login(client, bar_raiser)
    assert "Write the debrief summary" in client.get(f"/loops/{loop_id}").get_data(as_text=True)
    assert client.post(f"/loops/{loop_id}/debrief/summary",
                       data={"body": "Start with the split on ownership.", "ready": "1"}).status_code == 302
    assert "Write the debrief summary" not in client.get(f"/loops/{loop_id}").get_data(as_text=True)
    login(client, ana)
    assert "Write the debrief summary" not in client.get(f"/loops/{loop_id}").get_data(as_text=True)
