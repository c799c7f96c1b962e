"""Bar raisers' records in the metrics rollups: each decided debrief, and whether the bar raiser's call matched it.

The program page reads each bar raiser's decided debriefs and agreement from
the per-bar-raiser rollup rows instead of every loop they ran. The tallies
and rollups already held gain the two counts here, counted from the records
with the rule of app/metrics/rollups.py at this revision: their verdict where
they gave one (concur is a hire, a veto is not), else their final vote, else
their counted first vote. No table changes.

Revision ID: 0019
Revises: 0018
"""

from collections import Counter, defaultdict
from datetime import UTC, date

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

RECORD = ("decided", "agreed")
POSITIVE = ("strongly_inclined", "inclined")
BATCH = 500


def _t(name, *columns):
    return sa.table(name, *[column if not isinstance(column, str) else sa.column(column) for column in columns])


LOOPS = _t("loops", "id", "bar_raiser_id")
DECISIONS = _t("debrief_decisions", "loop_id", "outcome", "verdict")
FINAL_VOTES = _t("final_votes", "loop_id", "interviewer_id", "vote")
INTERVIEWS = _t("interviews", "id", "loop_id", "kind")
FEEDBACK = _t("feedback", "interview_id", "author_id", "vote", "status", sa.column("is_practice", sa.Boolean()))
TALLIES = _t("metric_loop_tallies", "loop_id", sa.column("created_at", sa.DateTime(timezone=True)), "bar_raiser_id",
             sa.column("data", sa.JSON()))
ROLLUPS = _t("metric_rollups", "id", "grain", sa.column("month", sa.Date()), "bar_raiser_id", "person_id",
             sa.column("data", sa.JSON()))


def _month(moment) -> date:
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return date(moment.year, moment.month, 1)


def _with(data: dict, counts: Counter) -> dict:
    """The stored tally with the record's counts set as given: names sorted, zeros left out, as the app stores it."""
    merged = {name: n for name, n in data["c"].items() if name not in RECORD}
    merged.update({name: n for name, n in counts.items() if n})
    return {"c": dict(sorted(merged.items())), "v": data["v"]}


def _records(bind) -> dict[int, tuple[object, int, dict, Counter]]:
    """Each decided loop's tally row (created_at, bar raiser, data) and its record counts."""
    rows = bind.execute(
        sa.select(TALLIES.c.loop_id, TALLIES.c.created_at, TALLIES.c.bar_raiser_id, TALLIES.c.data,
                  LOOPS.c.bar_raiser_id.label("loop_bar_raiser"), DECISIONS.c.outcome, DECISIONS.c.verdict)
        .join(LOOPS, LOOPS.c.id == TALLIES.c.loop_id).join(DECISIONS, DECISIONS.c.loop_id == TALLIES.c.loop_id)
    ).all()
    finals = dict(((loop_id, who), vote) for loop_id, who, vote in bind.execute(
        sa.select(FINAL_VOTES.c.loop_id, FINAL_VOTES.c.interviewer_id, FINAL_VOTES.c.vote)
        .join(LOOPS, sa.and_(LOOPS.c.id == FINAL_VOTES.c.loop_id,
                             LOOPS.c.bar_raiser_id == FINAL_VOTES.c.interviewer_id))))
    firsts = dict(bind.execute(
        sa.select(INTERVIEWS.c.loop_id, FEEDBACK.c.vote)
        .join(INTERVIEWS, INTERVIEWS.c.id == FEEDBACK.c.interview_id).join(LOOPS, LOOPS.c.id == INTERVIEWS.c.loop_id)
        .where(FEEDBACK.c.author_id == LOOPS.c.bar_raiser_id, INTERVIEWS.c.kind == "in_house",
               FEEDBACK.c.is_practice.is_(sa.false()), FEEDBACK.c.status == "submitted")).all())
    result = {}
    for row in rows:
        counts = Counter(decided=1)
        if row.verdict is not None:
            says_hire = row.verdict == "concur"
        else:
            vote = finals.get((row.loop_id, row.loop_bar_raiser)) or firsts.get(row.loop_id)
            says_hire = None if vote is None else vote in POSITIVE
        if says_hire is not None:
            counts["agreed"] = int(says_hire == (row.outcome == "hire"))
        result[row.loop_id] = (row.created_at, row.bar_raiser_id, row.data, counts)
    return result


def _apply(bind, records: dict, keep: bool) -> None:
    """Set each decided loop's record counts on its tally (or take them off), moving the per-bar-raiser rows
    by the difference."""
    tallies, sums = [], defaultdict(Counter)
    for loop_id, (created_at, bar_raiser, data, counts) in records.items():
        target = counts if keep else Counter()
        tallies.append({"row_id": loop_id, "new_data": _with(data, target)})
        key = (_month(created_at), bar_raiser)
        for name in RECORD:
            sums[key][name] += target[name] - data["c"].get(name, 0)
    update = TALLIES.update().where(TALLIES.c.loop_id == sa.bindparam("row_id")).values(
        data=sa.bindparam("new_data", type_=sa.JSON()))
    for start in range(0, len(tallies), BATCH):
        bind.execute(update, tallies[start:start + BATCH])
    rows = bind.execute(sa.select(ROLLUPS.c.id, ROLLUPS.c.month, ROLLUPS.c.bar_raiser_id, ROLLUPS.c.data)
                        .where(ROLLUPS.c.grain == "bar_raiser", ROLLUPS.c.person_id == 0)).all()
    changed = []
    for row in rows:
        delta = sums.get((row.month, row.bar_raiser_id))
        if delta and any(delta.values()):
            counts = Counter({name: row.data["c"].get(name, 0) + delta[name] for name in RECORD})
            changed.append({"row_id": row.id, "new_data": _with(row.data, counts)})
    update = ROLLUPS.update().where(ROLLUPS.c.id == sa.bindparam("row_id")).values(
        data=sa.bindparam("new_data", type_=sa.JSON()))
    for start in range(0, len(changed), BATCH):
        bind.execute(update, changed[start:start + BATCH])


def upgrade():
    _apply(op.get_bind(), _records(op.get_bind()), keep=True)


def downgrade():
    _apply(op.get_bind(), _records(op.get_bind()), keep=False)
