"""The debrief PDF: what it holds, who may download it, its cache, and what its renderer may fetch."""

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.audit.services import record
from app.db_types import utcnow
from app.debrief.models import DebriefDecision, FinalVote
from app.extensions import db
from app.feedback.models import Amendment, Vote
from app.interviews.models import InterviewKind
from app.loops.models import Loop
from app.people.models import User
from app.reports import pdf
from app.reports.charts import vote_chart_svg
from app.reports.data import fingerprint, report_data
from tests import factories
from tests.conftest import make_person

STATIC = Path(pdf.__file__).resolve().parent.parent / "static"
# 100 KB with no space to break at, markup included: the worst case for escaping and for line breaking.
HUGE = ("<b>x</b>&amp;" + "0123456789" * 9)[:100] * 1000
INJECTIONS = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    "@import url(http://127.0.0.1:9/); <style>@import url(http://127.0.0.1:9/);</style>",
    '<svg><image href="file:///etc/passwd"/></svg>',
]


@pytest.fixture
def app(app, tmp_path):
    """The conftest app, with the PDF cache in the test's own folder."""
    app.config["PDF_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    return app


@pytest.fixture
def outsider(app):
    return make_person(app, "out@example.test", "Olga Outsider", org_unit="Ads")


def users(*people) -> list[User]:
    return [db.session.get(User, person.id) for person in people]


def debriefed_loop(hiring_manager, bar_raiser, recruiter, interviewer, *, evidence: list[str] | None = None,
                   outcome: str | None = "hire", verdict: str | None = "veto", step: int = 6) -> int:
    """Make a loop at the debrief whose four interviewers each wrote their own evidence; return its id."""
    hm, br, rec, iv = users(hiring_manager, bar_raiser, recruiter, interviewer)
    panel = [br, iv, factories.make_user(name="Nia Okafor"), factories.make_user(name="Tom Brandt")]
    loop = factories.make_loop(min(step, 5), recruiter=rec, hiring_manager=hm, bar_raiser=br, interviewers=panel)
    loop.candidate.name = "Zoë Ångström-Lee"
    evidence = evidence or [f"Evidence from {person.name}: shipped the ledger rewrite." for person in panel]
    votes = [Vote.STRONGLY_NOT_INCLINED, Vote.INCLINED, Vote.STRONGLY_INCLINED, Vote.NOT_INCLINED]
    in_house = [i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE]
    if step >= 6:
        for interview, text, vote in zip(in_house, evidence, votes, strict=True):
            factories.submit_feedback(interview, interview.interviewer, vote, evidence=text)
        loop.step = step
        db.session.add(FinalVote(loop=loop, interviewer=iv, first_vote=Vote.INCLINED, vote=Vote.NOT_INCLINED,
                                 reason="The bar raiser's example changed my mind."))
        feedback = in_house[0].feedbacks[0]
        db.session.add(Amendment(feedback=feedback, author=br, body="Checked the dates: they match."))
        record("loop.advanced", loop, rec, loop=loop, from_state="Written feedback", to_state="Debrief",
               reason="Every in-house interview has submitted feedback.")
    if outcome is not None:
        db.session.add(DebriefDecision(loop=loop, outcome=outcome, rationale="Hire: sharp on ownership.",
                                       decided_by=hm))
        db.session.flush()
        record("debrief.decided", loop, hm, loop=loop, to_state=outcome, reason="Hire: sharp on ownership.")
    if verdict is not None:
        decision = db.session.scalar(select(DebriefDecision).where(DebriefDecision.loop_id == loop.id))
        decision.verdict, decision.verdict_rationale = verdict, "Veto: blame pushed onto a junior engineer."
        decision.verdict_by, decision.verdict_at = br, utcnow()
        record("debrief.vetoed", loop, br, loop=loop, to_state="Veto", reason=decision.verdict_rationale)
    db.session.commit()
    return loop.id


@pytest.fixture
def loop_id(app, hiring_manager, bar_raiser, recruiter, interviewer):
    with app.app_context():
        return debriefed_loop(hiring_manager, bar_raiser, recruiter, interviewer)


def pdf_text(data: bytes, body_only: bool = False) -> str:
    """Read a PDF back as text with poppler's pdftotext, whitespace collapsed.

    `body_only` crops each A4 page (595 x 842 pt) to inside its 22 mm top and bottom margins,
    leaving out the running header and footer.
    """
    crop = ["-x", "0", "-y", "63", "-W", "595", "-H", "716"] if body_only else []
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", *crop, "-", "-"], input=data, capture_output=True,
                         check=True)
    return " ".join(out.stdout.decode().split())


