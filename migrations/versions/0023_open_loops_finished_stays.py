"""Open loops' finished stays in the metrics rollups, so the metrics page reads no audit trail.

A loop's tally held its stay in each step only once the loop closed, so the page
worked out every open loop's stays from its trail on each visit. A tally now also
holds an open loop's stay in each step it has left (a loop never goes back); the
page reads each open loop's current stay from the loop itself. This adds those
stays to the tallies of the loops open now and to every rollup row their tallies
add to; the downgrade takes them out again.

The tallies' rows are found from each loop's tally as it is stored (its month,
org unit, requisition, bar raiser and participants), as `contributions` in
app/metrics/rollups.py finds them at this revision: copied here, not imported,
so that later changes to the app cannot change what this revision did.

Revision ID: 0023
Revises: 0022
"""

import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

BATCH = 500
ALL_TIME = date(1970, 1, 1)
STEP_BY_LABEL = {"Job description": 1, "Résumé review": 2, "Phone screen": 3, "In-house interviews": 4,
                 "Written feedback": 5, "Debrief": 6, "Reference check": 7, "Offer": 8}
RESUME_REVIEW = 2
# The grains whose rows keep a loop's durations: the company's, and per participant (`member_...`).
WHOLE = (("all", False, False), ("unit_bar_raiser", True, False), ("requisition_bar_raiser", False, True))
MEMBER = (("member_unit_bar_raiser", True, False), ("member_requisition_bar_raiser", False, True))

LOOPS = sa.table("loops", sa.column("id"), sa.column("step"), sa.column("status"), sa.column("created_at"),
                 sa.column("step_entered_at"))
AUDIT = sa.table("audit_entries", sa.column("id"), sa.column("loop_id"), sa.column("action"),
                 sa.column("from_state"), sa.column("to_state"), sa.column("at"))
TALLIES = sa.table("metric_loop_tallies", sa.column("loop_id"), sa.column("created_at"), sa.column("org_unit_id"),
                   sa.column("requisition_id"), sa.column("bar_raiser_id"), sa.column("data", sa.JSON()))
ROLLUPS = sa.table("metric_rollups", sa.column("id", sa.Integer()), sa.column("grain", sa.String()),
                   sa.column("span", sa.String()), sa.column("month", sa.Date()),
                   *(sa.column(name, sa.Integer()) for name in ("org_unit_id", "requisition_id", "bar_raiser_id",
                                                                 "person_id")),
                   sa.column("data", sa.JSON()))
KEY = ("grain", "span", "month", "org_unit_id", "requisition_id", "bar_raiser_id", "person_id")


def kept(us: int) -> int:
    """A duration in microseconds as the metrics keep it: three significant digits, half up."""
    magnitude = abs(us)
    if magnitude < 1000:
        return us
    unit = 10 ** (len(str(magnitude)) - 3)
    whole, rest = divmod(magnitude, unit)
    magnitude = (whole + (2 * rest >= unit)) * unit
    return magnitude if us > 0 else -magnitude


