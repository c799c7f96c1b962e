"""Erasure reaches every copy: after the purge, nothing in any table or any file under the instance's folders
names the candidate, while the metrics count exactly what they counted before."""

import subprocess

import pytest
import sqlalchemy as sa

from app.audit.services import record
from app.candidates.services import store_resume
from app.extensions import db
from app.loops.models import Loop, LoopStatus
from app.loops.workflow import Ending, end_loop
from app.metrics.report import BUILDERS
from app.references.models import Reference, ReferenceOutcome
from app.retention import services as retention
from app.retention.models import KEEP_COLUMNS
from tests.test_debrief_pdf import debriefed_loop, users

NAME = "Marisol Quintero-Vance"
EMAIL = "marisol.qv@example.test"
PHONE = "+49 151 5550 1234"
SENTENCE = "She rebuilt the settlement pipeline at Northwind in six weeks."
# The debrief's rationales (written by the fixture) and a reference's words are the committee's free text.
NEEDLES = [NAME, EMAIL, PHONE, SENTENCE, "Quintero", "sharp on ownership", "blame pushed onto a junior",
           "Dana Whitfield", "changed my mind", "Checked the dates"]


@pytest.fixture
def erasable(app, admin, hiring_manager, bar_raiser, recruiter, interviewer):
    """A vetoed loop full of the candidate: feedback, amendments, votes, rationales, a reference, audit text."""
    with app.app_context():
        loop_id = debriefed_loop(hiring_manager, bar_raiser, recruiter, interviewer,
                                 evidence=[f"{SENTENCE} Asked about {NAME}'s role." for _ in range(4)])
        loop = db.session.get(Loop, loop_id)
        hm, br, rec = users(hiring_manager, bar_raiser, recruiter)
        candidate = loop.candidate
        candidate.name, candidate.email, candidate.phone = NAME, EMAIL, PHONE
        candidate.notes, candidate.source = f"Referred by a friend of {NAME}.", "Referral"
        store_resume(candidate, b"%PDF-1.4\n% " + NAME.encode() + b" " + EMAIL.encode() + b"\n%%EOF\n", "cv.pdf")
        record("candidate.updated", candidate, rec, personal={"name": NAME})
        record("loop.created", loop, rec, loop=loop, personal={"candidate": NAME})
        db.session.add(Reference(loop=loop, name="Dana Whitfield", relation="Former manager at Northwind",
                                 contacted_on=loop.created_at.date(), summary=f"{SENTENCE} Would rehire {NAME}.",
                                 outcome=ReferenceOutcome.SUPPORTS, recorded_by=rec))
        end_loop(loop, br, LoopStatus.NOT_HIRED, f"Vetoed by the bar raiser: {NAME} blamed a junior engineer.",
                 how=Ending.DEBRIEF, system=True)
        db.session.commit()
        return loop_id, candidate.id


def metrics_tables(client) -> dict[str, str]:
    return {name: client.get(f"/metrics/{name}.csv?date_from=").get_data(as_text=True) for name in BUILDERS}


def found_in_tables(app) -> list[str]:
    hits = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).all():
                text = repr(tuple(row)).lower()
                hits += [f"{table.name}: {needle}" for needle in NEEDLES if needle.lower() in text]
    return hits


def found_in_files(folder) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        texts = [data.decode("utf-8", "ignore").lower()]
        if data.startswith(b"%PDF"):
            out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True)
            texts.append(out.stdout.decode("utf-8", "ignore").lower())
        hits += [f"{path.name}: {needle}" for needle in NEEDLES for text in texts if needle.lower() in text]
    return hits


def test_erasure_leaves_the_name_nowhere_and_the_metrics_unchanged(app, client, auth, admin, hiring_manager,
                                                                  runner, erasable, tmp_path):
    loop_id, candidate_id = erasable
    auth.login(hiring_manager)
    assert client.get(f"/loops/{loop_id}/debrief.pdf").status_code == 200  # a cached, signed copy
    auth.logout()
    auth.login(admin)
    before = metrics_tables(client)
    assert found_in_tables(app) and found_in_files(tmp_path)  # the search finds them while they are there
    with app.app_context():
        from app.people.models import User

        retention.set_policy(db.session.get(User, admin.id), scope="default", days=dict.fromkeys(KEEP_COLUMNS, 0))
        db.session.commit()
    result = runner.invoke(args=["purge-candidates"])
    assert result.exit_code == 0 and "Erased 1 candidate(s)" in result.output, result.output
    assert found_in_tables(app) == []
    assert found_in_files(tmp_path) == []
    assert metrics_tables(client) == before
    assert runner.invoke(args=["verify-audit"]).exit_code == 0
    page = client.get(f"/admin/audit/?loop={loop_id}").get_data(as_text=True)
    assert f"candidate {candidate_id} (erased)" in page


def test_an_erased_candidate_cannot_be_held_and_a_second_purge_changes_nothing(app, admin, erasable, runner):
    loop_id, candidate_id = erasable
    with app.app_context():
        from app.candidates.models import Candidate
        from app.errors import ServiceError
        from app.people.models import User

        actor = db.session.get(User, admin.id)
        retention.set_policy(actor, scope="default", days=dict.fromkeys(KEEP_COLUMNS, 0))
        db.session.commit()
    assert "Erased 1 candidate(s)" in runner.invoke(args=["purge-candidates"]).output
    assert "Erased 0 candidate(s)" in runner.invoke(args=["purge-candidates"]).output
    with app.app_context():
        actor = db.session.get(User, admin.id)
        with pytest.raises(ServiceError, match="already erased"):
            retention.place_hold(actor, reason="Late claim.", candidate=db.session.get(Candidate, candidate_id))
