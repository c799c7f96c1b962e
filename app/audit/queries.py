"""Reading the audit trail for the admin page and its export: filters, a page, the rows of a period."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.models import AuditEntry
from app.db_types import utcnow
from app.extensions import db

PAGE_SIZE = 50
ERASED = "(erased)"


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None  # -1: entries made by the system, with no actor
    action: str | None = None  # an action, or its start ("loop.")
    since: datetime | None = None
    before: datetime | None = None
    loop_id: int | None = None

    @property
    def is_filtered(self) -> bool:
        return any(value is not None for value in (self.actor_id, self.action, self.since, self.before,
                                                   self.loop_id))

    def apply(self, query):
        if self.actor_id == -1:
            query = query.where(AuditEntry.actor_id.is_(None))
        elif self.actor_id is not None:
            query = query.where(AuditEntry.actor_id == self.actor_id)
        if self.action:
            query = query.where(AuditEntry.action.startswith(self.action, autoescape=True)
                                if self.action.endswith(".") else AuditEntry.action == self.action)
        if self.since is not None:
            query = query.where(AuditEntry.at >= self.since)
        if self.before is not None:
            query = query.where(AuditEntry.at < self.before)
        if self.loop_id is not None:
            query = query.where(AuditEntry.loop_id == self.loop_id)
        return query


def page(audit_filter: AuditFilter, *, after_seq: int | None = None) -> tuple[list[AuditEntry], int | None]:
    """Return a page of sealed entries, newest first, and the position to continue from (None at the end)."""
    query = audit_filter.apply(select(AuditEntry).where(AuditEntry.seq.is_not(None)))
    if after_seq is not None:
        query = query.where(AuditEntry.seq < after_seq)
    entries = list(db.session.scalars(query.options(selectinload(AuditEntry.actor))
                                      .order_by(AuditEntry.seq.desc()).limit(PAGE_SIZE + 1)))
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    return entries, (entries[-1].seq if more and entries else None)


def subject_words(entry: AuditEntry) -> str:
    """Name what an entry is about: "Candidate 1234 (erased)" once the candidate's data is gone."""
    words = f"{entry.subject_type} {entry.subject_id}" if entry.subject_id is not None else entry.subject_type
    if entry.personal is not None and entry.personal.candidate_id is not None:
        if entry.is_erased:
            return f"{words}, candidate {entry.personal.candidate_id} {ERASED}"
        named = (entry.personal.details or {}).get("candidate") or (entry.personal.details or {}).get("name")
        if named:
            return f"{words}, {named}"
    return words


def export_lines(audit_filter: AuditFilter, length: int, head_hash: str) -> Iterator[str]:
    """Yield the export as JSON Lines: a header with the chain's head (`length` entries, ending in
    `head_hash`), then each entry of the period up to that head, with its links."""
    yield json.dumps({"export": "audit-trail", "exported_at": utcnow().isoformat(),
                      "chain": {"length": length, "head_hash": head_hash},
                      "filters": {"actor_id": audit_filter.actor_id, "action": audit_filter.action,
                                  "from": audit_filter.since and audit_filter.since.isoformat(),
                                  "before": audit_filter.before and audit_filter.before.isoformat(),
                                  "loop_id": audit_filter.loop_id}}, ensure_ascii=False) + "\n"
    query = (audit_filter.apply(select(AuditEntry).where(AuditEntry.seq.is_not(None), AuditEntry.seq <= length))
             .options(selectinload(AuditEntry.actor)).order_by(AuditEntry.seq).execution_options(yield_per=500))
    for entry in db.session.scalars(query):
        personal = entry.personal
        yield json.dumps({
            "seq": entry.seq, "id": entry.id, "at": entry.at.isoformat(), "actor_id": entry.actor_id,
            "actor": entry.actor.name if entry.actor else None, "action": entry.action,
            "subject_type": entry.subject_type, "subject_id": entry.subject_id, "loop_id": entry.loop_id,
            "from_state": entry.from_state, "to_state": entry.to_state, "reason": entry.reason,
            "details": entry.details, "personal": None if personal is None else {
                "candidate_id": personal.candidate_id, "erased": personal.is_erased, "details": personal.details},
            "personal_digest": entry.personal_digest, "prev_hash": entry.prev_hash, "entry_hash": entry.entry_hash,
        }, ensure_ascii=False) + "\n"