def download(client, auth, person, loop_id):
    auth.login(person)
    response = client.get(f"/loops/{loop_id}/debrief.pdf")
    auth.logout()
    return response


def test_pdf_holds_outcome_rationales_evidence_grid_timeline(app, client, auth, hiring_manager, loop_id):
    response = download(client, auth, hiring_manager, loop_id)
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Vetoed by bar raiser" in text
    assert "Hire: sharp on ownership." in text
    assert "Veto: blame pushed onto a junior engineer." in text
    for name in ("Bea Raiser", "Ivan Interviewer", "Nia Okafor", "Tom Brandt"):
        assert f"Evidence from {name}: shipped the ledger rewrite." in text
    assert "Checked the dates: they match." in text  # the amendment
    assert "The bar raiser's example changed my mind." in text  # why a vote changed
    with app.app_context():
        loop = db.session.get(Loop, loop_id)
        principles = [p.name for p in loop.requisition.principles]
    for name in principles:
        assert name in text
    assert "Principles × interviewers" in text
    assert "Moved on: Written feedback → Debrief" in text
    assert "Bar raiser vetoed" in text
    for step in ("Job description", "Written feedback", "Reference check", "Offer"):
        assert step in text
    assert "Confidential · Zoë Ångström-Lee · Senior Software Engineer, Payments" in text
    assert re.search(r"Page 1 of \d+", text)


@pytest.mark.parametrize("outcome, verdict, label", [
    ("hire", "concur", "Hire"),
    ("no_hire", None, "No hire"),
    ("hire", "veto", "Vetoed by bar raiser"),
    ("hire", None, "Pending"),
    (None, None, "Pending"),
])
def test_outcome_reads_as_the_decision_and_verdict_say(app, hiring_manager, bar_raiser, recruiter, interviewer,
                                                       outcome, verdict, label):
    with app.app_context():
        loop_id = debriefed_loop(hiring_manager, bar_raiser, recruiter, interviewer, outcome=outcome,
                                 verdict=verdict)
        assert report_data(db.session.get(Loop, loop_id))["outcome"]["label"] == label


@pytest.mark.parametrize("role", ["hiring_manager", "bar_raiser", "recruiter"])
def test_hiring_manager_bar_raiser_and_recruiter_download_from_the_debrief(request, client, auth, loop_id, role):
    response = download(client, auth, request.getfixturevalue(role), loop_id)
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")


@pytest.mark.parametrize("role, status", [("interviewer", 403), ("outsider", 404)])
def test_others_are_refused(request, client, auth, loop_id, role, status):
    assert download(client, auth, request.getfixturevalue(role), loop_id).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client, loop_id):
    response = client.get(f"/loops/{loop_id}/debrief.pdf")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_no_pdf_before_the_debrief(app, client, auth, hiring_manager, bar_raiser, recruiter, interviewer):
    with app.app_context():
        early = debriefed_loop(hiring_manager, bar_raiser, recruiter, interviewer, step=5, outcome=None,
                               verdict=None)
    response = download(client, auth, hiring_manager, early)
    assert response.status_code == 403
    assert "from the debrief (step 6) on" in response.get_data(as_text=True)


def test_download_headers_name_the_candidate_and_forbid_storing(client, auth, hiring_manager, loop_id):
    before = datetime.now(UTC).date()
    response = download(client, auth, hiring_manager, loop_id)
    days = {before.isoformat(), datetime.now(UTC).date().isoformat()}
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert any(f'attachment; filename="debrief-zoe-angstrom-lee-{day}.pdf"' in disposition for day in days)
    assert any(f"filename*=UTF-8''debrief-zo%C3%AB-%C3%A5ngstr%C3%B6m-lee-{day}.pdf" in disposition
               for day in days)


