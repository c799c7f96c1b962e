"""Keep the metrics rollups: each loop's tally and their monthly sums, in the transaction that changes the loop.

Every flush that adds, changes or removes a loop, an interview, counted
feedback, a debrief decision, a final vote or a step move marks the loops it
touches; after the flush writes them, `refresh` works out those loops' tallies
again from the records, in a few statements whatever their number, and moves
each rollup row by the difference. So the services (and anything else writing through the
session) keep the rollups right without a call of their own; writers that go
around the session (the bench builder) call `rebuild`, as does `flask
rebuild-metrics`.

What a tally holds (see `_tallies`): the loop, whether it is open, its step
and outcome; at step 4 or later its coverage (each target principle, and
whether it is left uncovered); the bar raiser's verdict and veto; every counted
feedback's time from interview end to submission; the time from the last
in-house interview to the decision; its stay in each step it has left (and,
once closed, in its last); its participants; and, per participant the blind rule lets read them,
the first votes and coaching flags (counts only: the drill-down to votes
still reads the records through the blind rule); and, once decided, whether
the bar raiser's call (their verdict, else their final vote, else their first)
matched the decision, kept by the per-bar-raiser rows alone (the program page
reads them). An open loop's stay in its current step grows with the clock: the page
works that out from the open loops themselves (`timing.current_stays`), with no
need of their trail.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, event, insert, literal, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from app.audit.models import AuditEntry
from app.debrief.models import DebriefDecision, FinalVote, Outcome, Verdict
from app.extensions import db
from app.feedback.models import Feedback, FeedbackStatus, Vote
from app.interviews.models import Interview, InterviewKind, interview_principles
from app.kits.models import CoachingFlag
from app.loops.models import SEATED_ROLES, STEP_LABELS, Loop, LoopStatus, Step
from app.metrics.calibration import result_of
from app.metrics.models import LoopTally, MetricRollup, ReadableCounts, periods
from app.metrics.tally import BREAKDOWN, RECORD, Tally, kept_duration, month_of
from app.requisitions.models import Requisition, requisition_principles

STEP_BY_LABEL = {label: step for step, label in STEP_LABELS.items()}
NEVER = datetime(1970, 1, 1, tzinfo=UTC)  # an empty tally's date: it adds nothing to any month
EMPTY = {"c": {}, "v": {}}
BATCH = 500
KEY = (MetricRollup.grain, MetricRollup.span, MetricRollup.month, MetricRollup.org_unit_id,
       MetricRollup.requisition_id, MetricRollup.bar_raiser_id, MetricRollup.person_id)


def outcome_of(status: str, verdict: str | None) -> str:
    """Name how a loop stands, as the Outcomes table does: a No hire after a veto is "Vetoed"."""
    if status == LoopStatus.NOT_HIRED and verdict == Verdict.VETO:
        return "Vetoed"
    return LoopStatus(status).label


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def loop_tallies(connection, loop_ids: Iterable[int]) -> dict[int, tuple[tuple, Tally]]:
    """Work out each loop's tally from the records, with its keys (created_at, org unit, requisition, bar raiser)."""
    result = {}
    for ids in _chunks(sorted(set(loop_ids))):
        result.update(_tallies(connection, ids))
    return result


