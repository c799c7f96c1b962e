"""The metrics rollups: kept on every change, rebuilt from the records, and always the figures of the direct count.

A property test builds random small companies (loops at every step and ending,
feedback submitted late and early, votes, decisions and vetoes, coaching
flags, step moves, dates spread over eighteen months), then changes some of
them, and checks that (a) the rollups the flushes kept, (b) the rollups
`rebuild` makes from the records, and (c) the direct queries of the records
all give the same figures, for several periods and filters.
"""

import json
from datetime import timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.audit.services import record
from app.db_types import utcnow
from app.debrief.models import DebriefDecision, FinalVote, Outcome, Verdict
from app.extensions import db
from app.feedback.models import Feedback, FeedbackStatus, Vote
from app.interviews.models import InterviewKind
from app.kits.coaching import RULES
from app.kits.models import CoachingFlag
from app.loops.models import Loop, LoopStatus, Step
from app.metrics import tally
from app.metrics.models import LoopTally, MetricRollup, ReadableCounts
from app.metrics.rollups import BREAKDOWN_COLUMNS, rebuild
from app.metrics.scope import Filters, Scope
from app.metrics.services import Metrics
from app.metrics.tally import Tally
from app.people.models import User
from tests import factories

NOW = utcnow().replace(microsecond=0)
DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


# -- what the page shows, in a form two computations can be compared in ---------------------------------------

def figures(m: Metrics) -> dict:
    t, d, s, c = m.turnaround, m.decision_time, m.step_times, m.coverage
    return {
        "turnaround": (t.hours.items(), t.on_time, t.missing_late, t.median_hours, t.on_time_share, t.buckets),
        "decision": (d.days.items(), d.median_days, d.buckets),
        "steps": [(x.step, x.days.items(), x.in_progress, x.median_days, x.p90_days) for x in s.steps],
        "stalled": [(x.loop_id, x.days) for x in s.stalled],
        "coverage": (c.loops, c.covered, sorted((g.name, g.targeted, g.uncovered) for g in c.principles)),
        "bar raisers": sorted((r.name, r.loops, r.open_loops, r.verdicts, r.vetoes) for r in m.bar_raisers),
        "org units": sorted((r.name, r.loops, r.open_loops, r.verdicts, r.vetoes) for r in m.org_units),
        "calibration": sorted((r.interviewer.id, tuple(r.distribution.values()), r.total, r.decided, r.matched)
                              for r in m.calibration),
        "coaching": sorted((r.interviewer.id, r.sealed, tuple(r.per_rule)) for r in m.coaching),
        "funnel": [(x.label, x.count) for x in m.funnel.steps] + [(x.label, x.count) for x in m.funnel.outcomes],
    }


def stored() -> tuple[list, list, list]:
    """Every rollup, tally and per-interviewer row, keyed and sorted: what two ways of keeping them must agree on.

    Data is compared as the app reads it: a list of every value (rows from before migration 0020) reads as its
    distribution."""
    # A row that came to nothing is kept (empty) by the flushes and never made by a rebuild: it says nothing.
    # The per-org-unit and per-bar-raiser counts are kept in columns too from revision 0027 on.
    columns = {c["name"] for c in db.inspect(db.session.connection()).get_columns(MetricRollup.__tablename__)}
    breakdown = [getattr(MetricRollup, name) for name in BREAKDOWN_COLUMNS if name in columns]
    rollups = sorted((r.grain, r.span, r.month, r.org_unit_id, r.requisition_id, r.bar_raiser_id, r.person_id,
                      repr(Tally(r.data).as_data()), *r[8:])
                     for r in db.session.execute(select(MetricRollup.grain, MetricRollup.span, MetricRollup.month,
                                                        MetricRollup.org_unit_id, MetricRollup.requisition_id,
                                                        MetricRollup.bar_raiser_id, MetricRollup.person_id,
                                                        MetricRollup.data, *breakdown))
                     if r.data["c"] or r.data["v"])
    # A tally's readers' counts are kept apart from revision 0025 on.
    split = "readers" in {c["name"] for c in db.inspect(db.session.connection()).get_columns(LoopTally.__tablename__)}
    readers = LoopTally.readers if split else sa.literal(None).label("readers")
    columns = [LoopTally.loop_id, LoopTally.created_at, LoopTally.org_unit_id, LoopTally.requisition_id,
               LoopTally.bar_raiser_id, LoopTally.data, readers]
    tallies = sorted((t.loop_id, t.created_at, t.org_unit_id, t.requisition_id, t.bar_raiser_id,
                      repr(Tally({"c": {**t.data["c"], **(t.readers or {})}, "v": t.data["v"]}).as_data()))
                     for t in db.session.execute(select(*columns)))
    readable = []  # from revision 0024 on
    if db.inspect(db.session.connection()).has_table(ReadableCounts.__tablename__):
        readable = sorted((r.reader_id, r.interviewer_id, r.votes, r.sealed, r.flags, repr(sorted(r.counts.items())))
                          for r in db.session.scalars(select(ReadableCounts)) if r.sealed or r.counts)
    return rollups, tallies, readable


