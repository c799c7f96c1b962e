"""Records that hold up: a hash-chained audit trail whose personal data is kept apart, retention policies,
legal holds, and seals that admit erasure.

Adds the chain's columns to `audit_entries` and its head (`audit_chain`), and
`audit_personal_data`, where the reasons and names of entries about a
candidate are kept so erasure can reach them. Existing entries are migrated:
what they say about a candidate moves to the new table (the entry keeps a
salted digest of it), then every entry is chained in id order. The
append-only triggers are replaced by ones that admit exactly one change to
an entry, its sealing into the chain, and one change to a personal-data row,
its erasure.

Retention policies (a default and overrides per org unit or location, which
requisitions now carry) and legal holds get their tables. The seals on a
closed loop and on a debrief decision admit one change, as feedback's already
do (0003): their free text replaced by the retention marker, and nothing else.

The canonical form below is a copy of app/audit/chain.py's (version 1); the
test suite checks that `flask verify-audit` accepts what this migration chains.

Revision ID: 0007
Revises: 0006
"""

import hashlib
import json
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
REDACTED = "[removed under the retention policy]"
LOOP_COLUMNS = ("requisition_id", "candidate_id", "recruiter_id", "hiring_manager_id", "bar_raiser_id", "shadow_id",
                "step", "status", "closed_at", "closed_by_id", "step_entered_at", "created_at")
DECISION_COLUMNS = ("loop_id", "outcome", "decided_by_id", "decided_at", "verdict", "verdict_by_id", "verdict_at")
OLD_DECISION_CONDITION = (
    "OLD.verdict IS NOT NULL OR NEW.outcome IS DISTINCT FROM OLD.outcome"
    " OR NEW.rationale IS DISTINCT FROM OLD.rationale OR NEW.loop_id IS DISTINCT FROM OLD.loop_id"
    " OR NEW.decided_by_id IS DISTINCT FROM OLD.decided_by_id")
CONTENT_COLUMNS = ("id", "at", "actor_id", "action", "subject_type", "subject_id", "loop_id", "from_state",
                   "to_state", "reason", "details", "personal_digest")
# What an entry about a candidate said that names them, by action.
PERSONAL_DETAILS = {"loop.created": ("candidate",), "candidate.created": ("name",), "candidate.updated": ("name",)}
SEAL_COLUMNS = ("at", "actor_id", "action", "subject_type", "subject_id", "loop_id", "from_state", "to_state",
                "reason", "personal_digest")


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def as_utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def entry_hash(content: dict, seq: int, prev_hash: str) -> str:
    content = {name: content[name] for name in CONTENT_COLUMNS}
    content["at"] = as_utc(content["at"]).isoformat(timespec="microseconds")
    content.update(v=1, seq=seq, prev_hash=prev_hash)
    return hashlib.sha256(canonical_json(content)).hexdigest()


def personal_digest(salt: str, reason, details) -> str:
    return hashlib.sha256(salt.encode() + b"\0" + canonical_json({"reason": reason, "details": details})).hexdigest()