def _tallies(connection, ids: list[int]) -> dict[int, tuple[tuple, Tally]]:
    loops = connection.execute(
        select(Loop.id, Loop.created_at, Requisition.org_unit_id, Loop.requisition_id, Loop.bar_raiser_id, Loop.step,
               Loop.status, Loop.step_entered_at, Loop.closed_at, DebriefDecision.decided_at,
               DebriefDecision.outcome, DebriefDecision.verdict,
               *(getattr(Loop, f"{role}_id") for role in SEATED_ROLES))
        .join(Requisition, Requisition.id == Loop.requisition_id)
        .outerjoin(DebriefDecision, DebriefDecision.loop_id == Loop.id).where(Loop.id.in_(ids))
    ).all()
    interviews = defaultdict(list)
    for loop_id, interview_id, kind, interviewer_id, starts_at, minutes in connection.execute(
            select(Interview.loop_id, Interview.id, Interview.kind, Interview.interviewer_id, Interview.starts_at,
                   Interview.duration_minutes).where(Interview.loop_id.in_(ids))):
        interviews[loop_id].append((interview_id, kind, interviewer_id, starts_at + timedelta(minutes=minutes)))
    submitted = defaultdict(list)  # interview -> (feedback, author, practice?, submitted at, vote)
    for row in connection.execute(
            select(Feedback.interview_id, Feedback.id, Feedback.author_id, Feedback.is_practice, Feedback.submitted_at,
                   Feedback.vote).join(Interview, Interview.id == Feedback.interview_id)
            .where(Interview.loop_id.in_(ids), Feedback.status == FeedbackStatus.SUBMITTED)):
        submitted[row.interview_id].append(row)
    flags = defaultdict(set)
    for feedback_id, rule in connection.execute(
            select(CoachingFlag.feedback_id, CoachingFlag.rule).join(Feedback, Feedback.id == CoachingFlag.feedback_id)
            .join(Interview, Interview.id == Feedback.interview_id).where(Interview.loop_id.in_(ids))):
        flags[feedback_id].add(rule)
    targets = defaultdict(set)
    for requisition_id, principle_id in connection.execute(
            select(requisition_principles.c.requisition_id, requisition_principles.c.principle_id)
            .where(requisition_principles.c.requisition_id.in_({row.requisition_id for row in loops}))):
        targets[requisition_id].add(principle_id)
    assigned = set(connection.execute(
        select(Interview.loop_id, interview_principles.c.principle_id).distinct()
        .join(interview_principles, interview_principles.c.interview_id == Interview.id)
        .where(Interview.kind == InterviewKind.IN_HOUSE, Interview.loop_id.in_(ids))).all())
    moves = defaultdict(list)
    for loop_id, from_state, to_state, at in connection.execute(
            select(AuditEntry.loop_id, AuditEntry.from_state, AuditEntry.to_state, AuditEntry.at)
            .where(AuditEntry.action == "loop.advanced", AuditEntry.loop_id.in_(ids))
            .order_by(AuditEntry.loop_id, AuditEntry.at, AuditEntry.id)):
        moves[loop_id].append((STEP_BY_LABEL.get(from_state), STEP_BY_LABEL.get(to_state), at))

    final_votes = {(loop_id, who): vote for loop_id, who, vote in connection.execute(
        select(FinalVote.loop_id, FinalVote.interviewer_id, FinalVote.vote).where(FinalVote.loop_id.in_(ids)))}

    result = {}
    for row in loops:
        tally = Tally()
        is_open = row.status == LoopStatus.OPEN
        tally.count("loops")
        tally.count("open", is_open)
        tally.count(f"step:{row.step}")
        tally.count(f"outcome:{outcome_of(row.status, row.verdict)}")
        tally.count("verdicts", row.verdict is not None)
        tally.count("vetoes", row.verdict == Verdict.VETO)
        if row.step >= Step.IN_HOUSE_INTERVIEWS:
            wanted = targets[row.requisition_id]
            tally.count("coverage_loops")
            tally.count("covered", bool(wanted) and all((row.id, p) in assigned for p in wanted))
            for principle_id in wanted:
                tally.count(f"targeted:{principle_id}")
                tally.count(f"uncovered:{principle_id}", (row.id, principle_id) not in assigned)
        in_house_ends = []
        for interview_id, kind, _, ends in interviews[row.id]:
            for feedback in submitted[interview_id]:
                if not feedback.is_practice:
                    tally.value("turnaround", kept_duration(feedback.submitted_at - ends))
            if kind == InterviewKind.IN_HOUSE:
                in_house_ends.append(ends)
        _count_readers(tally, row, interviews[row.id], submitted, flags)
        _count_record(tally, row, interviews[row.id], submitted, final_votes)
        if row.decided_at is not None and in_house_ends:
            tally.value("decision", kept_duration(row.decided_at - max(in_house_ends)))
        for step, stay in _stays(row, moves[row.id], is_open):
            tally.value(f"stay:{step}", stay)
        keys = (row.created_at, row.org_unit_id, row.requisition_id, row.bar_raiser_id or 0)
        result[row.id] = (keys, tally)
    return result


