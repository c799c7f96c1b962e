"""Write to the audit trail; the only way entries are made."""

import secrets

from app.audit import chain
from app.audit.models import AuditEntry, AuditPersonalData
from app.db_types import utcnow
from app.extensions import db


def candidate_of(subject, loop) -> int | None:
    """Return the id of the candidate an entry is about, if any: the loop's, or the subject itself."""
    if loop is not None:
        return loop.candidate_id or (loop.candidate.id if loop.candidate is not None else None)
    if type(subject).__name__ == "Candidate":
        return subject.id
    return None


def record(
    action: str,
    subject,
    actor=None,
    *,
    loop=None,
    from_state=None,
    to_state=None,
    reason: str = "",
    at=None,
    personal: dict | None = None,
    about_candidate: int | None = None,
    **details,
) -> AuditEntry:
    """Append an entry about `subject` and return it (flushed with the caller's work, chained on commit).

    On an entry about a candidate (one of a loop, or the candidate itself) the
    reason and `personal` (what names them) are kept apart, where erasing the
    candidate reaches them. `at` back-dates an entry, for importing history such
    as the demo company's. `about_candidate` names the candidate of an entry whose subject is something else
    (a legal hold on them).
    """
    entry = AuditEntry(
        at=at or utcnow(),
        action=action,
        subject_type=type(subject).__name__ if subject is not None else "Account",
        subject_id=getattr(subject, "id", None),
        actor_id=getattr(actor, "id", None),
        loop_id=getattr(loop, "id", None),
        from_state=None if from_state is None else str(from_state),
        to_state=None if to_state is None else str(to_state),
        stored_reason=reason or "",
        details=details,
    )
    candidate_id = about_candidate if about_candidate is not None else candidate_of(subject, loop)
    if candidate_id is not None and (reason or personal):
        salt = secrets.token_hex(16)
        personal = dict(personal or {}) or None
        entry.stored_reason = ""
        entry.personal = AuditPersonalData(candidate_id=candidate_id, salt=salt, reason=reason or "",
                                           details=personal)
        entry.personal_digest = chain.personal_digest(salt, reason or "", personal)
    elif personal:
        entry.details = {**details, **personal}
    db.session.add(entry)
    return entry