# -- random small companies ---------------------------------------------------------------------------------

ENDINGS = ("open", "withdrawn", "rejected", "no_hire", "veto", "hired")

loops = st.fixed_dictionaries({
    "age": st.integers(0, 540),  # days before now the loop was created
    "minute": st.integers(0, 24 * 60 - 1),
    "step": st.integers(Step.RESUME_REVIEW, Step.OFFER),
    "ending": st.sampled_from(ENDINGS),
    "team": st.integers(0, 1),  # which hiring manager (and so org unit) and bar raiser
    "panel": st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True),
    "seated": st.booleans(),  # the bar raiser interviews too (first on the panel), so has a first vote
    "delays": st.lists(st.integers(-120, 4000), min_size=4, max_size=4),  # minutes from interview end
    "submitted": st.integers(0, 4),  # how many of a step-5 panel have submitted
    "votes": st.lists(st.sampled_from(list(Vote)), min_size=4, max_size=4),
    "final": st.none() | st.sampled_from(list(Vote)),  # the bar raiser's final vote at the debrief
    "decided_after": st.integers(0, 20 * 24 * 60),
    "flagged": st.booleans(),
    "moves": st.booleans(),  # a trail of step moves, or a gap in it
    "later": st.sampled_from(("nothing", "withdraw", "submit", "revote")),  # a change after the first flush
})


class People:
    def __init__(self):
        self.recruiters = [factories.make_user(is_recruiter=True, org_unit="Talent") for _ in range(2)]
        self.managers = [factories.make_user(org_unit=unit) for unit in ("Payments", "Search")]
        self.bar_raisers = [factories.make_user(certification="certified", org_unit=unit)
                            for unit in ("Search", "Payments")]
        self.interviewers = [factories.make_user(org_unit="Payments") for _ in range(4)]
        self.admin = factories.make_user(is_admin=True)


def submit(interview, vote: str, after: timedelta, flag: str | None = None) -> Feedback:
    """Submit the interviewer's feedback `after` the interview ended: sealed, it keeps its time and flags for good."""
    feedback = Feedback(author=interview.interviewer, summary="Specific.")
    db.session.add(feedback)
    feedback.interview = interview
    db.session.flush()
    if flag:
        db.session.add(CoachingFlag(feedback_id=feedback.id, rule=flag))
        db.session.flush()
    feedback.status, feedback.vote, feedback.raises_bar = FeedbackStatus.SUBMITTED, vote, True
    feedback.submitted_at = interview.ends_at + after
    db.session.flush()
    return feedback


