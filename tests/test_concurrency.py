"""Writes that race: threads released together by a barrier, each with its own client and session.

Runs on SQLite (WAL, busy timeout) and on PostgreSQL.
"""

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.feedback.models import Feedback, FeedbackStatus
from app.loops.models import Loop, Step
from tests import factories
from tests.conftest import PASSWORD


def race(*jobs):
    """Run the jobs in threads released at the same instant; return their results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - reported below, with the thread's traceback lost
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def signed_in(app, email: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def feedback_form(n: int, evidence: str, version: str) -> dict:
    data = {"vote": "inclined", "raises_bar": "yes", "summary": evidence, "version": version, "submit": "1"}
    for index in range(n):
        data[f"ratings-{index}-rating"] = "meets_the_bar"
        data[f"ratings-{index}-evidence"] = evidence
    return data


def test_ten_interviewers_submitting_at_once_are_all_saved(app):
    with app.app_context():
        panel = [factories.make_user(certification="certified", org_unit="Search")] + [
            factories.make_user(email=f"panel{i}@example.test") for i in range(9)]
        loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK, bar_raiser=panel[0], interviewers=panel)
        jobs_data = [(u.email, i.id, len(i.principles)) for u in panel for i in loop.interviews
                     if i.interviewer_id == u.id]
        loop_id = loop.id
        db.session.commit()
    clients = [(signed_in(app, email), interview, n) for email, interview, n in jobs_data]
    results = race(*[
        (lambda c=c, i=i, n=n: c.post(f"/loops/{loop_id}/interviews/{i}/feedback",
                                      data=feedback_form(n, f"evidence from {i}", "0")).status_code)
        for c, i, n in clients
    ])
    assert results == [302] * 10
    with app.app_context():
        submitted = db.session.scalar(select(func.count()).select_from(Feedback).where(
            Feedback.status == FeedbackStatus.SUBMITTED, Feedback.is_practice.is_(False),
            Feedback.interview_id.in_([i for _, i, _ in jobs_data])))
        assert submitted == 10


def test_one_feedback_submitted_from_two_tabs_has_one_winner_and_loses_nothing(app):
    with app.app_context():
        me = factories.make_user(email="me@example.test")
        loop = factories.make_loop(step=Step.WRITTEN_FEEDBACK, interviewers=[
            factories.make_user(certification="certified", org_unit="Search"), me])
        interview = next(i for i in loop.interviews if i.interviewer_id == me.id)
        draft = Feedback(author=me, summary="draft", ratings=[
            factories.FeedbackRating(principle=p, evidence="") for p in interview.principles])
        db.session.add(draft)
        draft.interview = interview
        db.session.commit()
        url = f"/loops/{loop.id}/interviews/{interview.id}/feedback"
        n, version = len(interview.principles), str(draft.version)
    tab_a, tab_b = signed_in(app, "me@example.test"), signed_in(app, "me@example.test")
    a, b = race(lambda: tab_a.post(url, data=feedback_form(n, "typed in tab A", version)),
                lambda: tab_b.post(url, data=feedback_form(n, "typed in tab B", version)))
    assert sorted([a.status_code, b.status_code]) == [302, 409]
    loser, winner_text = (b, "typed in tab A") if a.status_code == 302 else (a, "typed in tab B")
    loser_text = "typed in tab B" if winner_text == "typed in tab A" else "typed in tab A"
    assert loser_text in loser.get_data(as_text=True)  # what the loser typed is handed back
    with app.app_context():
        stored = db.session.scalar(select(Feedback).where(Feedback.interview_id == interview.id))
        assert stored.status == FeedbackStatus.SUBMITTED and stored.summary == winner_text


@pytest.fixture
def at_debrief(app):
    with app.app_context():
        hm = factories.make_user(email="hm@race.test", org_unit="Payments")
        br = factories.make_user(email="br@race.test", certification="certified", org_unit="Search")
        loop = factories.make_loop(step=Step.DEBRIEF, hiring_manager=hm, bar_raiser=br)
        db.session.commit()
        return loop.id


def test_two_decisions_racing_leave_one_and_tell_the_other(app, at_debrief):
    tab_a, tab_b = signed_in(app, "hm@race.test"), signed_in(app, "hm@race.test")
    url = f"/loops/{at_debrief}/debrief/decision"
    a, b = race(lambda: tab_a.post(url, data={"outcome": "hire", "rationale": "Strong."}),
                lambda: tab_b.post(url, data={"outcome": "no_hire", "rationale": "Not yet."}))
    assert sorted([a.status_code, b.status_code]) == [302, 409]
    loser = a if a.status_code == 409 else b
    assert "Not recorded" in loser.get_data(as_text=True)


def test_concur_racing_a_veto_leaves_one_verdict(app, at_debrief):
    hm = signed_in(app, "hm@race.test")
    assert hm.post(f"/loops/{at_debrief}/debrief/decision",
                   data={"outcome": "hire", "rationale": "Strong."}).status_code == 302
    tab_a, tab_b = signed_in(app, "br@race.test"), signed_in(app, "br@race.test")
    url = f"/loops/{at_debrief}/debrief/verdict"
    a, b = race(lambda: tab_a.post(url, data={"verdict": "veto", "verdict_rationale": "Below the bar."}),
                lambda: tab_b.post(url, data={"verdict": "concur", "verdict_rationale": "Raises it."}))
    assert sorted([a.status_code, b.status_code]) == [302, 409]
    with app.app_context():
        loop = db.session.get(Loop, at_debrief)
        winner = "veto" if a.status_code == 302 else "concur"
        assert loop.decision.verdict == winner
        assert (loop.step, loop.status) == ((Step.DEBRIEF, "not_hired") if winner == "veto"
                                            else (Step.REFERENCE_CHECK, "open"))


def test_two_step_moves_racing_move_the_loop_once(app):
    with app.app_context():
        recruiter = factories.make_user(email="rec@race.test", is_recruiter=True, org_unit="Talent")
        loop = factories.make_loop(step=Step.REFERENCE_CHECK, recruiter=recruiter)
        factories.add_references(loop, 2)
        db.session.commit()
        loop_id = loop.id
    tab_a, tab_b = signed_in(app, "rec@race.test"), signed_in(app, "rec@race.test")
    url = f"/loops/{loop_id}/advance"
    a, b = race(lambda: tab_a.post(url, data={"to_step": "8"}), lambda: tab_b.post(url, data={"to_step": "8"}))
    assert sorted([a.status_code, b.status_code]) == [302, 409]
    with app.app_context():
        assert db.session.get(Loop, loop_id).step == Step.OFFER
        from app.audit.models import AuditEntry

        moves = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.loop_id == loop_id, AuditEntry.action == "loop.advanced"))
        assert moves == 1

