"""Trigram indexes for the candidate search, and the table of retention dates.

The candidate search matches any part of a name or an e-mail; on PostgreSQL
trigram indexes answer it (pg_trgm, a trusted extension the database owner may
create). They are GiST: the planner prices a GIN index above reading the table
until the table holds tens of thousands of rows, and a GiST one below it at
every size.

`retention_dates` holds, for each candidate not yet erased whose loops have all
closed, when the last loop closed and the day the policies let their data be
erased. It is filled here from the loops and policies as they stand, by the
same rule as app/retention/rules.py (the longest covering policy for the way
each loop closed).

Revision ID: 0018
Revises: 0017
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

KEEP_COLUMNS = {"hired": "hired_days", "not_hired": "not_hired_days", "rejected": "rejected_days",
                "withdrawn": "withdrawn_days"}


def aware(value):
    """SQLite hands back naive UTC as text; PostgreSQL an aware time."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def backfill(bind) -> list[dict]:
    policies = bind.execute(sa.text(
        "SELECT scope, org_unit_id, location, hired_days, not_hired_days, rejected_days, withdrawn_days "
        "FROM retention_policies")).mappings().all()
    default = next((p for p in policies if p["scope"] == "default"), None)
    by_unit = {p["org_unit_id"]: p for p in policies if p["scope"] == "org_unit"}
    by_location = {p["location"].casefold(): p for p in policies if p["scope"] == "location"}
    loops = defaultdict(list)
    for row in bind.execute(sa.text(
            "SELECT l.candidate_id, l.status, l.closed_at, q.org_unit_id, q.location FROM loops l "
            "JOIN requisitions q ON q.id = l.requisition_id JOIN candidates c ON c.id = l.candidate_id "
            "WHERE c.anonymized_at IS NULL")).mappings():
        loops[row["candidate_id"]].append(row)
    rows = []
    for candidate_id, theirs in loops.items():
        if any(loop["status"] == "open" for loop in theirs):
            continue
        ends, covered = [], True
        for loop in theirs:
            covering = [p for p in (default, by_unit.get(loop["org_unit_id"]),
                                    by_location.get((loop["location"] or "").casefold()) if loop["location"]
                                    else None) if p is not None]
            if not covering:
                covered = False
                break
            days = max(p[KEEP_COLUMNS[loop["status"]]] for p in covering)
            ends.append(aware(loop["closed_at"]) + timedelta(days=days))
        closed = max(aware(loop["closed_at"]) for loop in theirs)
        rows.append({"candidate_id": candidate_id, "loops_closed_at": closed,
                     "erase_on": max(ends) if covered else None})
    return rows


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index("ix_candidates_name_trgm", "candidates", ["name"], postgresql_using="gist",
                        postgresql_ops={"name": "gist_trgm_ops"})
        op.create_index("ix_candidates_email_trgm", "candidates", ["email"], postgresql_using="gist",
                        postgresql_ops={"email": "gist_trgm_ops"})
    dates = op.create_table(
        "retention_dates",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("loops_closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erase_on", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("erase_on IS NULL OR erase_on >= loops_closed_at",
                           name=op.f("ck_retention_dates_erased_after_closing")),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"],
                                name=op.f("fk_retention_dates_candidate_id_candidates"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("candidate_id", name=op.f("pk_retention_dates")),
    )
    op.create_index("ix_retention_dates_erase_on", "retention_dates", ["erase_on", "candidate_id"])
    op.create_index("ix_retention_dates_loops_closed_at", "retention_dates", ["loops_closed_at", "candidate_id"])
    rows = backfill(bind)
    if rows and not postgres:  # SQLite keeps naive UTC (app/db_types.UTCDateTime)
        rows = [{**row, "loops_closed_at": row["loops_closed_at"].replace(tzinfo=None),
                 "erase_on": row["erase_on"] and row["erase_on"].replace(tzinfo=None)} for row in rows]
    if rows:
        op.bulk_insert(dates, rows)


def downgrade():
    op.drop_index("ix_retention_dates_loops_closed_at", table_name="retention_dates")
    op.drop_index("ix_retention_dates_erase_on", table_name="retention_dates")
    op.drop_table("retention_dates")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_candidates_email_trgm", table_name="candidates")
        op.drop_index("ix_candidates_name_trgm", table_name="candidates")