def build(spec: dict, people: People, n: int) -> Loop:
    step, ending = spec["step"], spec["ending"]
    if ending == "hired":
        step = Step.OFFER
    if ending in ("no_hire", "veto"):
        step = Step.DEBRIEF
    if ending == "rejected":
        step = min(step, Step.WRITTEN_FEEDBACK)
    team = spec["team"]
    bar_raiser = people.bar_raisers[team] if step >= Step.IN_HOUSE_INTERVIEWS or n % 3 else None
    panel = [people.interviewers[i] for i in spec["panel"]]
    if spec["seated"] and bar_raiser is not None:
        panel.insert(0, bar_raiser)
    loop = factories.make_loop(
        min(step, Step.IN_HOUSE_INTERVIEWS), recruiter=people.recruiters[n % 2], hiring_manager=people.managers[team],
        bar_raiser=bar_raiser, interviewers=panel)
    created = NOW - spec["age"] * DAY - spec["minute"] * MINUTE
    loop.created_at = created
    loop.step = step
    loop.step_entered_at = created + (step - 2) * DAY
    if spec["moves"]:
        for s in range(Step.RESUME_REVIEW, step):
            record("loop.advanced", loop, loop.recruiter, loop=loop, from_state=Step(s).label,
                   to_state=Step(s + 1).label, at=created + (s - 1) * DAY)
    in_house = sorted((i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE), key=lambda i: i.id)
    for index, interview in enumerate(in_house):
        interview.starts_at = created + (step - 3) * DAY + index * 60 * MINUTE
    db.session.flush()
    if step >= Step.WRITTEN_FEEDBACK:
        for index, interview in enumerate(in_house[:spec["submitted"]] if step == Step.WRITTEN_FEEDBACK else in_house):
            flag = RULES[n % len(RULES)].name if spec["flagged"] and index == 0 else None
            submit(interview, spec["votes"][index], spec["delays"][index] * MINUTE, flag)
    if step >= Step.DEBRIEF and spec["final"] is not None:
        final_vote(loop, spec["final"])
    if step >= Step.DEBRIEF and (step > Step.DEBRIEF or ending in ("no_hire", "veto")):
        at = max(i.ends_at for i in in_house) + spec["decided_after"] * MINUTE
        decision = DebriefDecision(loop=loop, outcome=Outcome.NO_HIRE if ending == "no_hire" else Outcome.HIRE,
                                   rationale="Decided.", decided_by=loop.hiring_manager, decided_at=at)
        if ending != "no_hire":
            decision.verdict = Verdict.VETO if ending == "veto" else Verdict.CONCUR
            decision.verdict_rationale, decision.verdict_by, decision.verdict_at = "Called.", bar_raiser, at
        db.session.add(decision)
    if ending != "open":
        status = {"no_hire": LoopStatus.NOT_HIRED, "veto": LoopStatus.NOT_HIRED}.get(ending, ending)
        loop.status, loop.close_reason = status, "Closed by the test."
        loop.closed_at = loop.step_entered_at + spec["decided_after"] * MINUTE
    db.session.flush()
    return loop


def final_vote(loop: Loop, vote: str) -> None:
    """Record (or change) the bar raiser's final vote, where they have a counted first vote to start from."""
    first = next((f for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE for f in i.feedbacks
                  if f.author_id == loop.bar_raiser_id and f.status == FeedbackStatus.SUBMITTED), None)
    if first is None:
        return
    existing = next((v for v in loop.final_votes if v.interviewer_id == loop.bar_raiser_id), None)
    if existing is None:
        db.session.add(FinalVote(loop=loop, interviewer_id=loop.bar_raiser_id, first_vote=first.vote, vote=vote,
                                 reason="Heard the others' evidence."))
    else:
        existing.vote = vote
    db.session.flush()


def change_later(loop: Loop, spec: dict) -> None:
    """Change a loop after its first flush, as later work does: the rollups move by the difference."""
    if spec["later"] == "withdraw" and loop.status == LoopStatus.OPEN:
        loop.status, loop.closed_at = LoopStatus.WITHDRAWN, loop.step_entered_at + 5 * DAY
    elif spec["later"] == "submit" and loop.step == Step.WRITTEN_FEEDBACK:
        waiting = [i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE and not i.feedbacks]
        if waiting:
            submit(waiting[0], Vote.NOT_INCLINED, 30 * MINUTE)
    elif spec["later"] == "revote" and loop.step >= Step.DEBRIEF:
        # After the decision too: the service closes final votes then, but the records decide what is counted.
        final_vote(loop, Vote.STRONGLY_NOT_INCLINED if spec["final"] in (None, Vote.INCLINED) else Vote.INCLINED)
    db.session.flush()