def _count_readers(tally: Tally, row, interviews: list, submitted: dict, flags: dict) -> None:
    """Mark the loop's participants (`p:<id>`, and `w:<id>` for those who watch its submissions), and count
    its first votes and coaching flags for each participant the blind rule lets read them.

    The rule is `calibration.others_readable`'s: a participant with interviews of their own
    reads the others' feedback once they have submitted feedback for each; one without, once
    the loop reached the debrief. Counts are named `r:<reader>:...` (see `Tally.readers`).
    """
    readers = {getattr(row, f"{role}_id") for role in SEATED_ROLES} | {i[2] for i in interviews}
    readers.discard(None)
    for person in readers:
        tally.count(f"p:{person}")
    for person in {row.recruiter_id, row.hiring_manager_id, row.bar_raiser_id} - {None}:
        tally.count(f"w:{person}")
    result = {True: "hire", False: "no_hire", None: "undecided"}[result_of(row.outcome, row.verdict)]
    firsts = [(interviewer_id, feedback) for interview_id, kind, interviewer_id, _ in interviews
              if kind == InterviewKind.IN_HOUSE
              for feedback in submitted[interview_id] if not feedback.is_practice]
    if not firsts:
        return
    for reader in readers:
        own = [i[0] for i in interviews if i[2] == reader]
        if own:
            if not all(any(f.author_id == reader for f in submitted[interview_id]) for interview_id in own):
                continue
        elif row.step < Step.DEBRIEF:
            continue
        for interviewer_id, feedback in firsts:
            tally.count(f"r:{reader}:vote:{interviewer_id}:{feedback.vote}:{result}")
            tally.count(f"r:{reader}:sealed:{interviewer_id}")
            for rule in flags[feedback.id]:
                tally.count(f"r:{reader}:flag:{interviewer_id}:{rule}")


def _count_record(tally: Tally, row, interviews: list, submitted: dict, final_votes: dict) -> None:
    """Count a decided debrief for its bar raiser, and whether their call matched the hiring manager's decision.

    Their call is their verdict where they gave one (concur is a hire, a veto is not), else their
    vote at the debrief: the final one if recorded, else their counted first vote.
    """
    if row.outcome is None:
        return
    tally.count("decided")
    if row.verdict is not None:
        says_hire = row.verdict == Verdict.CONCUR
    else:
        vote = final_votes.get((row.id, row.bar_raiser_id))
        if vote is None:
            vote = next((f.vote for interview_id, kind, _, _ in interviews if kind == InterviewKind.IN_HOUSE
                         for f in submitted[interview_id]
                         if f.author_id == row.bar_raiser_id and not f.is_practice), None)
        if vote is None:
            return
        says_hire = Vote(vote).is_positive
    tally.count("agreed", says_hire == (row.outcome == Outcome.HIRE))


def _stays(row, moves, is_open: bool) -> list[tuple[int, int]]:
    """A loop's finished stays in each step, as `timing.step_times` measures them, in microseconds: an open
    loop's in the steps it has left (a loop never goes back), a closed loop's in every step."""
    entered: dict[int, datetime] = {Step.RESUME_REVIEW: row.created_at}
    left: dict[int, datetime] = {}
    for from_step, to_step, at in moves:
        if from_step:
            left[from_step] = at
        if to_step:
            entered[to_step] = at
    entered[row.step] = row.step_entered_at
    stays = []
    for step, start in entered.items():
        end = left.get(step)
        if end is None:
            if step != row.step or is_open:
                continue  # a gap in the trail (no honest number for this stay), or the stay goes on
            end = row.closed_at
        stays.append((int(step), kept_duration(max(end - start, timedelta(0)))))
    return stays


