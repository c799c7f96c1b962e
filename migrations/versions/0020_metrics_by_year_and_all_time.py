"""Metrics rollups by year and for all time, and durations kept as distributions.

A rollup row gains a span: a month (as before), a year, or all time, so a page
reads a period as its whole years and the months around them, and all time as
one row per key, however long the company's history. Each duration list
becomes a distribution of values kept to three significant digits (pairs
of [value, how often]), so a year's or all time's row holds a few thousand
values, not one per feedback ever written. The rows already held are
converted in place, and the year and all-time rows are summed from the months.

Revision ID: 0020
Revises: 0016
"""

import json
from collections import Counter, defaultdict
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0016"
branch_labels = None
depends_on = None

BATCH = 1000
ALL_TIME = date(1970, 1, 1)
KEY = ("grain", "org_unit_id", "requisition_id", "bar_raiser_id", "person_id")
OLD_INDEXES = {"ix_metric_rollups_grain_person_month": ["grain", "person_id", "month"],
               "ix_metric_rollups_grain_unit_month": ["grain", "org_unit_id", "month"],
               "ix_metric_rollups_grain_requisition_month": ["grain", "requisition_id", "month"],
               "ix_metric_rollups_grain_bar_raiser_month": ["grain", "bar_raiser_id", "month"]}
NEW_INDEXES = {"ix_metric_rollups_grain_person_span_month": ["grain", "person_id", "span", "month"],
               "ix_metric_rollups_grain_unit_span_month": ["grain", "org_unit_id", "span", "month"],
               "ix_metric_rollups_grain_requisition_span_month": ["grain", "requisition_id", "span", "month"],
               "ix_metric_rollups_grain_bar_raiser_span_month": ["grain", "bar_raiser_id", "span", "month"]}

TALLIES = sa.table("metric_loop_tallies", sa.column("loop_id"), sa.column("data", sa.JSON()))
ROLLUPS = sa.table("metric_rollups", sa.column("id"), sa.column("grain"), sa.column("span"),
                   sa.column("month", sa.Date()), sa.column("org_unit_id"), sa.column("requisition_id"),
                   sa.column("bar_raiser_id"), sa.column("person_id"), sa.column("data", sa.JSON()))


def kept(us: int) -> int:
    """A duration in microseconds as the metrics keep it: rounded to three significant digits (half up), so
    within half a percent (2 hours is kept exactly, 2 days as 2.0023 days)."""
    magnitude = abs(us)
    if magnitude < 1000:
        return us
    unit = 10 ** (len(str(magnitude)) - 3)
    whole, rest = divmod(magnitude, unit)
    magnitude = (whole + (2 * rest >= unit)) * unit
    return magnitude if us > 0 else -magnitude


def _loaded(data):
    return json.loads(data) if isinstance(data, str) else data


def _distributions(data: dict) -> dict:
    values = {name: sorted(Counter(kept(us) for us in listed).items()) for name, listed in sorted(data["v"].items())}
    return {"c": data["c"], "v": {name: [[value, n] for value, n in pairs] for name, pairs in values.items()}}


def _lists(data: dict) -> dict:
    return {"c": data["c"], "v": {name: sorted(Counter(dict(map(tuple, pairs))).elements())
                                  for name, pairs in sorted(data["v"].items())}}


def _convert(bind, table, key, change, where=None) -> None:
    """Rewrite every row's data with `change`, a batch at a time, in key order."""
    last = None
    while True:
        query = sa.select(key, table.c.data).order_by(key).limit(BATCH)
        if where is not None:
            query = query.where(where)
        if last is not None:
            query = query.where(key > last)
        rows = bind.execute(query).all()
        if not rows:
            return
        bind.execute(table.update().where(key == sa.bindparam("row_key"))
                     .values(data=sa.bindparam("new_data", type_=sa.JSON())),
                     [{"row_key": row[0], "new_data": change(_loaded(row[1]))} for row in rows])
        last = rows[-1][0]


def _sum_spans(bind) -> None:
    """Add each key's year and all-time rows: the sums of its months."""
    sums: dict[tuple, tuple[Counter, dict]] = defaultdict(lambda: (Counter(), defaultdict(Counter)))
    for row in bind.execute(sa.select(ROLLUPS).where(ROLLUPS.c.span == "month")).mappings():
        data = _loaded(row["data"])
        month = row["month"] if isinstance(row["month"], date) else date.fromisoformat(str(row["month"])[:10])
        key = tuple(row[name] for name in KEY)
        for span, start in (("year", date(month.year, 1, 1)), ("all", ALL_TIME)):
            counts, values = sums[(span, start, *key)]
            counts.update(data["c"])
            for name, pairs in data["v"].items():
                for value, n in pairs:
                    values[name][value] += n
    rows = []
    for (span, start, *key), (counts, values) in sorted(sums.items()):
        data = {"c": {name: n for name, n in sorted(counts.items()) if n},
                "v": {name: [[value, n] for value, n in sorted(found.items()) if n]
                      for name, found in sorted(values.items()) if any(found.values())}}
        if data["c"] or data["v"]:
            rows.append({"span": span, "month": start, **dict(zip(KEY, key, strict=True)), "data": data})
    for start in range(0, len(rows), BATCH):
        bind.execute(ROLLUPS.insert(), rows[start:start + BATCH])


def upgrade():
    for name in OLD_INDEXES:
        op.drop_index(name, table_name="metric_rollups")
    with op.batch_alter_table("metric_rollups") as batch:
        batch.add_column(sa.Column("span", sa.String(length=8), nullable=False, server_default="month"))
        batch.drop_constraint("uq_metric_rollups_key", type_="unique")
        batch.create_unique_constraint("uq_metric_rollups_key", ["grain", "span", "month", "org_unit_id",
                                                                 "requisition_id", "bar_raiser_id", "person_id"])
        batch.create_check_constraint("ck_metric_rollups_span", "span IN ('month', 'year', 'all')")
    with op.batch_alter_table("metric_rollups") as batch:
        batch.alter_column("span", server_default=None)
    for name, columns in NEW_INDEXES.items():
        op.create_index(name, "metric_rollups", columns)
    bind = op.get_bind()
    _convert(bind, TALLIES, TALLIES.c.loop_id, _distributions)
    _convert(bind, ROLLUPS, ROLLUPS.c.id, _distributions)
    _sum_spans(bind)


def downgrade():
    bind = op.get_bind()
    bind.execute(ROLLUPS.delete().where(ROLLUPS.c.span != "month"))
    _convert(bind, TALLIES, TALLIES.c.loop_id, _lists)
    _convert(bind, ROLLUPS, ROLLUPS.c.id, _lists)
    for name in NEW_INDEXES:
        op.drop_index(name, table_name="metric_rollups")
    with op.batch_alter_table("metric_rollups") as batch:
        batch.drop_constraint("ck_metric_rollups_span", type_="check")
        batch.drop_constraint("uq_metric_rollups_key", type_="unique")
        batch.create_unique_constraint("uq_metric_rollups_key", ["grain", "month", "org_unit_id", "requisition_id",
                                                                 "bar_raiser_id", "person_id"])
        batch.drop_column("span")
    for name, columns in OLD_INDEXES.items():
        op.create_index(name, "metric_rollups", columns)