def scopes(people: People) -> list[Scope]:
    year_ago = NOW - 365 * DAY + 7 * 60 * MINUTE  # mid-month, mid-day: both ends read loop by loop
    month_ago = (NOW - 200 * DAY).replace(day=1, hour=0, minute=0, second=0)
    unit = people.managers[1].org_unit_id
    first = db.session.scalar(select(func.min(Loop.requisition_id)))
    result = []
    # Admins count every loop; a bar raiser (who may view metrics) and an interviewer count their own.
    for viewer in (people.admin, people.recruiters[0], people.bar_raisers[0], people.interviewers[0]):
        for filters in (Filters(), Filters(created_from=year_ago),
                        Filters(created_from=NOW - 200 * DAY, created_before=NOW - 40 * DAY),
                        Filters(created_from=NOW - 20 * DAY, created_before=NOW - 10 * DAY),
                        Filters(bar_raiser_id=people.bar_raisers[0].id),
                        Filters(requisition_id=first, created_from=year_ago),
                        Filters(org_unit_id=unit, bar_raiser_id=people.bar_raisers[1].id, created_from=year_ago),
                        # Hours into one month and hours before the end of the next: both months' rows, less those
                        # hours' loops.
                        Filters(created_from=month_ago + 3 * HOUR, created_before=month_ago + 58 * DAY),
                        # Most of the history: all time, less the months before.
                        Filters(created_from=NOW - 500 * DAY), Filters(created_before=NOW - 100 * DAY)):
            result.append(Scope(db.session.get(User, viewer.id), filters, NOW))
    return result


def test_rollups_kept_rebuilt_and_counted_directly_agree(app):
    with app.app_context():
        people = People()
        db.session.commit()
        packed_from_before = tally.PACKED_FROM

        # No shrinking: a failing company is reported as drawn, rather than after minutes of searching.
        @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                  phases=[Phase.explicit, Phase.reuse, Phase.generate])
        # Every distribution stored packed, or (the test companies being small) as pairs, as the app stores a
        # few values.
        @given(specs=st.lists(loops, min_size=1, max_size=6), packed_from=st.sampled_from([1, tally.PACKED_FROM]))
        def check(specs, packed_from):
            tally.PACKED_FROM = packed_from
            try:
                built = [build(spec, people, n) for n, spec in enumerate(specs)]
                for loop, spec in zip(built, specs, strict=True):
                    change_later(loop, spec)
                kept = stored()
                for scope in scopes(people):
                    assert figures(Metrics(scope)) == figures(Metrics(scope, direct=True)), scope
                rebuild(db.session.connection())
                db.session.expire_all()
                assert stored() == kept  # the same rows, so the same figures
            finally:
                db.session.rollback()
                tally.PACKED_FROM = packed_from_before

        check()


def test_rebuild_metrics_command_recounts_what_was_written_around_the_session(app, runner):
    with app.app_context():
        factories.make_loop(Step.DEBRIEF)
        db.session.commit()
        kept = stored()
        admin = factories.make_user(is_admin=True)
        # A write that goes around the session (as an import or a bulk fix would): the rollups miss it.
        db.session.connection().execute(MetricRollup.__table__.delete())
        db.session.commit()
        assert figures(Metrics(Scope(admin, now=NOW)))["funnel"][0] == (Step.RESUME_REVIEW.label, 0)
    result = runner.invoke(args=["rebuild-metrics"])
    assert result.exit_code == 0 and "from 1 loop" in result.output
    with app.app_context():
        assert stored() == kept
        admin = db.session.get(User, admin.id)
        assert figures(Metrics(Scope(admin, now=NOW)))["funnel"][0] == (Step.RESUME_REVIEW.label, 1)
        assert figures(Metrics(Scope(admin, now=NOW))) == figures(Metrics(Scope(admin, now=NOW), direct=True))
        # Running it again changes nothing.
        assert runner.invoke(args=["rebuild-metrics"]).exit_code == 0
        assert stored() == kept