def contributions(keys: tuple, tally: Tally, months_only: bool = False) -> list[tuple[tuple, Tally]]:
    """The rollup rows a loop's tally adds to, each with the part it adds: one per grain, and per reader, in its
    month, its year and all time (with `months_only`, its month alone)."""
    created_at, unit, requisition, bar_raiser = keys
    spans = periods(month_of(created_at))[:1 if months_only else None]
    general, readers, members = tally.split()
    # The company-wide split by org unit and by bar raiser feeds two tables of counts: they keep those alone,
    # and the per-bar-raiser rows the bar raiser's record besides (the program page's), which no other row keeps.
    breakdown, record = general.only(BREAKDOWN), general.only(BREAKDOWN + RECORD)
    general = general.less(RECORD)
    parts = [((grain, u, r, b, 0), part) for grain, u, r, b, part in (
        ("all", 0, 0, 0, general), ("unit", unit, 0, 0, breakdown), ("bar_raiser", 0, 0, bar_raiser, record),
        ("unit_bar_raiser", unit, 0, bar_raiser, general),
        ("requisition_bar_raiser", 0, requisition, bar_raiser, general))]
    for reader, part in readers.items():
        parts += [((grain, u, r, b, reader), part) for grain, u, r, b in (
            ("reader", 0, 0, 0), ("reader_unit_bar_raiser", unit, 0, bar_raiser),
            ("reader_requisition_bar_raiser", 0, requisition, bar_raiser))]
    # A participant counts the loop; its submission times only if they recruit, hire or raise the bar on it.
    unwatched = general.without("turnaround")
    for member, watches in members.items():
        part = general if watches else unwatched
        parts += [((grain, u, r, b, member), part) for grain, u, r, b in (
            ("member_unit_bar_raiser", unit, 0, bar_raiser),
            ("member_requisition_bar_raiser", 0, requisition, bar_raiser))]
    # A requisition's loops span months, not years: its rows are kept by month alone (read so by app/metrics/rolled.py).
    return [((grain, span, start, u, r, b, person), part)
            for (grain, u, r, b, person), part in parts for span, start in (spans[:1] if r else spans)]


def _insert(connection):
    """INSERT with ON CONFLICT DO NOTHING, in the two databases the app runs on."""
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[connection.dialect.name]


def _columns(key: tuple) -> dict:
    grain, span, month, unit, requisition, bar_raiser, reader = key
    return {"grain": grain, "span": span, "month": month, "org_unit_id": unit, "requisition_id": requisition,
            "bar_raiser_id": bar_raiser, "person_id": reader}


# The grains whose counts the tables per org unit and per bar raiser sum, and the columns keeping them (`BREAKDOWN`).
BREAKDOWN_GRAINS = ("unit", "bar_raiser")
BREAKDOWN_COLUMNS = dict(zip(("loops", "open_loops", "verdicts", "vetoes"), BREAKDOWN, strict=True))


def breakdown_columns(grain: str, tally: Tally) -> dict[str, int]:
    """The breakdown counts a rollup row keeps in columns: its own on the breakdown grains, 0 on the others."""
    kept = grain in BREAKDOWN_GRAINS
    return {column: tally[name] if kept else 0 for column, name in BREAKDOWN_COLUMNS.items()}


def is_readable_row(key: tuple) -> bool:
    """Whether a rollup key is a reader's all-time counts for the whole company, kept per interviewer instead."""
    return key[0] == "reader" and key[1] == "all"


def per_interviewer(reader: int, tally: Tally) -> dict[tuple[int, int], Tally]:
    """A reader's counts (`vote:<interviewer>:<vote>:<result>`, `sealed:<interviewer>`,
    `flag:<interviewer>:<rule>`) split per (reader, interviewer), named without the interviewer."""
    parts: dict[tuple[int, int], Tally] = {}
    for name, n in tally.counts.items():
        kind, interviewer, *rest = name.split(":")
        part = parts.get((reader, int(interviewer)))
        if part is None:
            part = parts[(reader, int(interviewer))] = Tally()
        part.count(":".join((kind, *rest)), n)
    return parts


