"""Background jobs: asked for in a transaction, started only if it commits; retried, then listed for admins;
the debrief PDF rendered when the decision is recorded."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.jobs.queue import dead_letters, enqueue_after_commit, huey, job
from app.loops.models import Step
from config import env_choice
from tests import factories
from tests.conftest import PASSWORD

RAN: list[int] = []


@job
def remember(number: int) -> None:
    RAN.append(number)


@job(retries=2, retry_delay=0)
def always_fails(reason: str) -> None:
    raise RuntimeError(reason)


@pytest.fixture
def jobs_app(app):
    """The app with jobs run in the request that asked for them, after its commit."""
    app.config["JOBS_MODE"] = "immediate"
    RAN.clear()
    return app


def test_a_job_asked_for_in_a_transaction_that_rolls_back_never_runs(jobs_app):
    with jobs_app.app_context():
        factories.make_user()
        enqueue_after_commit(remember, 1)
        db.session.rollback()
        assert RAN == []
        factories.make_user()
        enqueue_after_commit(remember, 2)
        enqueue_after_commit(remember, 2)  # asked twice in one transaction: run once
        assert RAN == []  # nothing before the commit
        db.session.commit()
        assert RAN == [2]


def test_queued_jobs_wait_for_the_commit_too(app):
    huey.flush()
    with app.app_context():
        app.config["JOBS_MODE"] = "queue"
        enqueue_after_commit(remember, 3)
        db.session.rollback()
        assert huey.pending_count() == 0
        enqueue_after_commit(remember, 4)
        db.session.commit()
        assert [task.args for task in huey.pending()] == [(4,)]
    huey.flush()


def test_a_job_that_keeps_failing_is_retried_then_listed_for_admins(app, client, auth, admin):
    """Every try fails; the last one lands on the admins' list, with its error escaped."""
    huey.flush()
    with app.app_context():
        app.config["JOBS_MODE"] = "queue"
        enqueue_after_commit(always_fails, "SMTP server refused <the login>")
        db.session.commit()
    tries = 0
    while (task := huey.dequeue()) is not None:  # what a worker does, here in the test's process
        tries += 1
        huey.execute(task)
    assert tries == 3  # the first try and two retries
    [letter] = [d for d in dead_letters() if d["job"].endswith("always_fails")]
    assert "SMTP server refused" in letter["error"]
    auth.login(admin)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Always fails" in page and "SMTP server refused &lt;the login&gt;" in page
    assert client.post(f"/admin/jobs/{letter['id']}/clear").status_code == 302
    assert not [d for d in dead_letters() if d["job"].endswith("always_fails")]
    assert client.post(f"/admin/jobs/{letter['id']}/clear").status_code == 404
    huey.flush()


def test_the_debrief_pdf_is_rendered_when_the_decision_is_recorded(jobs_app, client):
    with jobs_app.app_context():
        loop = factories.make_loop(step=Step.DEBRIEF)
        loop_id, hiring_manager_email = loop.id, loop.hiring_manager.email
        db.session.commit()
    client.post("/login", data={"email": hiring_manager_email, "password": PASSWORD})
    decided = client.post(f"/loops/{loop_id}/debrief/decision",
                          data={"outcome": "no_hire", "rationale": "Ownership examples were thin."})
    assert decided.status_code == 302
    assert client.get(f"/loops/{loop_id}/debrief.pdf").status_code == 200
    with jobs_app.app_context():
        downloads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.downloaded")).all()
        assert [entry.details["from_cache"] for entry in downloads] == [True]


def test_jobs_mode_is_read_strictly(monkeypatch):
    monkeypatch.setenv("JOBS_MODE", "Immediate")
    assert env_choice("JOBS_MODE", "queue", ("queue", "immediate", "off")) == "immediate"
    monkeypatch.setenv("JOBS_MODE", "sometimes")
    with pytest.raises(ValueError, match="JOBS_MODE must be one of queue/immediate/off"):
        env_choice("JOBS_MODE", "queue", ("queue", "immediate", "off"))
