"""A rollup row's long distributions are stored packed.

A metrics page reads a few rollup rows, but an all-time or year row holds
thousands of durations (a company's history, to three significant digits),
and parsing them as [value, how often] pairs makes a Python object of every
value and count. A distribution of 33 values or more is now stored as two
arrays of 64-bit integers in base64: the values in increasing order, and how
many values are each one or smaller (`app.metrics.tally.pack`), which a page
reads as they are. This revision packs the rows long enough to hold such a
distribution (over 1,000 characters: the others hold too few values to gain,
and are packed when next written). The readers' rows hold counts alone and
are left as they are. The downgrade unpacks every packed distribution into
pairs, the only form the app before this revision reads.

Revision ID: 0026
Revises: 0025
"""

import json
import sys
from array import array
from base64 import b64decode, b64encode
from itertools import accumulate

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

BATCH = 500
PACKED_FROM = 33
LONG = 1000  # characters a row needs to hold a distribution of PACKED_FROM values

ROLLUPS = sa.table("metric_rollups", sa.column("id", sa.Integer()), sa.column("grain", sa.String()),
                   sa.column("data", sa.JSON()))


def _loaded(data):
    return json.loads(data) if isinstance(data, str) else (data or {})


def _arrays(*arrays: array) -> None:
    if sys.byteorder == "big":
        for made in arrays:
            made.byteswap()


def pack(pairs):
    if not isinstance(pairs, list) or len(pairs) < PACKED_FROM or not isinstance(pairs[0], list) \
            or min(n for _, n in pairs) <= 0:
        return pairs
    values, at_most = array("q", (value for value, _ in pairs)), array("q", accumulate(n for _, n in pairs))
    _arrays(values, at_most)
    return {"values": b64encode(values.tobytes()).decode(), "at_most": b64encode(at_most.tobytes()).decode()}


def unpack(stored):
    if not isinstance(stored, dict):
        return stored
    values, at_most = array("q", b64decode(stored["values"])), array("q", b64decode(stored["at_most"]))
    _arrays(values, at_most)
    return [[value, n - before] for value, n, before in zip(values, at_most, [0, *at_most[:-1]], strict=True)]


def _rewrite(bind, change, where) -> None:
    """Rewrite the distributions of the rows that match `where` with `change`, a batch at a time in id order."""
    last = 0
    while True:
        rows = bind.execute(sa.select(ROLLUPS.c.id, ROLLUPS.c.data).where(ROLLUPS.c.id > last, *where)
                            .order_by(ROLLUPS.c.id).limit(BATCH)).all()
        if not rows:
            return
        changed = []
        for row_id, data in rows:
            data = _loaded(data)
            values = {name: change(stored) for name, stored in data.get("v", {}).items()}
            if values != data.get("v", {}):
                changed.append({"row_key": row_id, "new_data": {**data, "v": values}})
        if changed:
            bind.execute(ROLLUPS.update().where(ROLLUPS.c.id == sa.bindparam("row_key"))
                         .values(data=sa.bindparam("new_data", type_=sa.JSON())), changed)
        last = rows[-1][0]


def _with_durations():
    return [sa.not_(ROLLUPS.c.grain.like("reader%")), sa.func.length(sa.cast(ROLLUPS.c.data, sa.Text())) > LONG]


def upgrade():
    _rewrite(op.get_bind(), pack, _with_durations())


def downgrade():
    _rewrite(op.get_bind(), unpack, [sa.not_(ROLLUPS.c.grain.like("reader%")),
                                     sa.cast(ROLLUPS.c.data, sa.Text()).like('%"at_most"%')])
