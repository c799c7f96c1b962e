"""The debrief report as plain data, and its fingerprint.

`report_data` gathers everything the PDF shows into dicts, lists, strings,
numbers and booleans (times as ISO 8601 in UTC), so the same data always
serializes the same way. `fingerprint` hashes that serialization: two copies
of one report share it, whoever downloaded them, whenever, in whatever zone.

Callers check who may read the report first: it holds every feedback in full.
"""

import hashlib
import json

from app.debrief.agenda import build_agenda
from app.debrief.models import Outcome, Verdict
from app.debrief.summary import Column, DebriefSummary, summarize
from app.feedback.models import Feedback, Rating, Vote
from app.feedback.seal import sealed_fingerprint
from app.feedback.services import due_at, is_late
from app.interviews.models import Interview, InterviewKind
from app.kits.debrief import questions_asked
from app.loops.models import Loop, LoopStatus, Step
from app.references.models import ReferenceOutcome
from app.reports.timeline import timeline

# Bump when the data's shape changes, so a fingerprint never spans two shapes.
FORMAT = 3  # 2: the questions asked per principle; 3: the bar raiser's summary, agenda notes, practice verdict,
# sealed first votes


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _name(user) -> str | None:
    return None if user is None else user.name


def _choice(value, enum) -> dict | None:
    return None if value is None else {"key": enum(value).value, "label": enum(value).label}


def outcome(loop: Loop) -> dict:
    """Return the debrief's outcome (Hire, No hire, Vetoed by bar raiser, Pending) with both rationales."""
    decision = loop.decision
    if decision is None:
        key, label, note = "pending", "Pending", "The hiring manager has not recorded Hire or No hire."
    elif decision.outcome == Outcome.NO_HIRE:
        key, label, note = "no_hire", "No hire", ""
    elif decision.verdict == Verdict.VETO:
        key, label, note = "vetoed", "Vetoed by bar raiser", ""
    elif decision.verdict == Verdict.CONCUR:
        key, label, note = "hire", "Hire", ""
    else:
        key, label, note = "pending", "Pending", "Hire decided; the bar raiser has not concurred or vetoed."
    result = {"key": key, "label": label, "note": note, "decision": None, "verdict": None}
    if decision is not None:
        result["decision"] = {"label": Outcome(decision.outcome).label, "rationale": decision.rationale,
                              "by": _name(decision.decided_by), "at": _iso(decision.decided_at)}
        if decision.verdict is not None:
            result["verdict"] = {"label": Verdict(decision.verdict).label, "rationale": decision.verdict_rationale,
                                 "by": _name(decision.verdict_by), "at": _iso(decision.verdict_at)}
    return result


def feedback_block(interview: Interview, feedback: Feedback | None, *, late: bool, column: Column | None = None,
                   bar_raiser_id: int | None = None) -> dict:
    """Return one interview's feedback in full: ratings with evidence, vote, times, amendments."""
    block = {
        "interviewer": interview.interviewer.name,
        "author": _name(feedback.author) if feedback is not None else None,
        "kind": InterviewKind(interview.kind).label,
        "is_bar_raiser": interview.interviewer_id == bar_raiser_id,
        "interview_at": _iso(interview.starts_at),
        "due_at": _iso(due_at(interview)),
        "is_late": late,
        "principles": [p.name for p in interview.principles],
        "is_submitted": feedback is not None and feedback.is_submitted,
    }
    if feedback is None or not feedback.is_submitted:
        return block
    ratings = sorted(feedback.ratings, key=lambda r: (r.principle.position, r.principle.name))
    block.update({
        "submitted_at": _iso(feedback.submitted_at),
        "sealed_fingerprint": sealed_fingerprint(feedback),
        "vote": _choice(feedback.vote, Vote),
        "raises_bar": feedback.raises_bar,
        "summary": feedback.summary,
        "ratings": [{"principle": r.principle.name, "rating": _choice(r.rating, Rating), "evidence": r.evidence}
                    for r in ratings],
        "amendments": [{"at": _iso(a.created_at), "by": _name(a.author), "body": a.body}
                       for a in feedback.amendments],
    })
    if column is not None:
        final = column.final_vote
        block["final_vote"] = _choice(final, Vote)
        block["final_reason"] = column.final_reason
        block["vote_changed"] = final is not None and final != feedback.vote
    return block


