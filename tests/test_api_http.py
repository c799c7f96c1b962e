"""The API over real HTTP: gunicorn on 127.0.0.1 serving the app, a plain urllib client with a write token."""

import json
import os
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.api import services as token_services
from app.db_types import utcnow
from app.debrief import services as debrief
from app.extensions import db
from app.feedback.models import Vote
from app.interviews.models import Interview, InterviewKind
from app.loops.models import Loop, ScreenDecision, ScreenOutcome, Step
from app.people.models import User
from tests import factories
from tests.gunicorn import GunicornProcess


class Client:
    """A small JSON client: what an applicant-tracking system would write with the standard library."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/json",
            **({"Content-Type": "application/json"} if data is not None else {}), **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # nosec B310 - our own loopback server
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read())


@pytest.fixture
def server(app, database, tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("APP_ENV", "FLASK_APP")}
    env.update({"DATABASE_URL": database, "SECRET_KEY": "api-http-test-secret-key-0123456789abcdef",
                "UPLOAD_FOLDER": str(tmp_path / "uploads"), "PDF_CACHE_DIR": str(tmp_path / "pdf-cache"),
                "RATELIMIT_STORAGE_URI": "memory://", "JOBS_MODE": "off"})
    process = GunicornProcess("wsgi:app", env, workers=1, name="api server")
    try:
        process.wait_until_up()
        yield f"http://127.0.0.1:{process.port}"
    finally:
        process.stop()


def test_an_ats_creates_a_candidate_and_a_loop_then_reads_the_outcome_of_its_debrief(app, server):
    with app.app_context():
        recruiter = factories.make_user(email="ats@m.test", is_recruiter=True, org_unit="Talent")
        hm = factories.make_user(email="hm@m.test", org_unit="Payments")
        bar_raiser = factories.make_user(email="br@m.test", certification="certified", org_unit="Search")
        requisition = factories.make_requisition(hm, recruiter)
        _, secret = token_services.create_token(recruiter, name="ATS", scope="write",
                                                expires_at=utcnow() + timedelta(days=30))
        db.session.commit()
        requisition_id, bar_raiser_id = requisition.id, bar_raiser.id
    ats = Client(server, secret)

    status, headers, candidate = ats.call("POST", "/api/v1/candidates", {
        "name": "Mei Tanaka", "email": "mei@example.test", "external_id": "ats-7781",
        "resume_url": "https://example.test/mei.pdf"})
    assert status == 201, candidate
    assert headers["Location"].endswith(f"/api/v1/candidates/{candidate['id']}")
    status, _, found = ats.call("GET", "/api/v1/candidates?external_id=ats-7781")
    assert status == 200 and [c["id"] for c in found["items"]] == [candidate["id"]]
    status, _, loop = ats.call("POST", "/api/v1/loops", {"requisition_id": requisition_id,
                                                         "candidate_id": candidate["id"],
                                                         "bar_raiser_id": bar_raiser_id})
    assert status == 201 and loop["step"] == Step.RESUME_REVIEW and loop["status"] == "open"
    status, _, outcome = ats.call("GET", f"/api/v1/loops/{loop['id']}/outcome")
    assert status == 200 and outcome["outcome"] == "pending"
    status, _, refused = ats.call("POST", "/api/v1/loops", {"requisition_id": requisition_id,
                                                            "candidate_id": candidate["id"], "extra": 1})
    assert status == 422 and refused["errors"] == {"extra": ["Unknown field."]}

    with app.app_context():  # the loop's interviews and feedback, then the debrief through its services
        row = db.session.get(Loop, loop["id"])
        hm, bar_raiser = db.session.get(User, row.hiring_manager_id), db.session.get(User, bar_raiser_id)
        for step in (Step.RESUME_REVIEW, Step.PHONE_SCREEN):
            db.session.add(ScreenDecision(loop=row, step=step, outcome=ScreenOutcome.ADVANCE, decided_by=hm))
        for n, person in enumerate([bar_raiser] + [factories.make_user(org_unit="Payments") for _ in range(3)]):
            interview = Interview(loop=row, kind=InterviewKind.IN_HOUSE, interviewer=person,
                                  starts_at=utcnow() - timedelta(days=2, hours=n),
                                  principles=[row.requisition.principles[n % len(row.requisition.principles)]])
            db.session.add(interview)
            db.session.flush()
            factories.submit_feedback(interview, person, Vote.INCLINED)
        row.step = Step.DEBRIEF
        db.session.flush()
        debrief.decide(row, hm, "hire", "Owned the ledger migration end to end.")
        debrief.record_verdict(row, bar_raiser, "concur", "Raises the bar on ownership.")
        db.session.commit()

    status, headers, outcome = ats.call("GET", f"/api/v1/loops/{loop['id']}/outcome")
    assert status == 200 and headers["ETag"]
    assert outcome["outcome"] == "hire" and outcome["decision"] == "hire" and outcome["verdict"] == "concur"
    assert outcome["decided_at"] and outcome["verdict_at"]
    assert "rationale" not in json.dumps(outcome) and "Owned the ledger" not in json.dumps(outcome)
    status, _, moved = ats.call("GET", f"/api/v1/loops/{loop['id']}")
    assert moved["step"] == Step.REFERENCE_CHECK
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM audit_entries WHERE action = 'api.write'")) == 2
