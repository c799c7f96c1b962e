"""A candidate's data on request: one archive with every record held about them, their résumé and the debrief PDFs.

It is the company's answer to the candidate, so no blind rule trims it: every
feedback (drafts and practice included), every vote and rationale, every
audit entry about them. Who may make it is decided in app/permissions.
The JSON document follows `candidate_export.schema.json`, shipped beside it
and inside each archive.
"""

import io
import json
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.audit.models import AuditEntry
from app.audit.services import record
from app.candidates.models import Candidate
from app.candidates.services import resume_path
from app.db_types import utcnow
from app.debrief.models import AgendaNote, FinalVote
from app.errors import ServiceError
from app.extensions import db
from app.feedback.models import Amendment, Feedback, FeedbackRating
from app.interviews.models import Interview
from app.kits.models import AskedQuestion
from app.loops.models import Loop, ScreenDecision, Step
from app.references.models import Reference
from app.reports import pdf

SCHEMA_PATH = Path(__file__).with_name("candidate_export.schema.json")
FORMAT = 1


class CandidateErased(ServiceError):
    status = 410


def _iso(value):
    return None if value is None else value.isoformat()


def _name(user):
    return None if user is None else user.name


def _value(choice):
    return None if choice is None else str(choice)


def feedback_record(feedback, asked: dict) -> dict:
    return {
        "author": _name(feedback.author), "is_practice": feedback.is_practice, "status": _value(feedback.status),
        "vote": _value(feedback.vote), "raises_bar": feedback.raises_bar, "summary": feedback.summary,
        "submitted_at": _iso(feedback.submitted_at),
        "ratings": [{"principle": r.principle.name, "rating": _value(r.rating), "evidence": r.evidence}
                    for r in sorted(feedback.ratings, key=lambda r: r.principle.position)],
        "amendments": [{"by": _name(a.author), "at": _iso(a.created_at), "body": a.body} for a in feedback.amendments],
        "questions_asked": [{"principle": a.principle.name, "text": a.text, "own_question": a.version_id is None}
                            for a in asked.get(feedback.id, [])],
    }


def loop_record(loop: Loop, asked: dict) -> dict:
    requisition, decision, offer = loop.requisition, loop.decision, loop.offer
    brief, practice = loop.brief, loop.practice_verdict
    return {
        "id": loop.id,
        "requisition": {"id": requisition.id, "title": requisition.title, "level": requisition.level,
                        "org_unit": requisition.org_unit.name if requisition.org_unit else None,
                        "location": requisition.location},
        "status": _value(loop.status), "step": int(loop.step), "step_label": Step(loop.step).label,
        "created_at": _iso(loop.created_at), "closed_at": _iso(loop.closed_at), "close_reason": loop.close_reason,
        "people": {"recruiter": _name(loop.recruiter), "hiring_manager": _name(loop.hiring_manager),
                   "bar_raiser": _name(loop.bar_raiser), "shadow": _name(loop.shadow)},
        "screen_decisions": [{"step": d.step, "outcome": _value(d.outcome), "reason": d.reason,
                              "decided_by": _name(d.decided_by), "decided_at": _iso(d.decided_at)}
                             for d in loop.screen_decisions],
        "interviews": [{"id": i.id, "kind": _value(i.kind), "interviewer": _name(i.interviewer),
                        "starts_at": _iso(i.starts_at), "duration_minutes": i.duration_minutes,
                        "location": i.location, "principles": [p.name for p in i.principles],
                        "feedback": [feedback_record(f, asked) for f in i.feedbacks]} for i in loop.interviews],
        "final_votes": [{"interviewer": _name(v.interviewer), "first_vote": _value(v.first_vote),
                         "vote": _value(v.vote), "reason": v.reason, "recorded_at": _iso(v.recorded_at)}
                        for v in loop.final_votes],
        "decision": None if decision is None else {
            "outcome": _value(decision.outcome), "rationale": decision.rationale,
            "decided_by": _name(decision.decided_by), "decided_at": _iso(decision.decided_at),
            "verdict": _value(decision.verdict), "verdict_rationale": decision.verdict_rationale,
            "verdict_by": _name(decision.verdict_by), "verdict_at": _iso(decision.verdict_at)},
        "references": [{"name": r.name, "relation": r.relation, "contacted_on": r.contacted_on.isoformat(),
                        "summary": r.summary, "outcome": _value(r.outcome), "recorded_by": _name(r.recorded_by),
                        "recorded_at": _iso(r.recorded_at)} for r in loop.references],
        # What the bar raiser wrote for the debrief: the summary, the agenda's notes, a reverse shadow's verdict.
        "debrief_summary": None if brief is None else {
            "author": _name(brief.author), "status": _value(brief.status), "body": brief.body,
            "ready_at": _iso(brief.ready_at)},
        "agenda_notes": [{"principle": n.principle.name, "author": _name(n.author), "body": n.body,
                          "updated_at": _iso(n.updated_at)} for n in loop.agenda_notes],
        "practice_verdict": None if practice is None else {
            "trainee": _name(practice.trainee), "verdict": _value(practice.verdict),
            "rationale": practice.rationale, "recorded_at": _iso(practice.recorded_at)},
        "offer": None if offer is None else {
            "status": _value(offer.status), "terms": offer.terms, "extended_at": _iso(offer.extended_at),
            "resolved_at": _iso(offer.resolved_at)},
    }