def test_the_open_loops_finished_stays_move_in_and_out_with_their_migration(app):
    """Revision 0023 adds each open loop's stays in the steps it has left to its tally and rollups (the page reads
    no trail); its downgrade takes them out, as the app before it kept them."""
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        people = People()
        specs = [{"age": age, "minute": 300, "step": step, "ending": ending, "team": age % 2, "panel": [0, 2],
                  "seated": True, "delays": [30, 3000, -20, 90], "submitted": 1,
                  "votes": [Vote.INCLINED, Vote.NOT_INCLINED, Vote.INCLINED, Vote.STRONGLY_INCLINED],
                  "final": None, "decided_after": 4000, "flagged": False, "moves": True, "later": "nothing"}
                 for age, step, ending in ((3, 5, "open"), (40, 8, "hired"), (401, 7, "open"))]
        for n, spec in enumerate(specs):
            build(spec, people, n)
        db.session.commit()
        kept = stored()
        open_stays = [t for t in kept[1] if "stay:" in t[-1]]
        assert len(open_stays) == 3  # the closed loop's, and both open loops' (they have moved on)
        db.session.remove()
        downgrade(revision="0022")
        db.engine.dispose()
        before = stored()
        assert before != kept
        assert len([t for t in before[1] if "stay:" in t[-1]]) == 1  # the closed loop's alone
        db.session.remove()
        upgrade()
        db.engine.dispose()
        assert stored() == kept


def test_the_migration_fills_the_rollups_from_the_records_already_held(app):
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        people = People()
        specs = [{"age": age, "minute": 300, "step": step, "ending": ending, "team": age % 2, "panel": [0, 2],
                  "seated": age % 3 == 1, "delays": [30, 3000, -20, 90], "submitted": 1,
                  "votes": [Vote.INCLINED, Vote.NOT_INCLINED, Vote.INCLINED, Vote.STRONGLY_INCLINED],
                  "final": Vote.NOT_INCLINED if age % 2 else None, "decided_after": 4000, "flagged": True,
                  "moves": True, "later": "nothing"}
                 for age, step, ending in ((3, 5, "open"), (40, 8, "hired"), (70, 6, "veto"), (100, 6, "no_hire"),
                                           (103, 6, "no_hire"), (130, 4, "withdrawn"), (400, 3, "rejected"),
                                           (401, 7, "open"))]
        for n, spec in enumerate(specs):
            build(spec, people, n)
        db.session.commit()
        kept = stored()
        assert len(kept[1]) == len(specs) and kept[0] and kept[2]
        db.session.remove()
        downgrade(revision="0009")
        upgrade()
        db.engine.dispose()
        assert stored() == kept