def grid(summary: DebriefSummary) -> dict:
    """Return the principle × interviewer grid; a cell says whether the principle was probed and how it rated."""
    assigned = [{p.id for p in column.interview.principles} for column in summary.columns]
    rows = []
    for row in summary.grid:
        cells = []
        for index, rating in enumerate(row.ratings):
            probed = row.principle.id in assigned[index]
            cells.append({"rating": _choice(rating, Rating), "probed": probed})
        rows.append({"principle": row.principle.name, "cells": cells, "uncovered": row.is_uncovered})
    return {"interviewers": [column.interviewer.name for column in summary.columns], "rows": rows}


def brief(loop: Loop) -> dict | None:
    """The bar raiser's summary, once marked ready (a draft is the bar raiser's own)."""
    b = loop.brief
    if b is None or not b.is_ready:
        return None
    return {"body": b.body, "by": _name(b.author), "at": _iso(b.ready_at)}


def agenda(summary: DebriefSummary, loop: Loop) -> list[dict]:
    """The agenda's principles in the order the debrief takes them, with the bar raiser's notes."""
    order = build_agenda(summary, loop.agenda_notes)
    return [{"principle": item.principle.name, "kind": item.kind,
             "ratings": [{"interviewer": e.column.interviewer.name, "rating": _choice(e.rating, Rating)}
                         for e in item.evidence],
             "note": item.note.body if item.note else None, "note_by": _name(item.note.author) if item.note else None}
            for item in order.items]


def practice_verdict(loop: Loop) -> dict | None:
    practice = loop.practice_verdict
    if practice is None:
        return None
    return {"label": Verdict(practice.verdict).label, "rationale": practice.rationale,
            "by": _name(practice.trainee), "at": _iso(practice.recorded_at)}


def report_data(loop: Loop) -> dict:
    """Gather everything the debrief report shows into plain, serializable data."""
    summary = summarize(loop)
    requisition = loop.requisition
    in_house = [feedback_block(c.interview, c.feedback, late=c.is_late, column=c, bar_raiser_id=loop.bar_raiser_id)
                for c in summary.columns]
    phone = []
    for interview in loop.interviews:
        if interview.kind == InterviewKind.PHONE_SCREEN:
            counted = interview.counted_feedback
            phone.append(feedback_block(interview, counted, late=is_late(interview, counted)))
    practice = [feedback_block(f.interview, f, late=False) for f in summary.practice]
    return {
        "format": FORMAT,
        "loop": {
            "id": loop.id,
            "step": int(loop.step),
            "step_label": Step(loop.step).label,
            "status": LoopStatus(loop.status).value,
            "status_label": LoopStatus(loop.status).label,
            "close_reason": loop.close_reason,
            "closed_at": _iso(loop.closed_at),
            "closed_by": _name(loop.closed_by),
        },
        "candidate": {"name": loop.candidate.name},
        "requisition": {"id": requisition.id, "title": requisition.title, "level": requisition.level,
                        "org_unit": requisition.org_unit.name if requisition.org_unit else None},
        "people": {"hiring_manager": _name(loop.hiring_manager), "bar_raiser": _name(loop.bar_raiser),
                   "recruiter": _name(loop.recruiter), "shadow": _name(loop.shadow),
                   "is_reverse_shadow": loop.is_reverse_shadow},
        "outcome": outcome(loop),
        "tally": [{"vote": vote.value, "label": vote.label, "first": first, "final": final}
                  for vote, first, final in summary.tally.rows()],
        "raises_bar": {"yes": summary.raises_bar_yes, "answered": summary.raises_bar_answered},
        "late_count": summary.late_count,
        "grid": grid(summary),
        "questions": [{"principle": part.principle.name,
                       "asked": [{"text": a.text, "version": a.version, "by": a.by, "phone_screen": a.is_phone_screen}
                                 for a in part.asked]} for part in questions_asked(loop)],
        "uncovered": [p.name for p in summary.uncovered],
        "feedback": in_house,
        "phone_screen": phone,
        "practice": practice,
        "brief": brief(loop),
        "agenda": agenda(summary, loop),
        "practice_verdict": practice_verdict(loop),
        "timeline": timeline(loop),
        "references": [{"name": r.name, "relation": r.relation, "contacted_on": r.contacted_on.isoformat(),
                        "outcome": _choice(r.outcome, ReferenceOutcome), "summary": r.summary,
                        "recorded_by": _name(r.recorded_by)} for r in loop.references],
    }


def canonical_json(data: dict) -> bytes:
    """Serialize report data one way only: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def fingerprint(data: dict) -> str:
    """Return the SHA-256 of the report data's canonical JSON (no generation time in it)."""
    return hashlib.sha256(canonical_json(data)).hexdigest()