def readable_row(counts: Tally) -> dict:
    """The columns of a `ReadableCounts` row holding one interviewer's counts."""
    named = {name: n for name, n in sorted(counts.counts.items()) if n and name != "sealed"}
    return {"votes": sum(n for name, n in named.items() if name.startswith("vote:")), "sealed": counts["sealed"],
            "flags": sum(n for name, n in named.items() if name.startswith("flag:")), "counts": named}


def apply(connection, deltas: dict[tuple, Tally]) -> None:
    """Move each rollup row by its delta: made when missing, locked, updated in place. A reader's all-time counts
    for the whole company move their rows per interviewer (`ReadableCounts`), locked after the rollup rows."""
    deltas = {key: delta for key, delta in deltas.items() if not delta.is_empty}
    readable: dict[tuple[int, int], Tally] = {}
    for key in [key for key in deltas if is_readable_row(key)]:
        readable.update(per_interviewer(key[-1], deltas.pop(key)))
    _apply_rollups(connection, deltas)
    _apply_readable(connection, readable)


def _apply_rollups(connection, deltas: dict[tuple, Tally]) -> None:
    if not deltas:
        return
    keys = sorted(deltas)
    connection.execute(_insert(connection)(MetricRollup).values([{**_columns(k), "data": {}} for k in keys])
                       .on_conflict_do_nothing())
    # Locked in one order by every writer, so two transactions moving the same months never deadlock. The keys
    # are written into the statement: run again and again with parameters, it may be given a generic plan,
    # which PostgreSQL reads by a shorter index, filtering thousands of rows per key.
    listed = bindparam("keys", keys, expanding=True, literal_execute=True)
    rows = connection.execute(
        select(MetricRollup.id, *KEY, MetricRollup.data).where(tuple_(*KEY).in_(listed)).order_by(*KEY)
        .with_for_update()).all()
    changed = []
    for row in rows:
        tally = Tally(row.data)
        tally.add(deltas[tuple(row[1:8])])
        # A row that comes to nothing stays (empty): deleted, a writer waiting on it would lose its change.
        changed.append({"row_id": row.id, "data": tally.as_data(),
                        **{f"new_{name}": n for name, n in breakdown_columns(row.grain, tally).items()}})
    if changed:
        connection.execute(update(MetricRollup).where(MetricRollup.id == bindparam("row_id"))
                           .values(data=bindparam("data", type_=MetricRollup.data.type),
                                   **{name: bindparam(f"new_{name}") for name in BREAKDOWN_COLUMNS}), changed)


READABLE_KEY = (ReadableCounts.reader_id, ReadableCounts.interviewer_id)


def _apply_readable(connection, deltas: dict[tuple[int, int], Tally]) -> None:
    """Move each (reader, interviewer) row by its delta, as `apply` moves the rollup rows."""
    deltas = {key: delta for key, delta in deltas.items() if not delta.is_empty}
    if not deltas:
        return
    keys = sorted(deltas)
    connection.execute(_insert(connection)(ReadableCounts).values(
        [{"reader_id": reader, "interviewer_id": interviewer, "votes": 0, "sealed": 0, "flags": 0, "counts": {}}
         for reader, interviewer in keys]).on_conflict_do_nothing())
    listed = bindparam("keys", keys, expanding=True, literal_execute=True)
    changed = []
    for row in connection.execute(
            select(*READABLE_KEY, ReadableCounts.sealed, ReadableCounts.counts)
            .where(tuple_(*READABLE_KEY).in_(listed)).order_by(*READABLE_KEY).with_for_update()):
        counts = Tally({"c": {**row.counts, "sealed": row.sealed}})
        counts.add(deltas[(row.reader_id, row.interviewer_id)])
        # A row that comes to nothing stays (all counts 0): the tables list only those with sealed feedback.
        changed.append({"row_reader": row.reader_id, "row_interviewer": row.interviewer_id,
                        **{f"new_{name}": value for name, value in readable_row(counts).items()}})
    connection.execute(
        update(ReadableCounts).where(ReadableCounts.reader_id == bindparam("row_reader"),
                                     ReadableCounts.interviewer_id == bindparam("row_interviewer"))
        .values(votes=bindparam("new_votes"), sealed=bindparam("new_sealed"), flags=bindparam("new_flags"),
                counts=bindparam("new_counts", type_=ReadableCounts.counts.type)), changed)


