"""The retention dates the due list and the purge read by index: kept as loops open and close, policies change
and candidates are erased, and never trusted over the rules."""

import re
from datetime import timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from app.candidates.models import Candidate
from app.db_types import utcnow
from app.extensions import db
from app.loops import services as loop_services
from app.loops.models import LoopStatus, Step
from app.loops.workflow import end_loop
from app.people.models import User
from app.retention import erasure, rules, services
from app.retention.models import KEEP_COLUMNS, RetentionDate, RetentionPolicy
from tests import factories


def admin_user():
    return factories.make_user(is_admin=True, org_unit="People Ops")


def set_default(actor, days: int):
    return services.set_policy(actor, scope="default", days={status: days for status in KEEP_COLUMNS})


def date_of(candidate_id: int) -> RetentionDate | None:
    db.session.expire_all()
    return db.session.get(RetentionDate, candidate_id)


def test_the_date_follows_the_loops_the_policies_and_the_erasure(app):
    with app.app_context():
        admin = admin_user()
        loop = factories.make_loop(step=Step.PHONE_SCREEN)
        candidate_id = loop.candidate_id
        assert date_of(candidate_id) is None  # open: kept while it runs
        end_loop(loop, loop.recruiter, LoopStatus.WITHDRAWN, "Took another offer.")
        row = date_of(candidate_id)
        assert row.loops_closed_at == loop.closed_at and row.erase_on is None  # no policy covers it yet
        set_default(admin, 30)
        assert date_of(candidate_id).erase_on == loop.closed_at + timedelta(days=30)
        services.set_policy(admin, scope="org_unit", org_unit=loop.requisition.org_unit,
                            days={status: 90 for status in KEEP_COLUMNS})
        assert date_of(candidate_id).erase_on == loop.closed_at + timedelta(days=90)  # the longest wins
        # A second loop opens for them: no date while it runs.
        requisition = factories.make_requisition(db.session.get(User, loop.hiring_manager_id),
                                                 db.session.get(User, loop.recruiter_id))
        second = loop_services.create_loop(requisition, loop.candidate, loop.recruiter, recruiter=loop.recruiter,
                                           hiring_manager=requisition.hiring_manager)
        assert date_of(candidate_id) is None
        end_loop(second, second.recruiter, LoopStatus.REJECTED, "Not the level we need.")
        assert date_of(candidate_id).loops_closed_at == second.closed_at
        policy = db.session.scalar(select(RetentionPolicy).where(RetentionPolicy.scope == "org_unit"))
        services.remove_policy(admin, policy)
        assert date_of(candidate_id).erase_on == second.closed_at + timedelta(days=30)


def test_erasing_a_candidate_removes_their_date(app):
    with app.app_context():
        admin = admin_user()
        set_default(admin, 0)
        loop = factories.make_loop(step=Step.PHONE_SCREEN, status=LoopStatus.REJECTED,
                                   closed_at=utcnow() - timedelta(days=1))
        candidate_id = loop.candidate_id
        db.session.commit()
        assert date_of(candidate_id) is not None
        erasure.erase(db.session.get(Candidate, candidate_id), admin, basis="test")
        db.session.commit()
        assert date_of(candidate_id) is None
        assert [status.candidate_id for status in rules.due()] == []


def test_a_stale_date_never_erases_anyone_early(app, runner):
    """The index only finds candidates; the rules as they stand decide."""
    with app.app_context():
        set_default(admin_user(), 365)
        loop = factories.make_loop(step=Step.PHONE_SCREEN, status=LoopStatus.REJECTED)
        candidate_id = loop.candidate_id
        db.session.get(RetentionDate, candidate_id).erase_on = loop.closed_at  # as if written before a change
        db.session.commit()
        assert rules.due(0) == []
    result = runner.invoke(args=["purge-candidates"])
    assert result.exit_code == 0 and "Erased 0 candidate(s)" in result.output
    with app.app_context():
        assert not db.session.get(Candidate, candidate_id).is_erased


def test_older_than_reads_when_the_last_loop_closed(app, runner):
    with app.app_context():
        now = utcnow()
        old = factories.make_loop(step=Step.PHONE_SCREEN, status=LoopStatus.REJECTED,
                                  closed_at=now - timedelta(days=40))
        recent = factories.make_loop(step=Step.PHONE_SCREEN, status=LoopStatus.REJECTED,
                                     closed_at=now - timedelta(days=5))
        db.session.commit()
        assert [s.candidate_id for s in rules.due(0, older_than_days=30)] == [old.candidate_id]
        old_id, recent_id = old.candidate_id, recent.candidate_id
    result = runner.invoke(args=["purge-candidates", "--older-than", "30"])
    assert result.exit_code == 0 and "Erased 1 candidate(s)" in result.output
    with app.app_context():
        assert db.session.get(Candidate, old_id).is_erased and not db.session.get(Candidate, recent_id).is_erased


def test_the_due_list_comes_a_page_at_a_time_soonest_first(app, client, auth, admin, monkeypatch):
    with app.app_context():
        set_default(db.session.get(User, admin.id), 10)
        now = utcnow()
        names = []
        for days_ago in (20, 12, 15):  # due 10, 2 and 5 days ago
            loop = factories.make_loop(step=Step.PHONE_SCREEN, status=LoopStatus.REJECTED,
                                       closed_at=now - timedelta(days=days_ago))
            names.append(loop.candidate.name)
        factories.make_loop(step=Step.PHONE_SCREEN)  # open: never listed
        db.session.commit()
    monkeypatch.setattr(rules, "DUE_PAGE", 2)
    auth.login(admin)
    first = client.get("/admin/retention/").get_data(as_text=True)
    assert first.index(names[0]) < first.index(names[2]) and names[1] not in first
    later = re.search(r'href="(/admin/retention/\?due_after=[^"]+)" rel="next"', first).group(1)
    second = client.get(later.replace("&amp;", "&")).get_data(as_text=True)
    assert names[1] in second and names[0] not in second and 'rel="next"' not in second
    assert "Soonest due" in second
    # A date that is not one starts from the first page; a candidate number that is not one is a bad request.
    assert names[0] in client.get("/admin/retention/?due_after=yesterday&due_candidate=1").get_data(as_text=True)
    assert client.get("/admin/retention/?due_after=2026-01-01T00:00:00%2B00:00&due_candidate=x").status_code == 400


def test_the_migration_fills_the_dates_of_the_candidates_already_there(app):
    """0018 computes each closed candidate's date by the same rule as the app: the longest covering policy."""
    with app.app_context():
        admin = admin_user()
        set_default(admin, 30)
        now = utcnow()
        done = factories.make_loop(step=Step.PHONE_SCREEN, status=LoopStatus.WITHDRAWN,
                                   closed_at=now - timedelta(days=3))
        done.requisition.location = "Berlin"
        services.set_policy(admin, scope="location", location="berlin", days={s: 400 for s in KEEP_COLUMNS})
        running = factories.make_loop(step=Step.PHONE_SCREEN)
        erased = factories.make_loop(step=Step.PHONE_SCREEN, status=LoopStatus.REJECTED)
        erased.candidate.anonymized_at = now
        db.session.commit()
        expected = {done.candidate_id: (done.closed_at, done.closed_at + timedelta(days=400))}
        assert running.candidate_id not in expected and erased.candidate_id not in expected
        db.session.remove()
        downgrade(revision="0016")
        db.engine.dispose()
        upgrade()
        db.engine.dispose()
        rows = {row.candidate_id: (row.loops_closed_at, row.erase_on)
                for row in db.session.scalars(select(RetentionDate))}
        assert rows == expected
