"""Erasure reaches every copy: after the purge, nothing in any table or any file under the instance's folders
names the candidate, while the metrics count exactly what they counted before."""

import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.services import record
from app.candidates.services import store_resume
from app.db_types import utcnow
from app.debrief.models import AgendaNote, BriefStatus, DebriefBrief, PracticeVerdict
from app.extensions import db
from app.feedback.models import Feedback, FeedbackRating, FeedbackStatus, Rating, Vote
from app.interviews.models import Interview, InterviewKind
from app.kits.models import AskedQuestion
from app.loops.models import Loop, LoopStatus
from app.loops.workflow import Ending, end_loop
from app.metrics.report import BUILDERS
from app.principles.models import Principle
from app.references.models import Reference, ReferenceOutcome
from app.retention import services as retention
from app.retention.erasure import REDACTED
from app.retention.models import KEEP_COLUMNS
from tests import factories
from tests.test_database_rules import refused
from tests.test_debrief_pdf import debriefed_loop, users

NAME = "Marisol Quintero-Vance"
EMAIL = "marisol.qv@example.test"
PHONE = "+49 151 5550 1234"
SENTENCE = "She rebuilt the settlement pipeline at Northwind in six weeks."
OWN_QUESTION = f"Walk me through why {NAME} left Northwind."
BRIEF = f"Summary: {SENTENCE} The panel split on {NAME}'s account of the outage."
AGENDA_NOTE = "Agenda: the outage story held up under the bar raiser's probing."
PRACTICE = "Practice veto: the junior engineer took the blame for the outage."
# The debrief's rationales (written by the fixture), a reference's words, an interviewer's own question, the bar
# raiser's summary and agenda note and a reverse shadow's practice rationale are the committee's free text.
NEEDLES = [NAME, EMAIL, PHONE, SENTENCE, "Quintero", "sharp on ownership", "blame pushed onto a junior",
           "Dana Whitfield", "changed my mind", "Checked the dates", "left Northwind", "panel split", "held up under",
           "took the blame"]


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
        kit_and_debrief_notes(loop, br)
        end_loop(loop, br, LoopStatus.NOT_HIRED, f"Vetoed by the bar raiser: {NAME} blamed a junior engineer.",
                 how=Ending.DEBRIEF, system=True)
        db.session.commit()
        return loop_id, candidate.id


def kit_and_debrief_notes(loop, bar_raiser) -> None:
    """Add an interviewer's own question (sealed with their feedback), the bar raiser's ready summary and an
    agenda note, and a reverse shadow's practice verdict: each names the candidate."""
    principle = loop.requisition.principles[0]
    person = factories.make_user(name="Ines Moreau")
    interview = Interview(loop=loop, kind=InterviewKind.IN_HOUSE, interviewer=person,
                          starts_at=utcnow() - timedelta(days=2), principles=[principle])
    db.session.add(interview)
    db.session.flush()
    feedback = Feedback(author=person, summary="Clear, specific examples.", interview=interview,
                        ratings=[FeedbackRating(principle=principle, rating=Rating.MEETS_THE_BAR,
                                                evidence="Led the ledger migration; cut p99 by half.")])
    db.session.add(feedback)
    db.session.flush()
    db.session.add(AskedQuestion(feedback_id=feedback.id, principle_id=principle.id, own_text=OWN_QUESTION))
    db.session.flush()
    feedback.status, feedback.vote, feedback.raises_bar = FeedbackStatus.SUBMITTED, Vote.INCLINED, True
    feedback.submitted_at = interview.ends_at + timedelta(hours=2)
    db.session.add(DebriefBrief(loop=loop, author=bar_raiser, body=BRIEF, status=BriefStatus.READY,
                                ready_at=utcnow()))
    db.session.add(AgendaNote(loop=loop, principle_id=principle.id, author=bar_raiser, body=AGENDA_NOTE))
    db.session.add(PracticeVerdict(loop=loop, trainee=factories.make_user(name="Rafael Ortiz"), verdict="veto",
                                   rationale=PRACTICE))
    db.session.flush()


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
        db.session.get(Candidate, candidate_id).external_id = "ats-4411"
        db.session.commit()
    assert "Erased 1 candidate(s)" in runner.invoke(args=["purge-candidates"]).output
    assert "Erased 0 candidate(s)" in runner.invoke(args=["purge-candidates"]).output
    with app.app_context():
        assert db.session.get(Candidate, candidate_id).external_id is None  # the tracking system's key goes too
        actor = db.session.get(User, admin.id)
        with pytest.raises(ServiceError, match="already erased"):
            retention.place_hold(actor, reason="Late claim.", candidate=db.session.get(Candidate, candidate_id))