def _moment(value) -> datetime:
    """A stored time as an aware UTC datetime (SQLite hands back text without a zone)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _loaded(data):
    return json.loads(data) if isinstance(data, str) else data


def _moved(data: dict, stays: dict[str, Counter], sign: int) -> dict:
    """The stored tally with the stays added (or taken out), its distributions as [value, how often] pairs."""
    values = {}
    for name, stored in data.get("v", {}).items():
        if stored and not isinstance(stored[0], list):
            values[name] = Counter(map(kept, stored))  # a list of every value, from before revision 0020
        else:
            values[name] = Counter({value: n for value, n in stored})
    for name, found in stays.items():
        mine = values.setdefault(name, Counter())
        for value, n in found.items():
            mine[value] += sign * n
    return {"c": data.get("c", {}),
            "v": {name: [[value, n] for value, n in sorted(found.items()) if n]
                  for name, found in sorted(values.items()) if any(found.values())}}


def _finished_stays(created_at, current: int, step_entered_at, moves) -> dict[str, Counter]:
    """An open loop's stay in each step it has left, as `timing.step_times` measures it."""
    entered, left = {RESUME_REVIEW: created_at}, {}
    for from_step, to_step, at in moves:
        if from_step:
            left[from_step] = at
        if to_step:
            entered[to_step] = at
    entered[current] = step_entered_at
    stays: dict[str, Counter] = defaultdict(Counter)
    for step, start in entered.items():
        end = left.get(step)
        if end is not None:
            stays[f"stay:{step}"][kept((max(end - start, timedelta(0))) // timedelta(microseconds=1))] += 1
    return stays


def _rows(tally) -> list[tuple]:
    """The keys of the rollup rows a loop's tally keeps its durations in."""
    created = _moment(tally.created_at)
    month = date(created.year, created.month, 1)
    spans = (("month", month), ("year", date(created.year, 1, 1)), ("all", ALL_TIME))
    members = [int(name[2:]) for name, n in _loaded(tally.data)["c"].items() if name.startswith("p:") and n]
    keys = []
    for grains, people in ((WHOLE, [0]), (MEMBER, members)):
        for grain, by_unit, by_requisition in grains:
            for person in people:
                for span, start in spans[:1] if by_requisition else spans:
                    keys.append((grain, span, start, tally.org_unit_id if by_unit else 0,
                                 tally.requisition_id if by_requisition else 0,
                                 0 if grain == "all" else tally.bar_raiser_id, person))
    return keys


def _move_open_stays(bind, sign: int) -> None:
    open_loops = bind.execute(sa.select(LOOPS.c.id, LOOPS.c.step, LOOPS.c.created_at, LOOPS.c.step_entered_at)
                              .where(LOOPS.c.status == "open").order_by(LOOPS.c.id)).all()
    for start in range(0, len(open_loops), BATCH):
        batch = {row.id: row for row in open_loops[start:start + BATCH]}
        moves = defaultdict(list)
        for loop_id, from_state, to_state, at in bind.execute(
                sa.select(AUDIT.c.loop_id, AUDIT.c.from_state, AUDIT.c.to_state, AUDIT.c.at)
                .where(AUDIT.c.action == "loop.advanced", AUDIT.c.loop_id.in_(list(batch)))
                .order_by(AUDIT.c.loop_id, AUDIT.c.at, AUDIT.c.id)):
            moves[loop_id].append((STEP_BY_LABEL.get(from_state), STEP_BY_LABEL.get(to_state), _moment(at)))
        deltas: dict[tuple, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
        tallies = []
        for tally in bind.execute(sa.select(TALLIES).where(TALLIES.c.loop_id.in_(list(batch)))
                                  .order_by(TALLIES.c.loop_id)):
            loop = batch[tally.loop_id]
            stays = _finished_stays(_moment(loop.created_at), loop.step, _moment(loop.step_entered_at),
                                    moves[loop.id])
            if not stays:
                continue
            tallies.append({"row_key": tally.loop_id, "new_data": _moved(_loaded(tally.data), stays, sign)})
            for key in _rows(tally):
                for name, found in stays.items():
                    deltas[key][name].update(found)
        if tallies:
            bind.execute(TALLIES.update().where(TALLIES.c.loop_id == sa.bindparam("row_key"))
                         .values(data=sa.bindparam("new_data", type_=sa.JSON())), tallies)
        changed = []
        keys = sorted(deltas)
        columns = [ROLLUPS.c[name] for name in KEY]
        for at in range(0, len(keys), BATCH):
            # Keys written into the statement: a statement run again and again with parameters may be given
            # a generic plan, which PostgreSQL reads by a shorter index, filtering thousands of rows per key.
            listed = sa.bindparam("keys", keys[at:at + BATCH], expanding=True, literal_execute=True)
            for row in bind.execute(sa.select(ROLLUPS.c.id, ROLLUPS.c.data, *columns)
                                    .where(sa.tuple_(*columns).in_(listed))):
                changed.append({"row_id": row.id, "new_data": _moved(_loaded(row.data), deltas[tuple(row[2:])], sign)})
        if changed:
            bind.execute(ROLLUPS.update().where(ROLLUPS.c.id == sa.bindparam("row_id"))
                         .values(data=sa.bindparam("new_data", type_=sa.JSON())), changed)


def upgrade():
    _move_open_stays(op.get_bind(), 1)


def downgrade():
    _move_open_stays(op.get_bind(), -1)
