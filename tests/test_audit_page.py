"""The admin's audit page: filters by who, what, when and which loop; an export with the chain's head."""

import json

import pytest
from sqlalchemy import select

from app.audit import chain
from app.audit.services import record
from app.extensions import db
from app.loops.models import Loop, LoopStatus, Step
from app.loops.workflow import end_loop
from tests import factories


@pytest.fixture
def trail(app):
    with app.app_context():
        first = factories.make_loop(step=Step.PHONE_SCREEN)
        second = factories.make_loop(step=Step.PHONE_SCREEN)
        db.session.commit()
        end_loop(first, first.recruiter, LoopStatus.WITHDRAWN, "Moved to Lisbon for family reasons.")
        record("loop.noted", second, second.hiring_manager, loop=second)
        db.session.commit()
        return {"first": first.id, "second": second.id, "recruiter": first.recruiter_id,
                "hm": second.hiring_manager_id}


def test_the_admin_filters_by_loop_who_and_what(client, auth, admin, trail):
    auth.login(admin)
    page = client.get(f"/admin/audit/?loop={trail['first']}").get_data(as_text=True)
    assert "loop.closed" in page and "Moved to Lisbon for family reasons." in page and "loop.noted" not in page
    page = client.get(f"/admin/audit/?actor={trail['hm']}").get_data(as_text=True)
    assert "loop.noted" in page and "loop.closed" not in page
    page = client.get("/admin/audit/?action=loop.").get_data(as_text=True)
    assert "loop.closed" in page and "loop.noted" in page and "auth.sign_in" not in page
    page = client.get("/admin/audit/?date_from=2001-01-01&date_to=2001-01-02").get_data(as_text=True)
    assert "No entries" in page


@pytest.mark.parametrize("query, message", [
    ("loop=abc", "Not a valid integer value."),
    ("date_from=2026-13-40", "Not a valid date value."),
    ("date_from=2026-05-02&date_to=2026-05-01", "Choose an end date on or after the start date."),
    ("action=loop;drop", "Enter an action such as loop.closed"),
    ("actor=999999", "Not a valid choice."),
])
def test_bad_filters_get_a_message_beside_the_field(client, auth, admin, trail, query, message):
    auth.login(admin)
    for url in (f"/admin/audit/?{query}", f"/admin/audit/export.jsonl?{query}"):
        response = client.get(url)
        assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_the_export_carries_the_chain_head_and_the_links_of_the_period(app, client, auth, admin, trail):
    auth.login(admin)
    response = client.get(f"/admin/audit/export.jsonl?loop={trail['first']}")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    header, entries = lines[0], lines[1:]
    with app.app_context():
        from app.audit.models import AuditEntry

        exported = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "audit.exported"))
        assert exported.details["head_hash"] == header["chain"]["head_hash"] == response.headers["X-Audit-Chain-Head"]
        before_export = db.session.scalar(select(AuditEntry).where(AuditEntry.seq == header["chain"]["length"]))
        assert before_export.entry_hash == header["chain"]["head_hash"]
        assert chain.verify(db.session).is_intact
    assert [e["action"] for e in entries] == ["loop.closed"]
    assert entries[0]["reason"] == "Moved to Lisbon for family reasons." and entries[0]["loop_id"] == trail["first"]
    assert len(entries[0]["entry_hash"]) == 64 and len(entries[0]["prev_hash"]) == 64


def test_the_page_reads_an_erased_candidate_by_number(app, client, auth, admin, trail):
    with app.app_context():
        from sqlalchemy import func, update

        from app.audit.models import AuditPersonalData

        candidate_id = db.session.get(Loop, trail["first"]).candidate_id
        db.session.execute(update(AuditPersonalData).where(AuditPersonalData.candidate_id == candidate_id)
                           .values(reason=None, details=None, salt=None, erased_at=func.now()))
        db.session.commit()
    auth.login(admin)
    page = client.get(f"/admin/audit/?loop={trail['first']}").get_data(as_text=True)
    assert f"candidate {candidate_id} (erased)" in page and "Lisbon" not in page