def asked_questions(feedback_ids: list[int]) -> dict[int, list[AskedQuestion]]:
    """The questions each feedback says were asked, in one query."""
    asked: dict[int, list[AskedQuestion]] = {}
    for question in db.session.scalars(select(AskedQuestion).where(AskedQuestion.feedback_id.in_(feedback_ids))
                                       .options(selectinload(AskedQuestion.principle),
                                                selectinload(AskedQuestion.version))
                                       .order_by(AskedQuestion.id)):
        asked.setdefault(question.feedback_id, []).append(question)
    return asked


def audit_records(candidate: Candidate, loop_ids: list[int]) -> list[dict]:
    about = or_(AuditEntry.loop_id.in_(loop_ids),
                (AuditEntry.subject_type == "Candidate") & (AuditEntry.subject_id == candidate.id))
    entries = db.session.scalars(select(AuditEntry).where(about, AuditEntry.seq.is_not(None))
                                 .options(selectinload(AuditEntry.actor)).order_by(AuditEntry.seq))
    return [{"seq": e.seq, "at": _iso(e.at), "actor": _name(e.actor), "action": e.action,
             "subject_type": e.subject_type, "subject_id": e.subject_id, "loop_id": e.loop_id,
             "from_state": e.from_state, "to_state": e.to_state, "reason": e.reason,
             "details": {**(e.details or {}), **((e.personal.details or {}) if e.personal else {})}}
            for e in entries]


def document(candidate: Candidate, actor, loops: list[Loop], files: dict) -> dict:
    """Return every record held about the candidate as plain data (see the schema)."""
    asked = asked_questions([f.id for loop in loops for i in loop.interviews for f in i.feedbacks])
    return {
        "format": FORMAT,
        "exported_at": utcnow().isoformat(),
        "exported_by": actor.name,
        "candidate": {"id": candidate.id, "name": candidate.name, "email": candidate.email,
                      "phone": candidate.phone, "external_id": candidate.external_id, "source": candidate.source,
                      "resume_url": candidate.resume_url,
                      "resume_filename": candidate.resume_filename, "notes": candidate.notes,
                      "created_at": _iso(candidate.created_at), "created_by": _name(candidate.created_by)},
        "loops": [loop_record(loop, asked) for loop in loops],
        "audit_entries": audit_records(candidate, [loop.id for loop in loops]),
        "files": files,
    }


def archive(candidate: Candidate, actor, zone: ZoneInfo) -> bytes:
    """Build the candidate's archive (data.json, the schema, the résumé, the debrief PDFs) and audit it."""
    if candidate.anonymized_at is not None:
        raise CandidateErased(f"Candidate {candidate.id}'s personal data was erased on "
                              f"{candidate.anonymized_at:%d %b %Y}; nothing about them is held to export.")
    loops = list(db.session.scalars(select(Loop).where(Loop.candidate_id == candidate.id).order_by(Loop.id).options(
        # What loop_record reads, loaded with the loops: a candidate's loops, not a query per feedback.
        selectinload(Loop.interviews).options(
            selectinload(Interview.principles), selectinload(Interview.interviewer),
            selectinload(Interview.feedbacks).options(
                selectinload(Feedback.author), selectinload(Feedback.amendments).selectinload(Amendment.author),
                selectinload(Feedback.ratings).selectinload(FeedbackRating.principle))),
        selectinload(Loop.screen_decisions).selectinload(ScreenDecision.decided_by),
        selectinload(Loop.final_votes).selectinload(FinalVote.interviewer),
        selectinload(Loop.references).selectinload(Reference.recorded_by),
        selectinload(Loop.agenda_notes).options(selectinload(AgendaNote.principle), selectinload(AgendaNote.author)),
        selectinload(Loop.requisition), selectinload(Loop.decision), selectinload(Loop.offer),
        selectinload(Loop.brief), selectinload(Loop.practice_verdict))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        files = {"resume": None, "debrief_pdfs": []}
        path = resume_path(candidate)
        if path and Path(path).exists():
            files["resume"] = "resume.pdf"
            out.write(path, "resume.pdf")
        for loop in loops:
            if loop.step >= Step.DEBRIEF:
                name = f"debrief-loop-{loop.id}.pdf"
                out.writestr(name, pdf.debrief_pdf(loop, zone).pdf)
                files["debrief_pdfs"].append(name)
        data = document(candidate, actor, loops, files)
        out.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        out.writestr("schema.json", SCHEMA_PATH.read_text())
    record("candidate.exported", candidate, actor, loops=[loop.id for loop in loops], files=files)
    return buffer.getvalue()