def test_the_readers_all_time_counts_split_per_interviewer_and_fold_back_with_their_migration(app):
    """Revision 0024 keeps a reader's all-time counts for the whole company a row per interviewer; its downgrade
    folds them back into the reader's one rollup row, the sum of their months, as the app before it kept it."""
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        people = People()
        specs = [{"age": age, "minute": 300, "step": step, "ending": ending, "team": age % 2, "panel": [0, 1, 2],
                  "seated": True, "delays": [30, 3000, -20, 90], "submitted": 2,
                  "votes": [Vote.INCLINED, Vote.NOT_INCLINED, Vote.STRONGLY_INCLINED, Vote.STRONGLY_NOT_INCLINED],
                  "final": None, "decided_after": 4000, "flagged": True, "moves": True, "later": "nothing"}
                 for age, step, ending in ((3, 5, "open"), (40, 8, "hired"), (70, 6, "veto"), (401, 7, "open"))]
        for n, spec in enumerate(specs):
            build(spec, people, n)
        db.session.commit()
        kept = stored()
        recruiter = db.session.get(User, people.recruiters[0].id)
        ever = Metrics(Scope(recruiter, now=NOW))
        shown = [(r.interviewer.name, r.total, tuple(r.distribution.values())) for r in ever.calibration]
        flagged = [(r.interviewer.name, r.sealed, tuple(r.per_rule)) for r in ever.coaching]
        assert shown and sum(total for _, total, _ in shown) == sum(r[2] for r in kept[2] if r[0] == recruiter.id)
        assert any(sum(per_rule) for _, _, per_rule in flagged)
        assert not any(r[0] == "reader" and r[1] == "all" for r in kept[0])
        # A tally keeps the readers' counts apart (revision 0025): a period's loops are read without them.
        tallies = db.session.execute(select(LoopTally.data, LoopTally.readers)).all()
        assert all(not name.startswith("r:") for data, _ in tallies for name in data["c"])
        assert all(name.startswith("r:") for _, readers in tallies for name in readers)
        assert any(readers for _, readers in tallies)
        db.session.remove()
        downgrade(revision="0023")
        db.engine.dispose()
        together = db.session.execute(sa.text("SELECT data FROM metric_loop_tallies")).scalars().all()
        assert any(name.startswith("r:") for data in together for name in (json.loads(data) if isinstance(data, str)
                                                                            else data)["c"])
        rows = db.session.execute(select(MetricRollup.person_id, MetricRollup.span, MetricRollup.data)
                                  .where(MetricRollup.grain == "reader")).all()
        for reader in {r.person_id for r in rows}:
            months, ever_row = Tally(), None
            for r in rows:
                if r.person_id == reader and r.span == "month":
                    months.add(Tally(r.data))
                elif r.person_id == reader and r.span == "all":
                    ever_row = Tally(r.data)
            assert ever_row is not None and ever_row.as_data() == months.as_data(), reader
        db.session.remove()
        upgrade()
        db.engine.dispose()
        assert stored() == kept
        recruiter = db.session.get(User, people.recruiters[0].id)
        again = Metrics(Scope(recruiter, now=NOW))
        assert [(r.interviewer.name, r.total, tuple(r.distribution.values())) for r in again.calibration] == shown
        assert [(r.interviewer.name, r.sealed, tuple(r.per_rule)) for r in again.coaching] == flagged


def test_a_period_reads_the_fewest_rows_and_loops():
    """A period is read as whole months, less or plus the hours at either end loop by loop, whichever is fewer
    loops; and as its own months and years, or all time less the rest, whichever is fewer rows."""
    from datetime import UTC, date, datetime

    from app.metrics.rolled import bounds, plan

    def at(*args):
        return datetime(*args, tzinfo=UTC)

    # The twelve months to now for a viewer eight hours behind UTC: all December's row, less its first eight hours.
    assert bounds(at(2025, 12, 1, 8), None) == ((date(2025, 12, 1), None), [(at(2025, 12, 1), at(2025, 12, 1, 8), -1)])
    # An hour before a month: that hour loop by loop.
    assert bounds(at(2025, 11, 30, 23), None) == ((date(2025, 12, 1), None),
                                                  [(at(2025, 11, 30, 23), at(2025, 12, 1), 1)])
    assert bounds(at(2025, 12, 1), at(2026, 3, 1)) == ((date(2025, 12, 1), date(2026, 3, 1)), [])
    assert bounds(None, at(2026, 2, 27)) == ((None, date(2026, 3, 1)), [(at(2026, 2, 27), at(2026, 3, 1), -1)])
    assert bounds(at(2026, 2, 10), at(2026, 2, 20)) == (None, [(at(2026, 2, 10), at(2026, 2, 20), 1)])
    assert bounds(None, None) == ((None, None), [])

    history = (date(2016, 12, 1), date(2026, 11, 1))
    # Most of ten years: all time, less December 2016's year row and January 2017's month.
    assert plan(date(2017, 2, 1), None, history) == (
        [("all", None, None)], [("year", None, date(2017, 1, 1)), ("month", date(2017, 1, 1), date(2017, 2, 1))])
    # The last few years: their own rows.
    assert plan(date(2024, 1, 1), None, history) == ([("year", date(2024, 1, 1), None)], [])
    assert plan(None, date(2018, 1, 1), history) == ([("year", None, date(2018, 1, 1))], [])
    assert plan(None, date(2026, 1, 1), history) == ([("all", None, None)], [("year", date(2026, 1, 1), None)])