def test_each_download_is_audited_and_a_repeat_is_served_from_the_cache(app, client, auth, hiring_manager,
                                                                        loop_id, monkeypatch):
    renders = []
    real_render = pdf.render_pdf

    def counting_render(html):
        renders.append(html)
        return real_render(html)

    monkeypatch.setattr(pdf, "render_pdf", counting_render)
    first = download(client, auth, hiring_manager, loop_id)
    second = download(client, auth, hiring_manager, loop_id)
    assert first.status_code == second.status_code == 200
    assert len(renders) == 1
    assert second.data == first.data
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.downloaded")
                                     .order_by(AuditEntry.id)).all()
        expected = fingerprint(report_data(db.session.get(Loop, loop_id)))
        assert [(e.loop_id, e.actor_id) for e in entries] == [(loop_id, hiring_manager.id)] * 2
        assert [e.details["fingerprint"] for e in entries] == [expected, expected]
        assert [e.details["from_cache"] for e in entries] == [False, True]
    assert expected in pdf_text(first.data)


def test_fingerprint_is_the_same_for_the_same_data_and_changes_with_it(app, hiring_manager, loop_id):
    with app.app_context():
        loop = db.session.get(Loop, loop_id)
        data = report_data(loop)
        assert fingerprint(data) == fingerprint(report_data(loop))
        assert re.fullmatch(r"[0-9a-f]{64}", fingerprint(data))
        assert "generated" not in json.dumps(data)
        record("report.downloaded", loop, db.session.get(User, hiring_manager.id), loop=loop)
        db.session.flush()
        assert fingerprint(report_data(loop)) == fingerprint(data)  # downloads are not part of the report
        feedback = next(i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE).feedbacks[0]
        db.session.add(Amendment(feedback=feedback, author=feedback.author, body="One more thing."))
        db.session.flush()
        db.session.expire_all()
        assert fingerprint(report_data(db.session.get(Loop, loop_id))) != fingerprint(data)


def test_timeline_says_who_did_what_but_not_what_they_wrote(app, loop_id):
    with app.app_context():
        data = report_data(db.session.get(Loop, loop_id))
    steps = data["timeline"]
    assert [s["number"] for s in steps] == list(range(1, 9))
    assert steps[5]["state"] == "current" and steps[6]["state"] == "not reached"
    events = json.dumps(steps)
    assert "Evidence from" not in events and "Strongly" not in events


class SpyFetcher(pdf.BundledAssetFetcher):
    """The real fetcher, remembering every instance so a test can read what each was asked for."""

    instances: list["SpyFetcher"] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        SpyFetcher.instances.append(self)


@pytest.fixture
def fetcher_spy(monkeypatch):
    SpyFetcher.instances = []
    monkeypatch.setattr(pdf, "BundledAssetFetcher", SpyFetcher)
    return SpyFetcher.instances


