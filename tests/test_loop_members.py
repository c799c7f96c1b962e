"""The loop list's index of who takes part in which loop (`loop_members`), and the list that walks it.

A property test runs random sequences of the real services (loops created,
people changed, interviews scheduled and cancelled, loops moved on and
closed) and checks after each that the rows the database's triggers kept are
exactly who `Loop.roles_of` says takes part, with the loop's status, step and
time in step; `rebuild` and the migration's backfill write the same rows.
The list pages and its export are checked at a small count limit and page
size, so the bounded count, paging past it and the batched export are seen
with a handful of loops.
"""

import csv
import io
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.candidates.models import Candidate
from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.interviews.models import InterviewKind
from app.interviews.services import cancel_interview, schedule_interview
from app.loops import members, queries
from app.loops.models import Loop, LoopMember, LoopStatus, Step
from app.loops.services import create_loop, record_screen_decision, set_loop_people
from app.loops.workflow import advance_loop, end_loop
from app.people.models import User
from tests import factories


def truth() -> list[tuple]:
    """Who takes part in which loop, as the loop pages decide it (`Loop.roles_of`)."""
    rows = []
    for loop in db.session.scalars(select(Loop)):
        people = {loop.recruiter_id, loop.hiring_manager_id, loop.bar_raiser_id, loop.shadow_id}
        people |= {interview.interviewer_id for interview in loop.interviews}
        rows += [(person, loop.id, loop.requisition_id, LoopStatus(loop.status), loop.step, loop.step_entered_at)
                 for person in people if person is not None]
    return sorted(rows)


def kept() -> list[tuple]:
    return sorted((m.person_id, m.loop_id, m.requisition_id, LoopStatus(m.status), m.step, m.step_entered_at)
                  for m in db.session.scalars(select(LoopMember)))


class People:
    def __init__(self):
        self.recruiters = [factories.make_user(is_recruiter=True, org_unit="Talent") for _ in range(2)]
        self.managers = [factories.make_user(org_unit=unit) for unit in ("Payments", "Search")]
        self.bar_raisers = [factories.make_user(certification="certified", org_unit=unit)
                            for unit in ("Search", "Ads")]
        self.shadow = factories.make_user(certification="in_training", org_unit="Ads")
        self.interviewers = [factories.make_user(org_unit="Payments") for _ in range(4)]
        self.requisitions = [factories.make_requisition(manager, self.recruiters[0]) for manager in self.managers]


OPS = ("create", "people", "schedule", "cancel", "screen", "advance", "close", "made")
operations = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 7), st.integers(0, 7), st.integers(0, 7)),
                      min_size=2, max_size=14)


def run(op: tuple, people: People, serial: int) -> bool:
    """Run one operation through the services; a refusal is rolled back to before it, as a view would."""
    kind, a, b, c = op
    # Changes land where they can (a closed loop refuses them all), while there are such loops.
    fits = {"screen": Loop.step == Step.RESUME_REVIEW, "cancel": Loop.interviews.any()}.get(kind, True)
    loops = (list(db.session.scalars(select(Loop).where(Loop.status == LoopStatus.OPEN, fits).order_by(Loop.id)))
             or list(db.session.scalars(select(Loop).order_by(Loop.id))))
    loop = loops[a % len(loops)] if loops else None
    if kind == "create":
        candidate = Candidate(name=f"Candidate {serial}")
        db.session.add(candidate)
        recruiter = people.recruiters[b % 2]
        create_loop(people.requisitions[a % 2], candidate, recruiter, recruiter=recruiter, hiring_manager=None,
                    bar_raiser=people.bar_raisers[1 if a % 2 else c % 2] if c % 3 else None)
    elif kind == "made":  # a loop standing further on, with its panel
        factories.make_loop(Step.RESUME_REVIEW + a % 7, recruiter=people.recruiters[b % 2],
                            hiring_manager=people.managers[c % 2], bar_raiser=people.bar_raisers[c % 2],
                            interviewers=[people.interviewers[b % 4], people.interviewers[(b + 1) % 4]])
    elif loop is None:
        return False
    elif kind == "people":
        set_loop_people(loop, loop.recruiter, recruiter=people.recruiters[b % 2],
                        hiring_manager=people.managers[c % 2] if c % 2 else loop.hiring_manager,
                        bar_raiser=people.bar_raisers[c % 2], shadow=people.shadow if b % 2 else None)
    elif kind == "schedule":
        kind = InterviewKind.IN_HOUSE if loop.step >= Step.PHONE_SCREEN and b % 2 else InterviewKind.PHONE_SCREEN
        schedule_interview(loop, loop.recruiter, kind=kind,
                           interviewer=people.interviewers[c % 4],
                           starts_at=utcnow() + timedelta(days=10 + serial, hours=c),
                           duration_minutes=60, location="Room 4", principles=loop.requisition.principles[:1])
    elif kind == "cancel":
        if not loop.interviews:
            return False
        cancel_interview(loop.interviews[b % len(loop.interviews)], loop.recruiter)
    elif kind == "screen":  # the résumé screen: advancing moves the loop to the phone screen, rejecting closes it
        record_screen_decision(loop, loop.recruiter, Step.RESUME_REVIEW, "advance" if c % 2 else "reject",
                               "Not the experience asked for.")
    elif kind == "advance":
        advance_loop(loop, loop.recruiter, loop.step + 1, system=True)
    elif kind == "close":
        end_loop(loop, loop.recruiter, LoopStatus.WITHDRAWN if b % 2 else LoopStatus.REJECTED,
                 "Went elsewhere.", system=True)
    db.session.flush()
    return True