def test_the_hours_taken_away_from_a_months_row_are_the_loops_outside_the_period(app):
    """Loops in the hours before a period's start and after its end, inside the months read as rows, are taken
    away; loops just inside are counted; the figures are those of the direct count."""
    with app.app_context():
        people = People()
        month = (NOW - 200 * DAY).replace(day=1, hour=0, minute=0, second=0)
        start, end = month + 3 * HOUR, month + 58 * DAY
        moments = [month + HOUR, start + HOUR, month + 20 * DAY, end - HOUR, end + HOUR]
        for n, moment in enumerate(moments):
            age = NOW - moment
            build({"age": age.days, "minute": age.seconds // 60, "step": 6, "ending": "hired", "team": n % 2,
                   "panel": [0, 1], "seated": True, "delays": [30, 3000, -20, 90], "submitted": 2,
                   "votes": [Vote.INCLINED, Vote.NOT_INCLINED, Vote.INCLINED, Vote.STRONGLY_INCLINED],
                   "final": None, "decided_after": 600, "flagged": n == 0, "moves": True, "later": "nothing"},
                  people, n)
        db.session.commit()
        for viewer in (people.admin, people.recruiters[0], people.interviewers[0]):
            scope = Scope(db.session.get(User, viewer.id), Filters(created_from=start, created_before=end), NOW)
            rolled, direct = figures(Metrics(scope)), figures(Metrics(scope, direct=True))
            assert rolled == direct
        admin = Scope(db.session.get(User, people.admin.id), Filters(created_from=start, created_before=end), NOW)
        assert figures(Metrics(admin))["funnel"][0] == (Step.RESUME_REVIEW.label, 3)


def test_long_distributions_are_stored_packed_and_unpacked_by_their_migrations_downgrade(app):
    """A rollup row's distribution of many values is stored packed (`tally.pack`); revision 0026's downgrade
    writes it back as pairs, the form the app before it reads, and its upgrade packs it again: the same rows, the
    same figures."""
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        people = People()
        for n in range(24):
            build({"age": 30 + n, "minute": 300 + n, "step": 6, "ending": "hired", "team": n % 2, "panel": [0, 1],
                   "seated": True, "delays": [30 + 7 * n, 3000 + 11 * n, -20, 90], "submitted": 2,
                   "votes": [Vote.INCLINED, Vote.NOT_INCLINED, Vote.INCLINED, Vote.STRONGLY_INCLINED],
                   "final": None, "decided_after": 600 + 5 * n, "flagged": False, "moves": True, "later": "nothing"},
                  people, n)
        db.session.commit()
        kept = stored()
        admin = Scope(db.session.get(User, people.admin.id), now=NOW)
        shown = figures(Metrics(admin))
        assert shown == figures(Metrics(admin, direct=True))
        ever = db.session.scalar(select(MetricRollup.data).where(MetricRollup.grain == "all",
                                                                 MetricRollup.span == "all"))
        assert isinstance(ever["v"]["turnaround"], dict) and len(tally.pairs(ever["v"]["turnaround"])) >= 33
        db.session.remove()
        downgrade(revision="0025")
        db.engine.dispose()
        for data in db.session.execute(sa.text("SELECT data FROM metric_rollups")).scalars():
            data = json.loads(data) if isinstance(data, str) else data
            assert all(isinstance(listed, list) for listed in data.get("v", {}).values())
        db.session.remove()
        upgrade()
        db.engine.dispose()
        assert stored() == kept
        again = db.session.scalar(select(MetricRollup.data).where(MetricRollup.grain == "all",
                                                                  MetricRollup.span == "all"))
        assert again == ever  # packed again, as the app wrote it
        assert figures(Metrics(Scope(db.session.get(User, people.admin.id), now=NOW))) == shown