def test_the_seals_of_kits_and_debrief_notes_admit_the_marker_and_nothing_else(app, admin, erasable, runner):
    """Erasure may set an own question, a ready summary and a practice rationale to the marker; no other change,
    before or after the purge, gets past the database."""
    loop_id, _candidate_id = erasable
    with app.app_context():
        question = db.session.scalar(sa.select(AskedQuestion.id).where(AskedQuestion.own_text == OWN_QUESTION))
        brief = db.session.scalar(sa.select(DebriefBrief.id).where(DebriefBrief.loop_id == loop_id))
        practice = db.session.scalar(sa.select(PracticeVerdict.id).where(PracticeVerdict.loop_id == loop_id))
        other = factories.make_user(name="Someone Else").id
        principle = db.session.scalar(sa.select(AskedQuestion.principle_id).where(AskedQuestion.id == question))
        another = db.session.scalar(sa.select(Principle.id).where(Principle.id != principle).limit(1))
        db.session.commit()
        edits = [
            ("UPDATE asked_questions SET own_text = 'Another question' WHERE id = :id", question),
            ("UPDATE asked_questions SET own_text = :marker, principle_id = :another WHERE id = :id",
             question),
            ("DELETE FROM asked_questions WHERE id = :id", question),
            ("UPDATE debrief_briefs SET body = 'Rewritten after the debrief' WHERE id = :id", brief),
            ("UPDATE debrief_briefs SET body = :marker, status = 'draft', ready_at = NULL WHERE id = :id", brief),
            ("UPDATE debrief_briefs SET body = :marker, author_id = :other WHERE id = :id", brief),
            ("UPDATE debrief_briefs SET body = :marker, version = version + 1 WHERE id = :id", brief),
            ("DELETE FROM debrief_briefs WHERE id = :id", brief),
            ("UPDATE practice_verdicts SET rationale = 'Changed my mind' WHERE id = :id", practice),
            ("UPDATE practice_verdicts SET rationale = :marker, verdict = 'concur' WHERE id = :id", practice),
            ("UPDATE practice_verdicts SET rationale = :marker, trainee_id = :other WHERE id = :id", practice),
            ("DELETE FROM practice_verdicts WHERE id = :id", practice),
        ]

        def refuses_every_edit():
            return [statement for statement, row in edits
                    if not refused(statement, id=row, marker=REDACTED, other=other, another=another)]

        assert refuses_every_edit() == []
        db.session.rollback()
    with app.app_context():
        from app.people.models import User

        retention.set_policy(db.session.get(User, admin.id), scope="default", days=dict.fromkeys(KEEP_COLUMNS, 0))
        db.session.commit()
    assert "Erased 1 candidate(s)" in runner.invoke(args=["purge-candidates"]).output
    with app.app_context():
        assert db.session.get(AskedQuestion, question).own_text == REDACTED
        kept = db.session.get(DebriefBrief, brief)
        assert (kept.body, kept.status, kept.ready_at is not None) == (REDACTED, BriefStatus.READY, True)
        assert db.session.get(PracticeVerdict, practice).rationale == REDACTED
        assert db.session.scalar(sa.select(AgendaNote.body).where(AgendaNote.loop_id == loop_id)) == REDACTED
        assert refuses_every_edit() == []
        # Setting the marker again changes nothing, so a second purge run may repeat it.
        assert not refused("UPDATE debrief_briefs SET body = :marker WHERE id = :id", id=brief, marker=REDACTED)
        db.session.rollback()