def refresh(connection, loop_ids: Iterable[int]) -> None:
    """Bring these loops' tallies, and the rollups they add to, in line with the records.

    Rows are changed in place, never deleted and made again: a second writer waiting on a
    tally's or a rollup's lock then reads it as the first left it (PostgreSQL's READ
    COMMITTED re-reads a locked row), and the records as the first committed them.
    """
    loop_ids = sorted(set(loop_ids))
    if not loop_ids:
        return
    for ids in _chunks(loop_ids):
        # An empty tally for a loop counted for the first time, so that there is a row to lock.
        connection.execute(_insert(connection)(LoopTally).from_select(
            ["loop_id", "created_at", "org_unit_id", "requisition_id", "bar_raiser_id", "data"],
            select(Loop.id, literal(NEVER, LoopTally.created_at.type), literal(0), literal(0), literal(0),
                   literal(EMPTY, LoopTally.data.type)).where(Loop.id.in_(ids))).on_conflict_do_nothing())
        # (`readers` takes its default: no counts.)
    old = {}
    for ids in _chunks(loop_ids):
        old.update({row.loop_id: row for row in connection.execute(
            select(LoopTally).where(LoopTally.loop_id.in_(ids)).order_by(LoopTally.loop_id).with_for_update())})
    new = loop_tallies(connection, loop_ids)  # read after the locks: what an earlier writer committed is seen
    deltas: dict[tuple, Tally] = defaultdict(Tally)
    changed = []
    for loop_id in loop_ids:
        before, after = old.get(loop_id), new.get(loop_id)
        if before is not None:
            keys = (before.created_at, before.org_unit_id, before.requisition_id, before.bar_raiser_id)
            stored = stored_tally(before)
            if after is not None and after[0] == keys and stored.as_data() == after[1].as_data():
                continue
            for key, part in contributions(keys, stored):
                deltas[key].add(part, -1)
        if after is not None:
            for key, part in contributions(*after):
                deltas[key].add(part)
            changed.append({f"new_{name}": value for name, value in _tally_row(loop_id, *after).items()})
    if changed:
        connection.execute(
            update(LoopTally).where(LoopTally.loop_id == bindparam("new_loop_id"))
            .values(created_at=bindparam("new_created_at", type_=LoopTally.created_at.type),
                    org_unit_id=bindparam("new_org_unit_id"), requisition_id=bindparam("new_requisition_id"),
                    bar_raiser_id=bindparam("new_bar_raiser_id"),
                    data=bindparam("new_data", type_=LoopTally.data.type),
                    readers=bindparam("new_readers", type_=LoopTally.readers.type)), changed)
    apply(connection, deltas)


def _tally_row(loop_id: int, keys: tuple, tally: Tally) -> dict:
    created_at, unit, requisition, bar_raiser = keys
    data = tally.as_data()
    readers = {name: n for name, n in data["c"].items() if name.startswith("r:")}
    data["c"] = {name: n for name, n in data["c"].items() if not name.startswith("r:")}
    return {"loop_id": loop_id, "created_at": created_at, "org_unit_id": unit, "requisition_id": requisition,
            "bar_raiser_id": bar_raiser, "data": data, "readers": readers}


def stored_tally(row) -> Tally:
    """A loop's tally as its row keeps it: the counts in `data` and the readers' in `readers`."""
    return Tally({"c": {**row.data.get("c", {}), **(row.readers or {})}, "v": row.data.get("v", {})})