def test_the_rows_the_database_keeps_are_who_takes_part(app):
    with app.app_context():
        people = People()
        db.session.commit()
        ran = Counter()

        @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                  phases=[Phase.explicit, Phase.reuse, Phase.generate])
        @given(ops=operations)
        @example(ops=[("create", 0, 0, 1), ("schedule", 0, 0, 0), ("people", 0, 1, 1), ("schedule", 0, 1, 2),
                      ("cancel", 0, 0, 0), ("made", 2, 1, 0), ("screen", 0, 0, 1), ("close", 0, 1, 0)])
        def check(ops):
            try:
                # A statement that writes opens the transaction (SQLite's driver opens none for a SAVEPOINT,
                # whose release would then commit), so the example's rollback takes all of it back.
                db.session.execute(LoopMember.__table__.delete().where(LoopMember.loop_id == -1))
                assert kept() == []
                for serial, op in enumerate(ops):
                    savepoint = db.session.begin_nested()
                    try:
                        done = run(op, people, serial)
                    except ServiceError:
                        savepoint.rollback()
                    else:
                        savepoint.commit()
                        ran[op[0]] += done
                    db.session.expire_all()
                    assert kept() == truth(), op
                rows = kept()
                members.rebuild(db.session.connection())
                db.session.expire_all()
                assert kept() == rows
            finally:
                db.session.rollback()

        check()
        # Every kind of change was made, not only refused.
        assert {kind for kind, n in ran.items() if n} >= set(OPS) - {"advance"}, ran


def test_a_cancelled_interview_takes_its_interviewer_out_of_the_loop_and_a_second_one_keeps_them(app):
    with app.app_context():
        people = People()
        loop = factories.make_loop(Step.PHONE_SCREEN, recruiter=people.recruiters[0],
                                   hiring_manager=people.managers[0])
        interviewer = people.interviewers[0]
        first, second = (schedule_interview(loop, loop.recruiter, kind=InterviewKind.PHONE_SCREEN,
                                            interviewer=interviewer, starts_at=utcnow() + timedelta(days=day),
                                            duration_minutes=45, location="", principles=[])
                         for day in (3, 4))
        db.session.flush()
        mine = select(LoopMember.loop_id).where(LoopMember.person_id == interviewer.id)
        assert list(db.session.scalars(mine)) == [loop.id]
        cancel_interview(first, loop.recruiter)
        db.session.flush()
        assert list(db.session.scalars(mine)) == [loop.id]  # still on the second
        cancel_interview(second, loop.recruiter)
        db.session.flush()
        assert list(db.session.scalars(mine)) == []
        # Moving and closing the loop moves its rows' status, step and time in step.
        db.session.expire_all()
        loop = db.session.get(Loop, loop.id)
        end_loop(loop, loop.recruiter, LoopStatus.WITHDRAWN, "Took another offer.", system=True)
        db.session.flush()
        db.session.expire_all()
        assert {(m.person_id, m.status) for m in db.session.scalars(select(LoopMember))} == {
            (people.recruiters[0].id, LoopStatus.WITHDRAWN), (people.managers[0].id, LoopStatus.WITHDRAWN)}
        db.session.rollback()


def test_rebuild_loop_members_command_makes_again_what_was_written_around_the_triggers(app, runner):
    with app.app_context():
        factories.make_loop(Step.DEBRIEF)
        db.session.commit()
        before = kept()
        assert len(before) == 6  # recruiter, hiring manager, bar raiser (also on the panel), three interviewers
        db.session.execute(LoopMember.__table__.delete())
        db.session.commit()
        assert kept() == []
    result = runner.invoke(args=["rebuild-loop-members"])
    assert result.exit_code == 0 and "Rebuilt 6 loop member row(s)" in result.output
    with app.app_context():
        assert kept() == before == truth()
        assert runner.invoke(args=["rebuild-loop-members"]).exit_code == 0
        assert kept() == before


