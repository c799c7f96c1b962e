"""Write to the audit trail; the only way entries are made."""

from app.audit.models import AuditEntry
from app.db_types import utcnow
from app.extensions import db


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
    **details,
) -> AuditEntry:
    """Append an entry about `subject` and return it (flushed with the caller's work).

    `at` back-dates an entry, for importing history such as the demo company's.
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
        reason=reason or "",
        details=details,
    )
    db.session.add(entry)
    return entry
