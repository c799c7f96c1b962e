"""A candidate's data on request: an archive with every record, their résumé and the signed debrief PDFs."""

import io
import json
import zipfile

import jsonschema
import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.candidates.services import store_resume
from app.extensions import db
from app.loops.models import Loop
from app.reports.signing import check_pdf
from app.retention.export import SCHEMA_PATH
from tests.test_debrief_pdf import debriefed_loop

RESUME = b"%PDF-1.4\n% Zoe's CV\n%%EOF\n"


@pytest.fixture
def loop_id(app, hiring_manager, bar_raiser, recruiter, interviewer):
    with app.app_context():
        loop_id = debriefed_loop(hiring_manager, bar_raiser, recruiter, interviewer)
        store_resume(db.session.get(Loop, loop_id).candidate, RESUME, "cv.pdf")
        db.session.commit()
        return loop_id


def candidate_of(app, loop_id) -> int:
    with app.app_context():
        return db.session.get(Loop, loop_id).candidate_id


def export(client, auth, person, candidate_id):
    auth.login(person)
    return client.get(f"/candidates/{candidate_id}/export.zip")


@pytest.mark.parametrize("role", ["admin", "recruiter"])
def test_the_archive_holds_every_record_valid_against_the_schema(app, client, auth, request, loop_id, role):
    candidate_id = candidate_of(app, loop_id)
    response = export(client, auth, request.getfixturevalue(role), candidate_id)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["data.json", f"debrief-loop-{loop_id}.pdf", "resume.pdf", "schema.json"]
    data = json.loads(archive.read("data.json"))
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())
    assert json.loads(archive.read("schema.json")) == schema
    assert data["candidate"]["name"] == "Zoë Ångström-Lee" and data["exported_at"]
    (loop,) = data["loops"]
    evidence = [r["evidence"] for i in loop["interviews"] for f in i["feedback"] for r in f["ratings"]]
    assert any("Evidence from Nia Okafor" in e for e in evidence)  # every interviewer's, no blind rule
    assert loop["decision"]["verdict_rationale"] == "Veto: blame pushed onto a junior engineer."
    assert loop["final_votes"][0]["reason"] == "The bar raiser's example changed my mind."
    assert any(e["action"] == "debrief.vetoed" for e in data["audit_entries"])
    assert archive.read("resume.pdf") == RESUME
    with app.app_context():
        assert check_pdf(archive.read(f"debrief-loop-{loop_id}.pdf")).is_valid
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "candidate.exported"))
        assert entry.subject_id == candidate_id and entry.details["files"]["resume"] == "resume.pdf"


def test_a_schema_violation_is_caught(app, client, auth, admin, loop_id):
    """The schema is strict enough to notice a missing or extra field."""
    data = json.loads(zipfile.ZipFile(io.BytesIO(export(client, auth, admin, candidate_of(app, loop_id)).data))
                      .read("data.json"))
    schema = json.loads(SCHEMA_PATH.read_text())
    del data["candidate"]["email"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


@pytest.mark.parametrize("role, status", [("hiring_manager", 403), ("bar_raiser", 403), ("interviewer", 403)])
def test_only_admins_and_the_candidates_recruiters_may_export(app, client, auth, request, loop_id, role, status):
    response = export(client, auth, request.getfixturevalue(role), candidate_of(app, loop_id))
    assert response.status_code == status
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "candidate.exported")) is None


def test_another_recruiter_may_not(app, client, auth, loop_id):
    from tests.conftest import make_person

    other = make_person(app, "rec2@example.test", "Rae Other", is_recruiter=True, org_unit="Talent")
    assert export(client, auth, other, candidate_of(app, loop_id)).status_code == 403


def test_an_erased_candidate_has_nothing_to_export(app, client, auth, admin, loop_id, runner):
    from app.people.models import User
    from app.retention import services
    from app.retention.models import KEEP_COLUMNS

    candidate_id = candidate_of(app, loop_id)
    with app.app_context():
        from app.loops.models import LoopStatus
        from app.loops.workflow import Ending, end_loop

        loop = db.session.get(Loop, loop_id)
        end_loop(loop, loop.bar_raiser, LoopStatus.NOT_HIRED, "Vetoed.", how=Ending.DEBRIEF, system=True)
        services.set_policy(db.session.get(User, admin.id), scope="default", days=dict.fromkeys(KEEP_COLUMNS, 0))
        db.session.commit()
    assert "Erased 1 candidate(s)" in runner.invoke(args=["purge-candidates"]).output
    response = export(client, auth, admin, candidate_id)
    assert response.status_code == 410
    assert f"Candidate {candidate_id}&#39;s personal data was erased on" in response.get_data(as_text=True)


def test_the_archive_holds_the_kit_questions_and_the_bar_raisers_notes(app, client, auth, admin, bar_raiser,
                                                                        loop_id):
    """What the interviewers asked in their own words, the summary, the agenda's notes, a practice verdict."""
    from app.people.models import User
    from tests.test_erasure import AGENDA_NOTE, BRIEF, OWN_QUESTION, PRACTICE, kit_and_debrief_notes

    with app.app_context():
        kit_and_debrief_notes(db.session.get(Loop, loop_id), db.session.get(User, bar_raiser.id))
        db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(export(client, auth, admin, candidate_of(app, loop_id)).data))
    data = json.loads(archive.read("data.json"))
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    (loop,) = data["loops"]
    asked = [q for i in loop["interviews"] for f in i["feedback"] for q in f["questions_asked"]]
    assert [q["own_question"] for q in asked if q["text"] == OWN_QUESTION] == [True]
    assert loop["debrief_summary"]["body"] == BRIEF and loop["debrief_summary"]["status"] == "ready"
    assert [note["body"] for note in loop["agenda_notes"]] == [AGENDA_NOTE]
    assert loop["practice_verdict"]["rationale"] == PRACTICE and loop["practice_verdict"]["verdict"] == "veto"