def test_injection_in_evidence_stays_literal_text_and_fetches_nothing(
        app, client, auth, hiring_manager, bar_raiser, recruiter, interviewer, fetcher_spy):
    with app.app_context():
        loop_id = debriefed_loop(hiring_manager, bar_raiser, recruiter, interviewer,
                                 evidence=[INJECTIONS[0], INJECTIONS[1], INJECTIONS[2] + " " + INJECTIONS[3], HUGE])
        data = report_data(db.session.get(Loop, loop_id))
        html = pdf.render_html(data, report_fingerprint=fingerprint(data), generated_at=utcnow(),
                               zone=ZoneInfo("UTC"))
    assert "<img" not in html and "<image" not in html and 'rel="attachment"' not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "&lt;svg&gt;&lt;image href=&#34;file:///etc/passwd&#34;/&gt;&lt;/svg&gt;" in html
    assert "&lt;style&gt;@import url(http://127.0.0.1:9/);&lt;/style&gt;" in html
    assert str(escape(HUGE)) in html.replace("\u200b", "")

    response = download(client, auth, hiring_manager, loop_id)
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert '<img src="file:///etc/passwd">' in text
    assert '<link rel="attachment" href="file:///etc/passwd">' in text
    assert "@import url(http://127.0.0.1:9/);" in text
    assert '<svg><image href="file:///etc/passwd"/></svg>' in text
    assert HUGE in "".join(pdf_text(response.data, body_only=True).split())
    assert b"/EmbeddedFile" not in response.data
    assert b"root:x:0:0" not in response.data

    assert len(fetcher_spy) == 1
    asked = fetcher_spy[0].requested
    assert set(asked) <= set(pdf.ASSETS)
    assert "report-asset:reports/debrief.css" in asked and "report-asset:fonts/DejaVuSans.ttf" in asked
    assert fetcher_spy[0].refused == []


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:9/",
    "https://example.com/font.ttf",
    "report-asset:../../config.py",
    "report-asset:fonts/../../../config.py",
    "report-asset:/etc/passwd",
    "data:text/css,body{color:red}",
    "fonts/DejaVuSans.ttf",
    "file://" + str(STATIC / "fonts" / "DejaVuSans.ttf"),
])
def test_fetcher_refuses_everything_but_bundled_assets(url):
    fetcher = pdf.BundledAssetFetcher(STATIC)
    with pytest.raises(pdf.AssetRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_the_bundled_assets():
    fetcher = pdf.BundledAssetFetcher(STATIC)
    font = fetcher.fetch("report-asset:fonts/DejaVuSans.ttf")
    assert font.read(4) == b"\x00\x01\x00\x00" and font.content_type == "font/ttf"
    css = fetcher.fetch("report-asset:reports/debrief.css")
    assert b"@page" in css.read() and css.content_type == "text/css"


@pytest.mark.parametrize("html", [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="http://127.0.0.1:9/">',
    "<style>@import url(http://127.0.0.1:9/);</style>",
    '<svg width="10" height="10"><image href="file:///etc/passwd" width="10" height="10"/></svg>',
    '<link rel="attachment" href="file:///etc/passwd">',
])
def test_render_stops_loudly_when_markup_asks_for_anything_else(app, html, fetcher_spy):
    with app.app_context(), pytest.raises(pdf.AssetRefused):
        pdf.render_pdf(f"<!doctype html><p>x</p>{html}")
    assert fetcher_spy[0].refused


def test_long_unbroken_text_gets_break_opportunities_and_nothing_else_changes():
    text = "short words stay " + "y" * 95
    broken = pdf.breakable(text)
    assert broken.replace("\u200b", "") == text
    assert broken.startswith("short words stay ") and broken.count("\u200b") == 3
    prose = "a normal sentence, however long it gets " * 50
    assert pdf.breakable(prose) == prose


def test_vote_chart_is_self_contained_svg_with_words_and_numbers():
    rows = [(Vote.STRONGLY_INCLINED, 1, 0), (Vote.INCLINED, 2, 3), (Vote.NOT_INCLINED, 0, 0),
            (Vote.STRONGLY_NOT_INCLINED, 1, 1)]
    svg = str(vote_chart_svg(rows))
    assert svg.startswith("<svg") and "<title>" in svg
    for vote in Vote:
        assert vote.label in svg
    assert "2 first" in svg and "3 final" in svg and "First vote" in svg and "Final vote" in svg
    for forbidden in ("<script", "href", "url(", "<image", "foreignObject", "<style"):
        assert forbidden not in svg
    assert not re.search(r"\son\w+=", svg)  # no event handlers


def test_a_cached_report_survives_a_new_instance_but_not_a_changed_layout(app, monkeypatch, loop_id):
    with app.app_context():
        loop = db.session.get(Loop, loop_id)
        zone = ZoneInfo("Europe/Paris")
        first = pdf.debrief_pdf(loop, zone)
        assert not first.from_cache
        assert pdf.debrief_pdf(loop, zone).from_cache  # the disk, not the process, holds it
        monkeypatch.setattr(pdf, "layout_version", lambda: "0" * 16)
        assert not pdf.debrief_pdf(loop, zone).from_cache
        assert not pdf.debrief_pdf(loop, ZoneInfo("UTC")).from_cache


def test_late_feedback_is_marked(app, hiring_manager, loop_id):
    app.config["FEEDBACK_DUE_HOURS"] = 1  # the factories submit two hours after the interview ends
    with app.app_context():
        data = report_data(db.session.get(Loop, loop_id))
        html = pdf.render_html(data, report_fingerprint=fingerprint(data), generated_at=utcnow(),
                               zone=ZoneInfo("UTC"))
    assert data["late_count"] == 4
    assert all(block["is_late"] for block in data["feedback"])
    assert html.count(">LATE</span>") == 5  # four in-house feedbacks and the phone screen
    assert "4 of 4" in html
