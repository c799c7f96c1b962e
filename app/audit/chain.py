"""The audit trail's hash chain: sealing entries when their transaction commits, and walking the chain.

Each entry's hash covers its canonical content (every column but the chain's
own, the previous entry's hash included), so an edited entry no longer matches
its hash, a deleted one leaves the next entry pointing at a hash nobody has,
and an inserted one is either outside the chain or breaks the link after it.

Entries are numbered when their transaction commits, under a lock on the
chain's head row (`audit_chain`): the chain's lock is the last lock a
transaction takes, so it waits for no one while holding it, and two
transactions committing at once chain one after the other, never onto the
same predecessor. On SQLite the transaction already holds the database's
write lock by then (it inserted the entries).

The canonical form is fixed: migration 0007 carries a copy of it to chain the
entries that existed before, and changing it would break every stored hash.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import bindparam, event, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.audit.models import AuditChain, AuditEntry, AuditPersonalData

GENESIS = "0" * 64
CANONICAL_VERSION = 1
UNSEALED = "audit_unsealed"
ENTRIES = AuditEntry.__table__
CHAIN = AuditChain.__table__
PERSONAL = AuditPersonalData.__table__
CONTENT_COLUMNS = ("id", "at", "actor_id", "action", "subject_type", "subject_id", "loop_id", "from_state",
                   "to_state", "reason", "details", "personal_digest")


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def entry_hash(row, seq: int, prev_hash: str) -> str:
    """Return the hash of one entry's content (a row or mapping with CONTENT_COLUMNS) at `seq` after `prev_hash`."""
    get = row.__getitem__ if isinstance(row, dict) else row._mapping.__getitem__
    content = {name: get(name) for name in CONTENT_COLUMNS}
    content["at"] = content["at"].astimezone(UTC).isoformat(timespec="microseconds")
    content.update(v=CANONICAL_VERSION, seq=seq, prev_hash=prev_hash)
    return hashlib.sha256(canonical_json(content)).hexdigest()


def personal_digest(salt: str, reason: str | None, details: dict | None) -> str:
    """Return the salted digest an entry keeps of its personal data."""
    return hashlib.sha256(salt.encode() + b"\0" + canonical_json({"reason": reason, "details": details})).hexdigest()