def rebuild(connection) -> int:
    """Make every tally and rollup again from the records; return the number of loops counted.

    Run in the caller's transaction: the tables are emptied and refilled at once, so
    nobody ever reads half of them.
    """
    connection.execute(delete(MetricRollup))
    connection.execute(delete(ReadableCounts))
    connection.execute(delete(LoopTally))
    loop_ids = list(connection.scalars(select(Loop.id).order_by(Loop.id)))
    sums: dict[tuple, Tally] = defaultdict(Tally)
    for ids in _chunks(loop_ids):
        tallies = loop_tallies(connection, ids)
        connection.execute(insert(LoopTally), [_tally_row(i, *tallies[i]) for i in ids])
        for keys, tally in tallies.values():
            for key, part in contributions(keys, tally, months_only=True):
                sums[key].add(part)
    # A year's and all time's rows are the sums of the months': far fewer additions than loop by loop.
    for (grain, _, month, unit, requisition, *rest), tally in list(sums.items()):
        for span, start in periods(month)[1:] if not requisition else ():
            sums[(grain, span, start, unit, requisition, *rest)].add(tally)
    readable: dict[tuple[int, int], Tally] = {}
    for key in [key for key in sums if is_readable_row(key)]:
        readable.update(per_interviewer(key[-1], sums.pop(key)))
    # Written a batch at a time, each sum let go once written: a big company's are millions of rows.
    keys = sorted(sums)
    for start in range(0, len(keys), BATCH):
        rows = []
        for key in keys[start:start + BATCH]:
            tally = sums.pop(key)
            data = tally.as_data()
            if data["c"] or data["v"]:
                rows.append({**_columns(key), "data": data, **breakdown_columns(key[0], tally)})
        if rows:
            connection.execute(insert(MetricRollup), rows)
    keys = sorted(readable)
    for start in range(0, len(keys), BATCH):
        rows = [{"reader_id": reader, "interviewer_id": interviewer, **readable_row(counts)}
                for (reader, interviewer), counts in ((key, readable.pop(key)) for key in keys[start:start + BATCH])
                if not counts.is_empty]
        if rows:
            connection.execute(insert(ReadableCounts), rows)
    return len(loop_ids)


# -- marking the loops a flush touches ---------------------------------------------------------------------

PENDING = "metrics_loops"


def _loop_of(obj):
    """The loop (or its id) an object changes the metrics of, or None."""
    if isinstance(obj, Loop):
        return obj
    if isinstance(obj, Interview | DebriefDecision | FinalVote):
        return obj.loop_id or obj.loop
    if isinstance(obj, Feedback):
        interview = obj.interview
        return None if interview is None else (interview.loop_id or interview.loop)
    if isinstance(obj, AuditEntry) and obj.action == "loop.advanced":
        return obj.loop_id
    if isinstance(obj, CoachingFlag):
        return ("feedback", obj.feedback_id)
    return None


def _mark(session, flush_context, instances) -> None:
    pending = session.info.setdefault(PENDING, [])
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Feedback) and obj not in session.deleted and obj.status != FeedbackStatus.SUBMITTED \
                and not db.inspect(obj).attrs.status.history.has_changes():
            continue  # a draft saved again: nothing the metrics count
        loop = _loop_of(obj)
        if loop is not None:
            pending.append(loop)


def _refresh_marked(session, flush_context) -> None:
    pending = session.info.pop(PENDING, [])
    connection = session.connection()
    feedback_ids = {item[1] for item in pending if isinstance(item, tuple)}
    ids = {item if isinstance(item, int) else item.id for item in pending if not isinstance(item, tuple)}
    if feedback_ids:
        ids.update(connection.scalars(select(Interview.loop_id).join(Feedback, Feedback.interview_id == Interview.id)
                                      .where(Feedback.id.in_(feedback_ids))))
    ids.discard(None)
    if ids:
        refresh(connection, ids)


def _forget_marked(session, previous_transaction=None) -> None:
    """A rolled-back flush leaves nothing to refresh: its records never were."""
    session.info.pop(PENDING, None)


def listen() -> None:
    """Keep the rollups on every flush of the app's session (once per process)."""
    if not event.contains(db.session, "before_flush", _mark):
        event.listen(db.session, "before_flush", _mark)
        event.listen(db.session, "after_flush_postexec", _refresh_marked)
        event.listen(db.session, "after_soft_rollback", _forget_marked)
