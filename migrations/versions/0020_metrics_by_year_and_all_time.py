"""Metrics rollups by year and for all time, and durations kept as distributions.

A rollup row gains a span: a month (as before), a year, or all time, so a page
reads a period as its whole years and the months around them, and all time as
one row per key, however long the company's history. A requisition's rows stay
by month (its loops span months). Durations are kept to three significant
digits, as distributions of [value, how often] pairs, so a year's or all
time's row holds a few thousand values, not one per feedback ever written.

The year and all-time rows are summed here from the months held, key by key in
one ordered pass. The month rows and tallies keep their lists of values until
a change or `flask rebuild-metrics` rewrites them; the app reads both forms.

Revision ID: 0020
Revises: 0019
"""

import json
from collections import Counter, defaultdict
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
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


def _lists(data: dict) -> dict:
    """A distribution back as the list of every value, as the revisions before this one read it."""
    return {"c": data["c"], "v": {name: sorted(Counter(dict(map(tuple, _pairs(stored)))).elements())
                                  for name, stored in sorted(data["v"].items())}}


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


def _pairs(stored: list) -> list:
    if stored and not isinstance(stored[0], list):
        return [[value, n] for value, n in sorted(Counter(map(kept, stored)).items())]
    return stored


class _Sum:
    def __init__(self):
        self.counts, self.values = Counter(), defaultdict(Counter)

    def add(self, data: dict) -> None:
        self.counts.update(data["c"])
        for name, stored in data["v"].items():
            mine = self.values[name]
            for value, n in _pairs(stored):
                mine[value] += n

    def data(self) -> dict:
        return {"c": {name: n for name, n in sorted(self.counts.items()) if n},
                "v": {name: [[value, n] for value, n in sorted(found.items()) if n]
                      for name, found in sorted(self.values.items()) if any(found.values())}}


def _sum_spans(bind) -> None:
    """Add each key's year and all-time rows, the sums of its months: one pass over the month rows in key order,
    so only one key's sums are held at a time. Requisitions' rows stay by month."""
    key_columns = [ROLLUPS.c[name] for name in KEY]
    rows = bind.execute(
        sa.select(*key_columns, ROLLUPS.c.month, ROLLUPS.c.data)
        .where(ROLLUPS.c.span == "month", ROLLUPS.c.requisition_id == 0).order_by(*key_columns, ROLLUPS.c.month)
        .execution_options(stream_results=True, max_row_buffer=BATCH))
    pending: list[dict] = []

    def keep(key, span, start, total: _Sum) -> None:
        data = total.data()
        if data["c"] or data["v"]:
            pending.append({**dict(zip(KEY, key, strict=True)), "span": span, "month": start, "data": data})
        if len(pending) >= BATCH:
            bind.execute(ROLLUPS.insert(), pending)
            pending.clear()

    key = year = None
    all_time = by_year = None
    for row in rows:
        month = row.month if isinstance(row.month, date) else date.fromisoformat(str(row.month)[:10])
        row_key = tuple(row[:len(KEY)])
        if row_key != key:
            if key is not None:
                keep(key, "year", date(year, 1, 1), by_year)
                keep(key, "all", ALL_TIME, all_time)
            key, year, all_time, by_year = row_key, month.year, _Sum(), _Sum()
        elif month.year != year:
            keep(key, "year", date(year, 1, 1), by_year)
            year, by_year = month.year, _Sum()
        data = _loaded(row.data)
        by_year.add(data)
        all_time.add(data)
    if key is not None:
        keep(key, "year", date(year, 1, 1), by_year)
        keep(key, "all", ALL_TIME, all_time)
    if pending:
        bind.execute(ROLLUPS.insert(), pending)


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
    _sum_spans(op.get_bind())


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