@event.listens_for(Session, "after_flush")
def _note_new_entries(session, flush_context):
    ids = [obj.id for obj in session.new if isinstance(obj, AuditEntry)]
    if ids:
        session.info.setdefault(UNSEALED, []).extend(ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_unsealed(session, previous_transaction):
    if not session.in_transaction():
        session.info.pop(UNSEALED, None)


@event.listens_for(Session, "before_commit")
def _seal_on_commit(session):
    session.flush()
    ids = session.info.pop(UNSEALED, None)
    if ids:
        seal(session, ids)


def lock_head(session) -> tuple[int, str]:
    """Lock the chain's head row (creating it on an empty database) and return (length, head hash)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(CHAIN).values(id=1, length=0, head_hash=GENESIS).on_conflict_do_nothing())
    row = session.execute(select(CHAIN.c.length, CHAIN.c.head_hash).where(CHAIN.c.id == 1).with_for_update()).one()
    return row.length, row.head_hash


def seal(session, ids: list[int]) -> None:
    """Number and hash this transaction's new entries, in the order they were made, after the chain's head."""
    length, head = lock_head(session)
    rows = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows += session.execute(select(*[ENTRIES.c[name] for name in CONTENT_COLUMNS])
                                .where(ENTRIES.c.id.in_(chunk), ENTRIES.c.seq.is_(None))).all()
    rows.sort(key=lambda row: row.id)
    if not rows:
        return
    seals = []
    for row in rows:
        length += 1
        digest = entry_hash(row, length, head)
        seals.append({"_id": row.id, "seq": length, "prev_hash": head, "entry_hash": digest})
        head = digest
    session.execute(update(ENTRIES).where(ENTRIES.c.id == bindparam("_id"))
                    .values(seq=bindparam("seq"), prev_hash=bindparam("prev_hash"),
                            entry_hash=bindparam("entry_hash")), seals)
    session.execute(update(CHAIN).where(CHAIN.c.id == 1).values(length=length, head_hash=head))
    for item in seals:
        entry = session.identity_map.get(session.identity_key(AuditEntry, item["_id"]))
        if entry is not None:
            for name in ("seq", "prev_hash", "entry_hash"):
                set_committed_value(entry, name, item[name])


@dataclass
class Verdict:
    """What walking the chain found: the entries checked, the head, and the first break if any."""

    checked: int = 0
    head_hash: str = GENESIS
    problem: str | None = None

    @property
    def is_intact(self) -> bool:
        return self.problem is None

    def broken(self, message: str) -> "Verdict":
        self.problem = message
        return self


def verify(session) -> Verdict:
    """Walk the chain from its first entry; return at the first break (an edited, deleted or inserted row)."""
    verdict = Verdict()
    columns = [ENTRIES.c[name] for name in CONTENT_COLUMNS] + [
        ENTRIES.c.seq, ENTRIES.c.prev_hash, ENTRIES.c.entry_hash, PERSONAL.c.entry_id.label("personal_id"),
        PERSONAL.c.salt, PERSONAL.c.reason.label("personal_reason"), PERSONAL.c.details.label("personal_details"),
        PERSONAL.c.erased_at]
    query = (select(*columns).select_from(ENTRIES.outerjoin(PERSONAL, PERSONAL.c.entry_id == ENTRIES.c.id))
             .where(ENTRIES.c.seq.is_not(None)).order_by(ENTRIES.c.seq).execution_options(yield_per=1000))
    rows = session.execute(query)
    try:
        problem = _walk(rows, verdict)
    finally:
        rows.close()  # a server-side cursor on PostgreSQL, left half-read at a break
    if problem is not None:
        return verdict.broken(problem)
    stray = session.scalar(select(ENTRIES.c.id).where(ENTRIES.c.seq.is_(None)).order_by(ENTRIES.c.id).limit(1))
    if stray is not None:
        return verdict.broken(f"entry {stray} is not in the chain: it was inserted outside the app.")
    head = session.execute(select(CHAIN.c.length, CHAIN.c.head_hash).where(CHAIN.c.id == 1)).first()
    if head is not None and (head.length, head.head_hash) != (verdict.checked, verdict.head_hash):
        return verdict.broken(f"the chain has {verdict.checked} entries but its head records {head.length}: "
                              "entries were deleted from its end or the head was changed.")
    return verdict


def _walk(rows, verdict: Verdict) -> str | None:
    """Check each sealed entry against the one before it; return the first problem, counting the good ones."""
    expected_seq, expected_prev = 1, GENESIS
    for row in rows:
        where = f"entry {row.id} (position {row.seq})"
        if row.seq != expected_seq:
            return f"{where}: position {expected_seq} is missing; an entry was deleted."
        if row.prev_hash != expected_prev:
            return (f"{where} does not follow the entry before it: an entry before it was deleted, "
                    "inserted or edited.")
        if entry_hash(row, row.seq, row.prev_hash) != row.entry_hash:
            return f"{where} was edited: its content no longer matches its hash."
        if row.personal_digest is not None:
            if row.personal_id is None:
                return f"{where}: the personal data it refers to was deleted."
            if row.erased_at is None and personal_digest(row.salt, row.personal_reason,
                                                         row.personal_details) != row.personal_digest:
                return f"{where}: the personal data it refers to was edited."
        verdict.checked += 1
        verdict.head_hash = expected_prev = row.entry_hash
        expected_seq += 1
    return None


def head(session) -> tuple[int, str]:
    """Return the committed chain's (length, head hash)."""
    row = session.execute(select(CHAIN.c.length, CHAIN.c.head_hash).where(CHAIN.c.id == 1)).first()
    return (row.length, row.head_hash) if row is not None else (0, GENESIS)
