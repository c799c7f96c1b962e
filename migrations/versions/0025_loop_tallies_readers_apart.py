"""A loop's tally keeps the counts its participants may read apart from the rest.

The metrics pages read the loops created in the hours at either end of a
period loop by loop, from their tallies. Most of a tally's names are the
counts each participant may read (`r:<reader>:...`, a few per participant and
interviewer), which only the interviewer tables need: they move to a column
of their own, `readers`, so the other figures read a tally without them. The
durations of tallies written before revision 0020 (a list of every value)
are rewritten as [value, how often] pairs on the way, as the app writes them
now. The downgrade moves the readers' counts back (the durations stay pairs:
the app before this revision reads both forms).

Revision ID: 0025
Revises: 0024
"""

import json
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

BATCH = 1000


def kept(us: int) -> int:
    """A duration in microseconds as the metrics keep it: three significant digits, half up."""
    magnitude = abs(us)
    if magnitude < 1000:
        return us
    unit = 10 ** (len(str(magnitude)) - 3)
    whole, rest = divmod(magnitude, unit)
    magnitude = (whole + (2 * rest >= unit)) * unit
    return magnitude if us > 0 else -magnitude


def _loaded(data):
    return json.loads(data) if isinstance(data, str) else (data or {})


def _pairs(stored: list) -> list:
    if stored and not isinstance(stored[0], list):
        return [[value, n] for value, n in sorted(Counter(map(kept, stored)).items())]
    return stored


def _rewrite(bind, tallies, change) -> None:
    """Rewrite every tally with `change`, a batch at a time in loop order."""
    last = None
    while True:
        query = sa.select(tallies.c.loop_id, tallies.c.data, tallies.c.readers).order_by(tallies.c.loop_id)
        if last is not None:
            query = query.where(tallies.c.loop_id > last)
        rows = bind.execute(query.limit(BATCH)).all()
        if not rows:
            return
        changed = []
        for loop_id, data, readers in rows:
            data, readers = change(_loaded(data), _loaded(readers))
            changed.append({"row_key": loop_id, "new_data": data, "new_readers": readers})
        bind.execute(tallies.update().where(tallies.c.loop_id == sa.bindparam("row_key"))
                     .values(data=sa.bindparam("new_data", type_=sa.JSON()),
                             readers=sa.bindparam("new_readers", type_=sa.JSON())), changed)
        last = rows[-1][0]


def _apart(data: dict, readers: dict) -> tuple[dict, dict]:
    counts = data.get("c", {})
    readers = {**readers, **{name: n for name, n in counts.items() if name.startswith("r:")}}
    general = {name: n for name, n in counts.items() if not name.startswith("r:")}
    values = {name: _pairs(stored) for name, stored in data.get("v", {}).items()}
    return {"c": general, "v": values}, dict(sorted(readers.items()))


def _together(data: dict, readers: dict) -> tuple[dict, dict]:
    return {"c": dict(sorted({**data.get("c", {}), **readers}.items())), "v": data.get("v", {})}, {}


TALLIES = sa.table("metric_loop_tallies", sa.column("loop_id", sa.Integer()), sa.column("data", sa.JSON()),
                   sa.column("readers", sa.JSON()))


def upgrade():
    op.add_column("metric_loop_tallies",
                  sa.Column("readers", sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    _rewrite(op.get_bind(), TALLIES, _apart)


def downgrade():
    _rewrite(op.get_bind(), TALLIES, _together)
    with op.batch_alter_table("metric_loop_tallies") as batch:
        batch.drop_column("readers")