def test_the_migration_fills_the_rows_of_the_loops_already_held(app):
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        people = People()
        for step in (Step.RESUME_REVIEW, Step.IN_HOUSE_INTERVIEWS, Step.OFFER):
            factories.make_loop(step, recruiter=people.recruiters[0], hiring_manager=people.managers[0],
                                bar_raiser=people.bar_raisers[0], interviewers=people.interviewers[:2])
        db.session.commit()
        before = truth()
        assert kept() == before and len(before) > 9
        db.session.remove()
        downgrade(revision="0016")
        upgrade()
        db.engine.dispose()
        assert kept() == before


# -- the list and its export ------------------------------------------------------------------------------------

@pytest.fixture
def many_loops(app, recruiter, monkeypatch):
    """Seven loops of the recruiter, four entering their step at the very same time; another's loop too."""
    monkeypatch.setattr(queries, "COUNT_LIMIT", 3)
    monkeypatch.setattr("app.loops.views.PAGE_SIZE", 2)
    monkeypatch.setattr("app.metrics.exports.EXPORT_BATCH", 2)
    with app.app_context():
        me = db.session.get(User, recruiter.id)
        start = utcnow() - timedelta(days=30)
        ids = []
        for n in range(7):
            loop = factories.make_loop(Step.RESUME_REVIEW, recruiter=me)
            loop.step_entered_at = start + timedelta(days=0 if n < 4 else n)
            ids.append(loop.id)
        factories.make_loop(Step.RESUME_REVIEW)
        db.session.commit()
        # Longest waiting first; those that entered together, by id.
        return [loop_id for _, loop_id in sorted((0 if n < 4 else n, loop_id) for n, loop_id in enumerate(ids))]


def listed(response) -> list[int]:
    text = response.get_data(as_text=True)
    return [int(part.split('"')[0]) for part in text.split('href="/loops/')[1:] if part.split('"')[0].isdigit()]


def test_the_count_stops_at_the_limit_and_the_pages_go_on_past_it(client, auth, recruiter, many_loops):
    auth.login(recruiter)
    first = client.get("/loops/")
    text = first.get_data(as_text=True)
    assert first.status_code == 200
    assert '<span class="count">3+</span>' in text and "More than 3 loops match" in text
    assert "Page 1 of 2+" in text and 'rel="next"' in text
    seen = []
    for page in range(1, 6):
        response = client.get(f"/loops/?page={page}")
        assert response.status_code == 200
        seen += listed(response)
    assert seen == many_loops  # every loop once, in order, paging on past the counted ones
    # Past the counted ones the count goes to the next multiple of the limit, so it reads the same page to page.
    third = client.get("/loops/?page=3").get_data(as_text=True)
    assert '<span class="count">6+</span>' in third and "Page 3 of 3+" in third and 'rel="next"' in third
    last = client.get("/loops/?page=4").get_data(as_text=True)
    assert '<span class="count">7</span>' in last and "Page 4 of 4" in last and 'rel="next"' not in last


def test_the_export_lists_every_loop_in_order_a_batch_at_a_time(client, auth, recruiter, many_loops):
    auth.login(recruiter)
    response = client.get("/loops/export.csv")
    assert response.status_code == 200 and response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "id"
    assert [int(row[0]) for row in rows[1:]] == many_loops


def test_a_bad_filter_in_the_export_is_refused_before_the_download_starts(client, auth, recruiter, many_loops):
    auth.login(recruiter)
    assert client.get("/loops/export.csv?step=x").status_code == 400


def test_the_filter_offers_the_requisitions_of_the_latest_loops_and_the_chosen_one_of_ones_own(
        app, client, auth, recruiter, monkeypatch):
    monkeypatch.setattr(queries, "CHOICES_FROM", 2)
    monkeypatch.setattr("app.loops.views.CHOICES_FROM", 2)
    with app.app_context():
        me = db.session.get(User, recruiter.id)
        loops = [factories.make_loop(Step.RESUME_REVIEW, recruiter=me) for _ in range(3)]
        for n, loop in enumerate(loops):
            loop.requisition.title = f"Requisition {n}"
            loop.step_entered_at = utcnow() - timedelta(days=10 - n)
        elsewhere = factories.make_loop(Step.RESUME_REVIEW)
        elsewhere.requisition.title = "Someone else's requisition"
        db.session.commit()
        oldest, others, first = loops[0].requisition_id, elsewhere.requisition_id, loops[0].id
    auth.login(recruiter)
    text = client.get("/loops/").get_data(as_text=True)
    assert ">Requisition 1 (L6)</option>" in text and ">Requisition 2 (L6)</option>" in text
    assert ">Requisition 0 (L6)</option>" not in text
    assert "your latest 2 loops" in text
    chosen = client.get(f"/loops/?requisition={oldest}")
    assert f'<option value="{oldest}" selected>Requisition 0' in chosen.get_data(as_text=True)
    assert listed(chosen) == [first]
    foreign = client.get(f"/loops/?requisition={others}").get_data(as_text=True)
    assert "Someone else" not in foreign and f'<option value="{others}" selected>' not in foreign
    assert "No loops match these filters" in foreign
