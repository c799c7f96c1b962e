"""A loop's history for its page: the audit trail in words, newest first.

Worked out here rather than in the template: a long-running loop has dozens of
entries, and each is a handful of string decisions Python makes in microseconds.
Feedback and vote entries say who did what and when, never what they wrote;
downloads of the report are left out, as in the report's own timeline.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, select

from app.audit.models import AuditEntry
from app.audit.wording import KIND_NAMES, NOT_HISTORY, STATE_IS_NEWS, label, people_changes, word
from app.extensions import db
from app.formatting import localtime
from app.loops.models import Loop
from app.people.models import User

# Entries whose reason the page repeats; the debrief's own page has the full rationales too.
SHOWS_REASON = {"loop.advanced", "loop.screen_decided", "loop.closed", "debrief.decided", "debrief.concurred",
                "debrief.vetoed"}


@dataclass(frozen=True, slots=True)
class HistoryItem:
    at: datetime
    when: str
    actor: str | None
    what: str
    states: str = ""
    changes: tuple[tuple[str, str, str], ...] = ()
    detail: str = ""
    probes: str = ""
    reason: str = ""


def _interview_time(iso: str | None, starts: dict, interview_id: int | None) -> str:
    """The interview's time as it stands now, or as it was recorded when the interview is gone."""
    if interview_id in starts:
        return localtime(starts[interview_id], "%a %d %b %Y, %H:%M")
    if iso and len(iso) >= 16:
        return f"{iso[:10]} {iso[11:16]} UTC"
    return iso or "—"


def _item(row, starts: dict) -> HistoryItem:
    action, details = row.action, row.details or {}
    what, states, changes, detail, probes = label(action), "", (), "", ""
    if action == "loop.created":
        what = "Loop created" + (f" at {row.to_state}" if row.to_state else "")
    elif action == "loop.advanced":
        what, states = "Moved on: ", f"{row.from_state} → {row.to_state}"
    elif action == "loop.screen_decided":
        what = f"{row.from_state or 'Screen'} decision: {word(row.to_state)}"
    elif action == "loop.closed":
        what = f"Loop closed as {word(row.to_state).lower()}" + (f" at {row.from_state}" if row.from_state else "")
    elif action == "loop.people_changed":
        changes = tuple(people_changes(details))
    elif action == "interview.scheduled":
        detail = (f"{KIND_NAMES.get(details.get('kind'), 'Interview')} with {details.get('interviewer') or '—'}, "
                  f"{_interview_time(details.get('starts_at'), starts, row.subject_id)}")
        probes = ", ".join(details.get("principles") or ())
    elif action == "interview.rescheduled":
        moved = [f"from {_interview_time(details['starts_at_from'], {}, None)} to "
                 f"{_interview_time(details.get('starts_at_to'), {}, None)}"] if details.get("starts_at_from") else []
        if "duration_minutes_to" in details:
            moved.append(f"{details['duration_minutes_to']} minutes")
        if "location_to" in details:
            moved.append(f"at {details['location_to'] or 'no place given'}")
        detail = f"With {details.get('interviewer') or '—'}: {', '.join(moved)}"
    elif action == "interview.cancelled":
        detail = f"With {details.get('interviewer') or '—'}, {_interview_time(details.get('starts_at'), starts, None)}"
    elif action in STATE_IS_NEWS and row.to_state:
        what = f"{what}: {word(row.to_state)}"
    return HistoryItem(at=row.at, when=localtime(row.at), actor=row.actor, what=what, states=states,
                       changes=changes, detail=detail, probes=probes,
                       reason=row.reason if row.reason and action in SHOWS_REASON else "")


@cache
def _history_query(everything: bool, limit: int | None):
    """The loop's audit trail, newest first, each row with the trail's length.

    Without `everything`, only the reader's own feedback entries.
    """
    query = (
        select(AuditEntry.at, AuditEntry.action, AuditEntry.from_state, AuditEntry.to_state, AuditEntry.reason,
               AuditEntry.details, AuditEntry.subject_id, User.name.label("actor"), func.count().over().label("total"))
        .join(User, User.id == AuditEntry.actor_id, isouter=True)
        .where(AuditEntry.loop_id == bindparam("loop_id"), AuditEntry.action.not_in(NOT_HISTORY))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    if everything:
        return query
    return query.where(~AuditEntry.action.startswith("feedback.") | (AuditEntry.actor_id == bindparam("viewer_id")))


def loop_history(loop: Loop, viewer: User, sees_submissions: bool,
                 limit: int | None = None) -> tuple[list[HistoryItem], int]:
    """Return the newest `limit` entries of the loop's history as `viewer` may read it, and how many there are.

    Who submitted feedback, and when, is for the recruiter, the hiring manager
    and the bar raiser (`sees_submissions`); others see only their own.
    """
    params = {"loop_id": loop.id} if sees_submissions else {"loop_id": loop.id, "viewer_id": viewer.id}
    starts = {interview.id: interview.starts_at for interview in loop.interviews}
    rows = db.session.execute(_history_query(sees_submissions, limit), params).all()
    return [_item(row, starts) for row in rows], (rows[0].total if rows else 0)