def refuse(name: str, table: str, event: str, condition: str | None, message: str) -> None:
    """Create a trigger refusing `event` on `table` when `condition` holds (always, without one)."""
    when = f" WHEN ({condition})" if condition else ""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER trg_{name} BEFORE {event} ON {table} FOR EACH ROW{when} "
                   f"EXECUTE FUNCTION refuse_change('{message}')")
    else:
        op.execute(f"CREATE TRIGGER trg_{name} BEFORE {event} ON {table} FOR EACH ROW{when} "
                   f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def drop_trigger(name: str, table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS trg_{name} ON {table}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS trg_{name}")


def drop_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        drop_trigger("audit_entries_append_only", "audit_entries")
    else:
        drop_trigger("audit_entries_append_only_update", "audit_entries")
        drop_trigger("audit_entries_append_only_delete", "audit_entries")


def same(column: str) -> str:
    if column == "details" and op.get_bind().dialect.name == "postgresql":
        return "NEW.details::text IS NOT DISTINCT FROM OLD.details::text"  # json has no equality operator
    return f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}"


def create_chain_guards() -> None:
    sealing = " AND ".join(["OLD.seq IS NULL", "NEW.seq IS NOT NULL", "NEW.id = OLD.id"]
                           + [same(c) for c in (*SEAL_COLUMNS, "details")])
    refuse("audit_entries_append_only_delete", "audit_entries", "DELETE", None, "audit entries are append-only")
    refuse("audit_entries_sealed_once", "audit_entries", "UPDATE", f"NOT ({sealing})",
           "audit entries are append-only")
    erasure = ("OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND NEW.entry_id = OLD.entry_id"
               " AND NEW.candidate_id IS NOT DISTINCT FROM OLD.candidate_id")
    refuse("audit_personal_data_erased_only", "audit_personal_data", "UPDATE", f"NOT ({erasure})",
           "audit personal data is only ever erased")
    refuse("audit_personal_data_kept", "audit_personal_data", "DELETE", None,
           "audit personal data is erased, never deleted")


def drop_chain_guards() -> None:
    drop_trigger("audit_entries_append_only_delete", "audit_entries")
    drop_trigger("audit_entries_sealed_once", "audit_entries")
    drop_trigger("audit_personal_data_erased_only", "audit_personal_data")
    drop_trigger("audit_personal_data_kept", "audit_personal_data")


def restore_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        refuse("audit_entries_append_only", "audit_entries", "UPDATE OR DELETE", None,
               "audit entries are append-only")
    else:
        refuse("audit_entries_append_only_update", "audit_entries", "UPDATE", None, "audit entries are append-only")
        refuse("audit_entries_append_only_delete", "audit_entries", "DELETE", None, "audit entries are append-only")


def replace_seals(allow_redaction: bool) -> None:
    """The closed loop's and the decision's seals, admitting the retention marker or not (as 0001 made them)."""
    loop_condition, decision_condition = "OLD.status <> 'open'", OLD_DECISION_CONDITION
    if allow_redaction:
        loop_redaction = " AND ".join([f"NEW.close_reason = '{REDACTED}'"] + [same(c) for c in LOOP_COLUMNS])
        loop_condition = f"{loop_condition} AND NOT ({loop_redaction})"
        decision_redaction = " AND ".join(
            [same(c) for c in DECISION_COLUMNS]
            + [f"(NEW.rationale = OLD.rationale OR NEW.rationale = '{REDACTED}')",
               f"(NEW.verdict_rationale IS NOT DISTINCT FROM OLD.verdict_rationale"
               f" OR NEW.verdict_rationale = '{REDACTED}')"])
        decision_condition = f"({decision_condition}) AND NOT ({decision_redaction})"
    drop_trigger("closed_loop_read_only", "loops")
    refuse("closed_loop_read_only", "loops", "UPDATE", loop_condition, "a closed loop is read-only")
    drop_trigger("decision_made_once", "debrief_decisions")
    refuse("decision_made_once", "debrief_decisions", "UPDATE", decision_condition,
           "a debrief decision is made once, and a veto is final")


def create_retention_tables() -> None:
    op.create_table(
        "retention_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=120), nullable=True),
        sa.Column("hired_days", sa.Integer(), nullable=False),
        sa.Column("not_hired_days", sa.Integer(), nullable=False),
        sa.Column("rejected_days", sa.Integer(), nullable=False),
        sa.Column("withdrawn_days", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("scope IN ('default', 'org_unit', 'location')",
                           name=op.f("ck_retention_policies_scope_valid")),
        sa.CheckConstraint(
            "(scope = 'default' AND org_unit_id IS NULL AND location IS NULL)"
            " OR (scope = 'org_unit' AND org_unit_id IS NOT NULL AND location IS NULL)"
            " OR (scope = 'location' AND location IS NOT NULL AND org_unit_id IS NULL)",
            name=op.f("ck_retention_policies_scope_matches")),
        *[sa.CheckConstraint(f"{column} BETWEEN 0 AND 36500", name=op.f(f"ck_retention_policies_{column}_range"))
          for column in ("hired_days", "not_hired_days", "rejected_days", "withdrawn_days")],
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_units.id"],
                                name=op.f("fk_retention_policies_org_unit_id_org_units"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_retention_policies_updated_by_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_policies")),
        sa.UniqueConstraint("location", name=op.f("uq_retention_policies_location")),
        sa.UniqueConstraint("org_unit_id", name=op.f("uq_retention_policies_org_unit_id")),
    )
    with op.batch_alter_table("retention_policies", schema=None) as batch_op:
        batch_op.create_index("uq_retention_policies_default", ["scope"], unique=True,
                              sqlite_where=sa.text("scope = 'default'"),
                              postgresql_where=sa.text("scope = 'default'"))
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("requisition_id", sa.Integer(), nullable=True),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(trim(reason)) > 0", name=op.f("ck_legal_holds_reason_not_blank")),
        sa.CheckConstraint(
            "(CASE WHEN candidate_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN requisition_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN org_unit_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_legal_holds_holds_one_thing")),
        sa.CheckConstraint("(released_at IS NULL) = (released_by_id IS NULL)",
                           name=op.f("ck_legal_holds_released_has_actor")),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"],
                                name=op.f("fk_legal_holds_candidate_id_candidates"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["requisition_id"], ["requisitions.id"],
                                name=op.f("fk_legal_holds_requisition_id_requisitions"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_units.id"],
                                name=op.f("fk_legal_holds_org_unit_id_org_units"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["placed_by_id"], ["users.id"],
                                name=op.f("fk_legal_holds_placed_by_id_users"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["released_by_id"], ["users.id"],
                                name=op.f("fk_legal_holds_released_by_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_holds_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_legal_holds_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_legal_holds_requisition_id"), ["requisition_id"], unique=False)
    with op.batch_alter_table("requisitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location", sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f("ix_requisitions_location"), ["location"], unique=False)


def drop_retention_tables() -> None:
    with op.batch_alter_table("requisitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requisitions_location"))
        batch_op.drop_column("location")
    op.drop_table("legal_holds")
    op.drop_table("retention_policies")


def move_personal_data_and_chain() -> None:
    """Move what existing entries say about a candidate to the new table, then chain every entry in id order."""
    bind = op.get_bind()
    entries = sa.table("audit_entries", *[sa.column(c, sa.JSON()) if c == "details" else sa.column(c)
                                          for c in CONTENT_COLUMNS],
                       sa.column("seq"), sa.column("prev_hash"), sa.column("entry_hash"))
    personal = sa.table("audit_personal_data", sa.column("entry_id"), sa.column("candidate_id"),
                        sa.column("salt"), sa.column("reason"), sa.column("details", sa.JSON(none_as_null=True)))
    loops = sa.table("loops", sa.column("id"), sa.column("candidate_id"))
    candidate_of_loop = dict(bind.execute(sa.select(loops.c.id, loops.c.candidate_id)).all())
    rows = bind.execute(sa.select(*[entries.c[c] for c in CONTENT_COLUMNS]).order_by(entries.c.id)).mappings().all()
    seq, head, seals, moved = 0, GENESIS, [], []
    for row in rows:
        content = dict(row)
        details = dict(content["details"] or {})
        candidate_id = (candidate_of_loop.get(content["loop_id"]) if content["loop_id"] is not None
                        else content["subject_id"] if content["subject_type"] == "Candidate" else None)
        named = {key: details.pop(key) for key in PERSONAL_DETAILS.get(content["action"], ()) if key in details}
        if candidate_id is not None and (content["reason"] or named):
            salt = secrets.token_hex(16)
            moved.append({"entry_id": content["id"], "candidate_id": candidate_id, "salt": salt,
                          "reason": content["reason"] or "", "details": named or None})
            content.update(reason="", details=details,
                           personal_digest=personal_digest(salt, content["reason"] or "", named or None))
        seq += 1
        digest = entry_hash(content, seq, head)
        seals.append({"_id": content["id"], "reason": content["reason"], "details": content["details"],
                      "personal_digest": content["personal_digest"], "seq": seq, "prev_hash": head,
                      "entry_hash": digest})
        head = digest
    if moved:
        bind.execute(personal.insert(), moved)
    if seals:
        bind.execute(entries.update().where(entries.c.id == sa.bindparam("_id")).values(
            reason=sa.bindparam("reason"), details=sa.bindparam("details"),
            personal_digest=sa.bindparam("personal_digest"), seq=sa.bindparam("seq"),
            prev_hash=sa.bindparam("prev_hash"), entry_hash=sa.bindparam("entry_hash")), seals)
    bind.execute(sa.text("INSERT INTO audit_chain (id, length, head_hash) VALUES (1, :length, :head)"),
                 {"length": seq, "head": head})


def upgrade():
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_single_row")),
        sa.CheckConstraint("length >= 0", name=op.f("ck_audit_chain_length_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )
    drop_append_only()
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_entries_seq"), ["seq"])
        batch_op.create_check_constraint(
            op.f("ck_audit_entries_sealed_whole"),
            "(seq IS NULL) = (entry_hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL)")
    op.create_table(
        "audit_personal_data",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("(erased_at IS NULL) = (salt IS NOT NULL)",
                           name=op.f("ck_audit_personal_data_erased_has_no_salt")),
        sa.CheckConstraint("erased_at IS NULL OR (reason IS NULL AND details IS NULL)",
                           name=op.f("ck_audit_personal_data_erased_is_empty")),
        sa.ForeignKeyConstraint(["entry_id"], ["audit_entries.id"],
                                name=op.f("fk_audit_personal_data_entry_id_audit_entries"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"],
                                name=op.f("fk_audit_personal_data_candidate_id_candidates"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_audit_personal_data")),
    )
    with op.batch_alter_table("audit_personal_data", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_personal_data_candidate_id"), ["candidate_id"], unique=False)
    move_personal_data_and_chain()
    create_chain_guards()
    create_retention_tables()
    replace_seals(allow_redaction=True)


def downgrade():
    replace_seals(allow_redaction=False)
    drop_retention_tables()
    drop_chain_guards()
    # Put the personal data back into the entries' text before the table goes.
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT entry_id, reason, details FROM audit_personal_data "
                                "WHERE erased_at IS NULL")).all()
    for entry_id, reason, named in rows:
        named = json.loads(named) if isinstance(named, str) else named
        current = bind.execute(sa.text("SELECT details FROM audit_entries WHERE id = :id"), {"id": entry_id}).scalar()
        current = json.loads(current) if isinstance(current, str) else (current or {})
        bind.execute(sa.text("UPDATE audit_entries SET reason = :reason, details = :details WHERE id = :id"),
                     {"reason": reason or "", "details": json.dumps({**current, **(named or {})}), "id": entry_id})
    with op.batch_alter_table("audit_personal_data", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_personal_data_candidate_id"))
    op.drop_table("audit_personal_data")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_audit_entries_sealed_whole"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_audit_entries_seq"), type_="unique")
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
        batch_op.drop_column("personal_digest")
    restore_append_only()
    op.drop_table("audit_chain")
