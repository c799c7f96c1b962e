"""The debrief: final votes, the decision, concur or veto; references and the offer."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from app.audit.models import AuditEntry
from app.debrief.models import DebriefDecision
from app.extensions import db
from app.loops.models import Loop, LoopStatus, Step
from app.offers.models import Offer
from app.people.models import User
from tests import factories


@pytest.fixture
def debrief(app, recruiter, hiring_manager, bar_raiser, interviewer, admin):
    """A loop at the debrief run by the role fixtures; `interviewer` voted Inclined."""
    with app.app_context():
        people = {p.id: db.session.get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser, interviewer)}
        loop = factories.make_loop(
            step=Step.DEBRIEF, recruiter=people[recruiter.id], hiring_manager=people[hiring_manager.id],
            bar_raiser=people[bar_raiser.id],
            interviewers=[people[bar_raiser.id], people[interviewer.id]] + [factories.make_user() for _ in range(2)])
        db.session.commit()
        return loop.id


def post(client, loop_id, what, **data):
    return client.post(f"/loops/{loop_id}/debrief/{what}", data=data)


def loop_state(app, loop_id):
    with app.app_context():
        loop = db.session.get(Loop, loop_id)
        decision = loop.decision
        return loop.step, loop.status, decision and decision.outcome, decision and decision.verdict


def test_hire_and_concur_moves_the_loop_to_references(app, client, auth, debrief, hiring_manager, bar_raiser):
    auth.login(hiring_manager)
    assert post(client, debrief, "decision", outcome="hire", rationale="Strong across the board.").status_code == 302
    assert loop_state(app, debrief) == (Step.DEBRIEF, LoopStatus.OPEN, "hire", None)
    auth.logout()
    auth.login(bar_raiser)
    assert post(client, debrief, "verdict", verdict="concur", verdict_rationale="Raises the bar.").status_code == 302
    assert loop_state(app, debrief) == (Step.REFERENCE_CHECK, LoopStatus.OPEN, "hire", "concur")


def test_no_hire_closes_the_loop_and_leaves_nothing_to_veto(app, client, auth, debrief, hiring_manager, bar_raiser):
    auth.login(hiring_manager)
    post(client, debrief, "decision", outcome="no_hire", rationale="Ownership examples were thin.")
    assert loop_state(app, debrief) == (Step.DEBRIEF, LoopStatus.NOT_HIRED, "no_hire", None)
    auth.logout()
    auth.login(bar_raiser)
    refused = post(client, debrief, "verdict", verdict="concur", verdict_rationale="I'd hire.")
    assert refused.status_code == 409  # the loop's state refuses it, not what was typed
    assert loop_state(app, debrief)[3] is None


def test_a_veto_closes_the_loop_and_is_final_for_everyone(app, client, auth, debrief, hiring_manager, bar_raiser,
                                                          admin, recruiter):
    auth.login(hiring_manager)
    post(client, debrief, "decision", outcome="hire", rationale="Strong.")
    auth.logout()
    auth.login(bar_raiser)
    assert post(client, debrief, "verdict", verdict="veto",
                verdict_rationale="Below the bar on Dive Deep; two strong concerns.").status_code == 302
    assert loop_state(app, debrief) == (Step.DEBRIEF, LoopStatus.NOT_HIRED, "hire", "veto")
    again = post(client, debrief, "verdict", verdict="concur", verdict_rationale="Changed my mind.")
    assert again.status_code in (409, 422)
    for person in (admin, recruiter, hiring_manager):
        auth.logout()
        auth.login(person)
        for what, data in (("verdict", {"verdict": "concur", "verdict_rationale": "x"}),
                            ("decision", {"outcome": "hire", "rationale": "x"})):
            assert post(client, debrief, what, **data).status_code in (403, 404, 409, 422)
        assert client.post(f"/loops/{debrief}/advance", data={"to_step": "7"}).status_code in (403, 404, 409)
    assert loop_state(app, debrief) == (Step.DEBRIEF, LoopStatus.NOT_HIRED, "hire", "veto")
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.loop_id == debrief)).all()
        assert "debrief.vetoed" in actions


@pytest.mark.parametrize("who", ["recruiter", "bar_raiser", "interviewer"])
def test_only_the_hiring_manager_decides(app, client, auth, debrief, who, request):
    auth.login(request.getfixturevalue(who))
    assert post(client, debrief, "decision", outcome="hire", rationale="x").status_code == 403
    assert loop_state(app, debrief)[2] is None


@pytest.mark.parametrize("who", ["recruiter", "hiring_manager", "interviewer"])
def test_only_the_bar_raiser_concurs_or_vetoes(app, client, auth, debrief, hiring_manager, who, request):
    auth.login(hiring_manager)
    post(client, debrief, "decision", outcome="hire", rationale="Strong.")
    auth.logout()
    auth.login(request.getfixturevalue(who))
    assert post(client, debrief, "verdict", verdict="veto", verdict_rationale="x").status_code == 403
    assert loop_state(app, debrief)[3] is None


def test_a_decision_is_made_once_and_the_second_is_told(app, client, auth, debrief, hiring_manager):
    auth.login(hiring_manager)
    assert post(client, debrief, "decision", outcome="hire", rationale="Strong.").status_code == 302
    second = post(client, debrief, "decision", outcome="no_hire", rationale="Second thoughts.")
    assert second.status_code in (403, 409)
    assert loop_state(app, debrief)[2] == "hire"


def test_racing_verdicts_leave_one_winner_and_a_409(app, client, auth, debrief, hiring_manager, bar_raiser):
    auth.login(hiring_manager)
    post(client, debrief, "decision", outcome="hire", rationale="Strong.")
    auth.logout()
    auth.login(bar_raiser)
    other_tab = app.test_client()
    other_tab.post("/login", data={"email": bar_raiser.email, "password": bar_raiser.password})
    first = post(client, debrief, "verdict", verdict="veto", verdict_rationale="Not yet at the bar.")
    second = post(other_tab, debrief, "verdict", verdict="concur", verdict_rationale="Raises the bar.")
    assert first.status_code == 302
    assert second.status_code == 409
    assert "already recorded Veto" in second.get_data(as_text=True)
    assert loop_state(app, debrief)[3] == "veto"


def test_rationales_are_required_beside_the_field(app, client, auth, debrief, hiring_manager):
    auth.login(hiring_manager)
    response = post(client, debrief, "decision", outcome="hire", rationale="  ")
    assert response.status_code == 422
    assert "Write the rationale for the decision." in response.get_data(as_text=True)
    assert post(client, debrief, "decision", rationale="x").status_code == 422  # no outcome
    assert loop_state(app, debrief)[2] is None


def test_final_votes_keep_the_first_and_need_a_reason_to_change(app, client, auth, debrief, interviewer):
    auth.login(interviewer)
    refused = post(client, debrief, "final-vote", vote="not_inclined", reason="")
    assert refused.status_code == 422
    assert "say why it changed" in refused.get_data(as_text=True)
    assert post(client, debrief, "final-vote", vote="not_inclined",
                reason="The bar raiser's Dive Deep notes changed my mind.").status_code == 302
    page = client.get(f"/loops/{debrief}/debrief").get_data(as_text=True)
    assert "Inclined to hire" in page and "Not inclined" in page
    assert "changed my mind" in page


def test_the_debrief_page_respects_the_blind_rule_and_is_not_cached(app, client, auth, debrief, interviewer):
    with app.app_context():
        outsider = factories.make_user(email="out@example.test")
        db.session.commit()
    auth.login(interviewer)
    response = client.get(f"/loops/{debrief}/debrief")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Principles × interviewers" in response.get_data(as_text=True)
    auth.logout()
    client.post("/login", data={"email": "out@example.test", "password": "correct-horse-battery"})
    assert client.get(f"/loops/{debrief}/debrief").status_code == 404
    assert outsider


def test_the_debrief_is_not_open_before_step_six(app, client, auth, recruiter):
    with app.app_context():
        loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK, recruiter=db.session.get(User, recruiter.id))
        db.session.commit()
        loop_id = loop.id
    auth.login(recruiter)
    assert client.get(f"/loops/{loop_id}/debrief").status_code == 404


@pytest.fixture
def at_references(app, recruiter, hiring_manager):
    with app.app_context():
        loop = factories.make_loop(step=Step.REFERENCE_CHECK, recruiter=db.session.get(User, recruiter.id),
                                   hiring_manager=db.session.get(User, hiring_manager.id))
        db.session.commit()
        return loop.id


def reference(**changes):
    return {"name": "Dana Ruiz", "relation": "Former manager at Adyen", "contacted_on": "2026-11-20",
            "summary": "Would hire again without hesitation.", "outcome": "supports", **changes}


def test_references_then_offer_accepted_ends_the_loop_hired(app, client, auth, at_references, recruiter):
    auth.login(recruiter)
    refused = client.post(f"/loops/{at_references}/advance", data={"to_step": "8"})
    assert refused.status_code == 409
    assert "Record at least 2 references (0 so far)." in refused.get_data(as_text=True)
    for name in ("Dana Ruiz", "Sam Lee"):
        assert client.post(f"/loops/{at_references}/references", data=reference(name=name)).status_code == 302
    assert client.post(f"/loops/{at_references}/advance", data={"to_step": "8"}).status_code == 302
    assert client.post(f"/loops/{at_references}/offer", data={"terms": "L6, start 2027-01-04"}).status_code == 302
    assert client.post(f"/loops/{at_references}/offer/resolve", data={"status": "accepted"}).status_code == 302
    with app.app_context():
        loop = db.session.get(Loop, at_references)
        assert loop.status == LoopStatus.HIRED and loop.step == Step.OFFER
        assert db.session.scalar(select(Offer.status).where(Offer.loop_id == loop.id)) == "accepted"


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "Enter the referee&#39;s name."),
    ({"summary": " "}, "Summarize what the referee said."),
    ({"contacted_on": "last week"}, "Enter a date like 2026-11-20."),
    ({"contacted_on": (date.today() + timedelta(days=3)).isoformat()}, "cannot be in the future"),
    ({"outcome": "meh"}, "Not a valid choice"),
])
def test_bad_references_are_refused_beside_the_field(app, client, auth, at_references, recruiter, changes, message):
    auth.login(recruiter)
    response = client.post(f"/loops/{at_references}/references", data=reference(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Loop, at_references).references == []


def test_rescinding_an_offer_needs_a_reason_and_closes_the_loop(app, client, auth, recruiter):
    with app.app_context():
        loop = factories.make_loop(step=Step.OFFER, recruiter=db.session.get(User, recruiter.id))
        db.session.commit()
        loop_id = loop.id
    auth.login(recruiter)
    response = client.post(f"/loops/{loop_id}/offer/resolve", data={"status": "rescinded", "reason": ""})
    assert response.status_code == 422
    assert client.post(f"/loops/{loop_id}/offer/resolve",
                       data={"status": "rescinded", "reason": "Headcount frozen."}).status_code == 302
    with app.app_context():
        assert db.session.get(Loop, loop_id).status == LoopStatus.REJECTED


def test_nobody_can_delete_or_rewrite_a_veto_in_the_database(app, debrief):
    with app.app_context():
        loop = db.session.get(Loop, debrief)
        db.session.add(DebriefDecision(loop=loop, outcome="hire", rationale="Strong.", decided_by=loop.hiring_manager,
                                       verdict="veto", verdict_rationale="No.", verdict_by=loop.bar_raiser,
                                       verdict_at=factories.utcnow()))
        db.session.commit()
        decision = db.session.scalar(select(DebriefDecision).where(DebriefDecision.loop_id == debrief))
        decision.verdict = "concur"
        with pytest.raises(Exception, match="veto is final"):
            db.session.commit()
        db.session.rollback()


def test_the_debrief_page_counts_final_votes_as_the_pdf_does_and_says_how(app, client, auth, debrief, interviewer,
                                                                          hiring_manager):
    import re

    from app.reports.data import report_data

    auth.login(interviewer)
    assert post(client, debrief, "final-vote", vote="not_inclined", reason="The debrief surfaced gaps.").status_code \
        == 302
    auth.logout()
    auth.login(hiring_manager)
    html = client.get(f"/loops/{debrief}/debrief").get_data(as_text=True)
    page = {label: (int(first), int(final)) for label, first, final in re.findall(
        r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td></tr>', html)}
    with app.test_request_context():
        loop = db.session.get(Loop, debrief)
        pdf = {row["label"]: (row["first"], row["final"]) for row in report_data(loop)["tally"]}
    assert page == pdf
    assert "the first vote stands where none was recorded (3 of 4 not recorded)." in html
    assert html.count("Not recorded<span class=\"cell-sub\">the first vote stands</span>") == 3


def debrief_statements(app, client, url: str) -> list[str]:
    """The statements the debrief page runs, each as it was sent (without its parameters)."""
    with app.app_context():
        engine = db.engine
    statements = []

    def capture(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    client.get(url)  # the session's first request pays for what a browser's later ones do not
    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return statements


@pytest.mark.parametrize("who", ["bar_raiser", "recruiter"])
def test_the_debrief_page_runs_as_many_statements_for_eight_interviewers_as_for_two(
        app, client, auth, recruiter, hiring_manager, bar_raiser, who, request):
    """Ratings, flags, questions and votes load with the rest, a few statements whatever the panel's size."""
    with app.app_context():
        people = {p.id: db.session.get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser)}
        loops = {}
        for size in (2, 8):
            panel = [people[bar_raiser.id]] + [factories.make_user() for _ in range(size - 1)]
            loop = factories.make_loop(step=Step.DEBRIEF, recruiter=people[recruiter.id],
                                       hiring_manager=people[hiring_manager.id], bar_raiser=people[bar_raiser.id],
                                       interviewers=panel)
            loops[size] = loop.id
        db.session.commit()
    auth.login(request.getfixturevalue(who))
    small = debrief_statements(app, client, f"/loops/{loops[2]}/debrief")
    large = debrief_statements(app, client, f"/loops/{loops[8]}/debrief")
    assert len(large) == len(small), "\n".join(s[:160] for s in large)
