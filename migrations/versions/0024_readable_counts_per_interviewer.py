"""A reader's all-time counts for the whole company, kept a row per interviewer.

The interviewers' metrics page for all time read one rollup row per viewer
holding every interviewer they ever read (thousands in a big company's
history, a few hundred kB of JSON) and ranked them in Python on every visit.
Those rows (grain `reader`, span `all`) become a row per (reader, interviewer)
in `metric_readable_counts`, with the figures the tables rank and list by as
columns (all first votes, sealed feedbacks, all coaching flags), so the
database ranks and pages them. The downgrade folds them back into one row per
reader.

Revision ID: 0024
Revises: 0023
"""

import json
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

BATCH = 50  # readers per pass: a big company's reader rows hold a few hundred kB each
INSERTS = 1000
ALL_TIME = date(1970, 1, 1)

ROLLUPS = sa.table("metric_rollups", sa.column("id", sa.Integer()), sa.column("grain", sa.String()),
                   sa.column("span", sa.String()), sa.column("month", sa.Date()),
                   *(sa.column(name, sa.Integer()) for name in ("org_unit_id", "requisition_id", "bar_raiser_id",
                                                                 "person_id")),
                   sa.column("data", sa.JSON()))


def _loaded(data):
    return json.loads(data) if isinstance(data, str) else data


def _columns(counts: dict[str, int]) -> dict:
    """One interviewer's counts (`vote:<vote>:<result>`, `sealed`, `flag:<rule>`) as a row's columns."""
    named = {name: n for name, n in sorted(counts.items()) if n and name != "sealed"}
    return {"votes": sum(n for name, n in named.items() if name.startswith("vote:")),
            "sealed": counts.get("sealed", 0),
            "flags": sum(n for name, n in named.items() if name.startswith("flag:")), "counts": named}


def upgrade():
    readable = op.create_table(
        "metric_readable_counts",
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.CheckConstraint("votes >= 0 AND sealed >= 0 AND flags >= 0", name="ck_metric_readable_counts_counts"),
        sa.CheckConstraint("reader_id > 0 AND interviewer_id > 0", name="ck_metric_readable_counts_people"),
        sa.PrimaryKeyConstraint("reader_id", "interviewer_id", name="pk_metric_readable_counts"),
    )
    bind = op.get_bind()
    is_reader_ever = sa.and_(ROLLUPS.c.grain == "reader", ROLLUPS.c.span == "all")
    ids = list(bind.scalars(sa.select(ROLLUPS.c.id).where(is_reader_ever).order_by(ROLLUPS.c.id)))
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        rows = []
        for reader, data in bind.execute(sa.select(ROLLUPS.c.person_id, ROLLUPS.c.data)
                                         .where(ROLLUPS.c.id.in_(batch)).order_by(ROLLUPS.c.person_id)):
            per_interviewer: dict[int, dict[str, int]] = defaultdict(dict)
            for name, n in _loaded(data).get("c", {}).items():
                kind, interviewer, *rest = name.split(":")
                per_interviewer[int(interviewer)][":".join((kind, *rest))] = n
            rows += [{"reader_id": reader, "interviewer_id": interviewer, **_columns(counts)}
                     for interviewer, counts in sorted(per_interviewer.items()) if any(counts.values())]
        for at in range(0, len(rows), INSERTS):
            bind.execute(readable.insert(), rows[at:at + INSERTS])
        bind.execute(ROLLUPS.delete().where(ROLLUPS.c.id.in_(batch)))


def downgrade():
    bind = op.get_bind()
    readable = sa.table("metric_readable_counts", sa.column("reader_id"), sa.column("interviewer_id"),
                        sa.column("sealed"), sa.column("counts", sa.JSON()))
    readers = list(bind.scalars(sa.select(readable.c.reader_id).distinct().order_by(readable.c.reader_id)))
    for start in range(0, len(readers), BATCH):
        batch = readers[start:start + BATCH]
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for reader, interviewer, sealed, named in bind.execute(
                sa.select(readable.c.reader_id, readable.c.interviewer_id, readable.c.sealed, readable.c.counts)
                .where(readable.c.reader_id.in_(batch))):
            for name, n in {**_loaded(named), "sealed": sealed}.items():
                if n:
                    kind, *rest = name.split(":")
                    counts[reader][":".join((kind, str(interviewer), *rest))] = n
        rows = [{"grain": "reader", "span": "all", "month": ALL_TIME, "org_unit_id": 0, "requisition_id": 0,
                 "bar_raiser_id": 0, "person_id": reader, "data": {"c": dict(sorted(named.items())), "v": {}}}
                for reader, named in sorted(counts.items()) if named]
        if rows:
            bind.execute(ROLLUPS.insert(), rows)
    op.drop_table("metric_readable_counts")
