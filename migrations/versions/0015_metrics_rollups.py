"""Metrics rollups: each loop's tally, and their sums per month at each grain the metrics page reads.

The tables are filled from the records already held, with a copy of the
counting rules as they stand at this revision (app/metrics/rollups.py keeps
them from here on; `flask rebuild-metrics` recounts with the current ones).

Revision ID: 0015
Revises: 0009
"""

from collections import Counter, defaultdict
from datetime import UTC, date, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

STEPS = {"Job description": 1, "Résumé review": 2, "Phone screen": 3, "In-house interviews": 4,
         "Written feedback": 5, "Debrief": 6, "Reference check": 7, "Offer": 8}
STATUS_LABELS = {"open": "Open", "hired": "Hired", "not_hired": "Not hired", "rejected": "Rejected",
                 "withdrawn": "Withdrawn"}
BATCH = 500


def upgrade():
    op.create_table(
        "metric_loop_tallies",
        sa.Column("loop_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("bar_raiser_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["loop_id"], ["loops.id"], name="fk_metric_loop_tallies_loop_id_loops",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("loop_id", name="pk_metric_loop_tallies"),
    )
    op.create_index("ix_metric_loop_tallies_created_at", "metric_loop_tallies", ["created_at"])
    op.create_table(
        "metric_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("bar_raiser_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.CheckConstraint("grain IN ('all', 'unit', 'bar_raiser', 'unit_bar_raiser', 'requisition_bar_raiser', "
                           "'member_unit_bar_raiser', 'member_requisition_bar_raiser', "
                           "'reader', 'reader_unit_bar_raiser', 'reader_requisition_bar_raiser')",
                           name="ck_metric_rollups_grain"),
        sa.CheckConstraint("org_unit_id >= 0 AND requisition_id >= 0 AND bar_raiser_id >= 0 AND person_id >= 0",
                           name="ck_metric_rollups_keys"),
        sa.CheckConstraint("(grain LIKE 'reader%' OR grain LIKE 'member%') = (person_id > 0)",
                           name="ck_metric_rollups_person"),
        sa.PrimaryKeyConstraint("id", name="pk_metric_rollups"),
        sa.UniqueConstraint("grain", "month", "org_unit_id", "requisition_id", "bar_raiser_id", "person_id",
                            name="uq_metric_rollups_key"),
    )
    op.create_index("ix_metric_rollups_grain_unit_month", "metric_rollups", ["grain", "org_unit_id", "month"])
    op.create_index("ix_metric_rollups_grain_requisition_month", "metric_rollups",
                    ["grain", "requisition_id", "month"])
    op.create_index("ix_metric_rollups_grain_bar_raiser_month", "metric_rollups",
                    ["grain", "bar_raiser_id", "month"])
    op.create_index("ix_metric_rollups_grain_person_month", "metric_rollups", ["grain", "person_id", "month"])
    fill(op.get_bind())


def downgrade():
    op.drop_table("metric_rollups")
    op.drop_table("metric_loop_tallies")


# -- the fill: the counting rules of app/metrics/rollups.py at this revision ----------------------------------

def _t(name, *columns):
    return sa.table(name, *[column if not isinstance(column, str) else sa.column(column)
                            for column in columns])


def _time(name):
    return sa.column(name, sa.DateTime(timezone=True))


SEATS = ("recruiter_id", "hiring_manager_id", "bar_raiser_id", "shadow_id")
LOOPS = _t("loops", "id", "requisition_id", "recruiter_id", "hiring_manager_id", "bar_raiser_id", "shadow_id", "step",
           "status", _time("created_at"), _time("step_entered_at"), _time("closed_at"))
REQUISITIONS = _t("requisitions", "id", "org_unit_id")
DECISIONS = _t("debrief_decisions", "loop_id", "outcome", "verdict", _time("decided_at"))
INTERVIEWS = _t("interviews", "id", "loop_id", "kind", "interviewer_id", _time("starts_at"), "duration_minutes")
FEEDBACK = _t("feedback", "id", "interview_id", "author_id", "is_practice", "status", "vote", _time("submitted_at"))
FLAGS = _t("coaching_flags", "feedback_id", "rule")
TARGETS = _t("requisition_principles", "requisition_id", "principle_id")
ASSIGNED = _t("interview_principles", "interview_id", "principle_id")
AUDIT = _t("audit_entries", "id", "loop_id", "action", "from_state", "to_state", _time("at"))
TALLIES = _t("metric_loop_tallies", "loop_id", _time("created_at"), "org_unit_id", "requisition_id",
             "bar_raiser_id", sa.column("data", sa.JSON()))
ROLLUPS = _t("metric_rollups", "grain", sa.column("month", sa.Date()), "org_unit_id", "requisition_id",
             "bar_raiser_id", "person_id", sa.column("data", sa.JSON()))


def _utc(moment):
    return None if moment is None else (moment.replace(tzinfo=UTC) if moment.tzinfo is None
                                        else moment.astimezone(UTC))


def _us(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)


def fill(bind) -> None:
    loop_ids = [row[0] for row in bind.execute(sa.select(LOOPS.c.id).order_by(LOOPS.c.id))]
    sums = defaultdict(lambda: (Counter(), defaultdict(Counter)))
    for start in range(0, len(loop_ids), BATCH):
        tallies = _tallies(bind, loop_ids[start:start + BATCH])
        rows = []
        for loop_id, (keys, counts, values) in tallies.items():
            created_at, unit, requisition, bar_raiser = keys
            rows.append({"loop_id": loop_id, "created_at": _stored(bind, created_at), "org_unit_id": unit,
                         "requisition_id": requisition, "bar_raiser_id": bar_raiser, "data": _data(counts, values)})
            month = date(created_at.year, created_at.month, 1)
            general = Counter({name: n for name, n in counts.items() if not name.startswith(("r:", "p:", "w:"))})
            breakdown = Counter({name: general[name] for name in ("loops", "open", "verdicts", "vetoes")})
            parts = [((grain, month, u, r, b, 0), part, part_values) for grain, u, r, b, part, part_values in (
                ("all", 0, 0, 0, general, values), ("unit", unit, 0, 0, breakdown, {}),
                ("bar_raiser", 0, 0, bar_raiser, breakdown, {}), ("unit_bar_raiser", unit, 0, bar_raiser, general, values),
                ("requisition_bar_raiser", 0, requisition, bar_raiser, general, values))]
            readers = defaultdict(Counter)
            for name, n in counts.items():
                if name.startswith("r:"):
                    _, reader, rest = name.split(":", 2)
                    readers[int(reader)][rest] += n
            for reader, part in readers.items():
                parts += [((grain, month, u, r, b, reader), part, {}) for grain, u, r, b in (
                    ("reader", 0, 0, 0), ("reader_unit_bar_raiser", unit, 0, bar_raiser),
                    ("reader_requisition_bar_raiser", 0, requisition, bar_raiser))]
            unwatched = {name: listed for name, listed in values.items() if name != "turnaround"}
            for name in counts:
                if name.startswith("p:"):
                    member = int(name[2:])
                    seen = values if counts[f"w:{member}"] else unwatched
                    parts += [((grain, month, u, r, b, member), general, seen) for grain, u, r, b in (
                        ("member_unit_bar_raiser", unit, 0, bar_raiser),
                        ("member_requisition_bar_raiser", 0, requisition, bar_raiser))]
            for key, part_counts, part_values in parts:
                total_counts, total_values = sums[key]
                total_counts.update(part_counts)
                for name, listed in part_values.items():
                    total_values[name].update(listed)
        if rows:
            bind.execute(TALLIES.insert(), rows)
    rows = [{"grain": key[0], "month": key[1], "org_unit_id": key[2], "requisition_id": key[3],
             "bar_raiser_id": key[4], "person_id": key[5], "data": _data(counts, values)}
            for key, (counts, values) in sorted(sums.items())]
    for start in range(0, len(rows), BATCH):
        bind.execute(ROLLUPS.insert(), rows[start:start + BATCH])


def _stored(bind, moment):
    return moment.replace(tzinfo=None) if bind.dialect.name == "sqlite" else moment


def _data(counts: Counter, values) -> dict:
    return {"c": {name: n for name, n in sorted(counts.items()) if n},
            "v": {name: sorted(Counter(listed).elements()) for name, listed in sorted(values.items())
                  if any(Counter(listed).values())}}


def _tallies(bind, ids):
    loops = bind.execute(
        sa.select(LOOPS.c.id, LOOPS.c.created_at, REQUISITIONS.c.org_unit_id, LOOPS.c.requisition_id,
                  LOOPS.c.step, LOOPS.c.status, LOOPS.c.step_entered_at, LOOPS.c.closed_at,
                  DECISIONS.c.decided_at, DECISIONS.c.outcome, DECISIONS.c.verdict, *(LOOPS.c[s] for s in SEATS))
        .select_from(LOOPS.join(REQUISITIONS, REQUISITIONS.c.id == LOOPS.c.requisition_id)
                     .outerjoin(DECISIONS, DECISIONS.c.loop_id == LOOPS.c.id))
        .where(LOOPS.c.id.in_(ids))).all()
    interviews = defaultdict(list)
    for loop_id, interview_id, kind, interviewer_id, starts_at, minutes in bind.execute(
            sa.select(INTERVIEWS.c.loop_id, INTERVIEWS.c.id, INTERVIEWS.c.kind, INTERVIEWS.c.interviewer_id,
                      INTERVIEWS.c.starts_at, INTERVIEWS.c.duration_minutes).where(INTERVIEWS.c.loop_id.in_(ids))):
        interviews[loop_id].append((interview_id, kind, interviewer_id, _utc(starts_at) + timedelta(minutes=minutes)))
    submitted = defaultdict(list)  # interview -> (feedback id, author, practice?, submitted at, vote)
    for interview_id, *feedback in bind.execute(
            sa.select(FEEDBACK.c.interview_id, FEEDBACK.c.id, FEEDBACK.c.author_id, FEEDBACK.c.is_practice,
                      FEEDBACK.c.submitted_at, FEEDBACK.c.vote)
            .select_from(FEEDBACK.join(INTERVIEWS, INTERVIEWS.c.id == FEEDBACK.c.interview_id))
            .where(INTERVIEWS.c.loop_id.in_(ids), FEEDBACK.c.status == "submitted")):
        feedback_id, author, practice, at, vote = feedback
        submitted[interview_id].append((feedback_id, author, bool(practice), _utc(at), vote))
    flags = defaultdict(set)
    for feedback_id, rule in bind.execute(
            sa.select(FLAGS.c.feedback_id, FLAGS.c.rule)
            .select_from(FLAGS.join(FEEDBACK, FEEDBACK.c.id == FLAGS.c.feedback_id)
                         .join(INTERVIEWS, INTERVIEWS.c.id == FEEDBACK.c.interview_id))
            .where(INTERVIEWS.c.loop_id.in_(ids))):
        flags[feedback_id].add(rule)
    targets = defaultdict(set)
    for requisition_id, principle_id in bind.execute(
            sa.select(TARGETS.c.requisition_id, TARGETS.c.principle_id)
            .where(TARGETS.c.requisition_id.in_({row.requisition_id for row in loops}))):
        targets[requisition_id].add(principle_id)
    assigned = set(bind.execute(
        sa.select(INTERVIEWS.c.loop_id, ASSIGNED.c.principle_id).distinct()
        .select_from(INTERVIEWS.join(ASSIGNED, ASSIGNED.c.interview_id == INTERVIEWS.c.id))
        .where(INTERVIEWS.c.kind == "in_house", INTERVIEWS.c.loop_id.in_(ids))).all())
    moves = defaultdict(list)
    for loop_id, from_state, to_state, at in bind.execute(
            sa.select(AUDIT.c.loop_id, AUDIT.c.from_state, AUDIT.c.to_state, AUDIT.c.at)
            .where(AUDIT.c.action == "loop.advanced", AUDIT.c.loop_id.in_(ids))
            .order_by(AUDIT.c.loop_id, AUDIT.c.at, AUDIT.c.id)):
        moves[loop_id].append((STEPS.get(from_state), STEPS.get(to_state), _utc(at)))

    result = {}
    for row in loops:
        counts, values = Counter(), defaultdict(list)
        is_open = row.status == "open"
        counts["loops"] += 1
        counts["open"] += is_open
        counts[f"step:{row.step}"] += 1
        vetoed = row.status == "not_hired" and row.verdict == "veto"
        counts["outcome:" + ("Vetoed" if vetoed else STATUS_LABELS[row.status])] += 1
        counts["verdicts"] += row.verdict is not None
        counts["vetoes"] += row.verdict == "veto"
        if row.step >= 4:
            wanted = targets[row.requisition_id]
            counts["coverage_loops"] += 1
            counts["covered"] += bool(wanted) and all((row.id, p) in assigned for p in wanted)
            for principle_id in wanted:
                counts[f"targeted:{principle_id}"] += 1
                counts[f"uncovered:{principle_id}"] += (row.id, principle_id) not in assigned
        in_house_ends = []
        for interview_id, kind, _, ends in interviews[row.id]:
            values["turnaround"].extend(_us(at - ends) for _, _, practice, at, _ in submitted[interview_id]
                                        if not practice)
            if kind == "in_house":
                in_house_ends.append(ends)
        _readers(counts, row, interviews[row.id], submitted, flags)
        if row.decided_at is not None and in_house_ends:
            values["decision"].append(_us(_utc(row.decided_at) - max(in_house_ends)))
        if not is_open:
            entered = {2: _utc(row.created_at)}
            left = {}
            for from_step, to_step, at in moves[row.id]:
                if from_step:
                    left[from_step] = at
                if to_step:
                    entered[to_step] = at
            entered[row.step] = _utc(row.step_entered_at)
            for step, began in entered.items():
                end = left.get(step)
                if end is None:
                    if step != row.step:
                        continue
                    end = _utc(row.closed_at)
                values[f"stay:{step}"].append(max(_us(end - began), 0))
        result[row.id] = ((_utc(row.created_at), row.org_unit_id, row.requisition_id, row.bar_raiser_id or 0),
                          counts, values)
    return result


def _readers(counts, row, interviews, submitted, flags) -> None:
    """Mark the participants (and who of them watches submissions); count the votes and flags each may read."""
    readers = {getattr(row, seat) for seat in SEATS} | {i[2] for i in interviews}
    readers.discard(None)
    for person in readers:
        counts[f"p:{person}"] = 1
    for seat in ("recruiter_id", "hiring_manager_id", "bar_raiser_id"):
        if getattr(row, seat) is not None:
            counts[f"w:{getattr(row, seat)}"] = 1
    if row.outcome is None:
        result = "undecided"
    elif row.outcome == "no_hire" or row.verdict == "veto":
        result = "no_hire"
    else:
        result = "hire" if row.verdict == "concur" else "undecided"
    firsts = [(interviewer_id, feedback) for interview_id, kind, interviewer_id, _ in interviews if kind == "in_house"
              for feedback in submitted[interview_id] if not feedback[2]]
    if not firsts:
        return
    for reader in readers:
        own = [i[0] for i in interviews if i[2] == reader]
        if own:
            if not all(any(f[1] == reader for f in submitted[interview_id]) for interview_id in own):
                continue
        elif row.step < 6:
            continue
        for interviewer_id, (feedback_id, _, _, _, vote) in firsts:
            counts[f"r:{reader}:vote:{interviewer_id}:{vote}:{result}"] += 1
            counts[f"r:{reader}:sealed:{interviewer_id}"] += 1
            for rule in flags[feedback_id]:
                counts[f"r:{reader}:flag:{interviewer_id}:{rule}"] += 1
