"""Retention: policies (longest wins), legal holds, and `flask purge-candidates` erasing one candidate at a time."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.audit.models import AuditEntry, AuditPersonalData
from app.candidates.models import Candidate
from app.db_types import utcnow
from app.extensions import db
from app.feedback.models import Feedback, FeedbackRating
from app.loops.models import Loop, LoopStatus, Step
from app.loops.workflow import end_loop
from app.people.models import User
from app.retention import erasure, rules, services
from app.retention.erasure import REDACTED, ErasureRefused
from app.retention.models import KEEP_COLUMNS, LegalHold, RetentionPolicy
from app.retention.rules import refresh_dates
from tests import factories


def admin_user():
    return factories.make_user(is_admin=True, org_unit="People Ops")


def closed_loop(status=LoopStatus.REJECTED, location: str | None = None, **kwargs) -> Loop:
    """A loop after its phone screen, closed now as `status` (hired and not hired set directly), its reason audited."""
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, **kwargs)
    loop.requisition.location = location
    if status in (LoopStatus.REJECTED, LoopStatus.WITHDRAWN):
        end_loop(loop, loop.recruiter, status, f"Closed: {loop.candidate.name} took another offer.")
    else:
        loop.step = Step.OFFER if status == LoopStatus.HIRED else Step.DEBRIEF
        loop.status, loop.closed_at, loop.close_reason = status, utcnow(), "Decided at the debrief."
        db.session.flush()
        refresh_dates([loop.candidate_id])  # as end_loop does for the debrief's and the offer's endings
    db.session.flush()
    return loop


def set_default(actor, days: int = 0, **overrides):
    values = {status: overrides.get(status, days) for status in KEEP_COLUMNS}
    return services.set_policy(actor, scope="default", days=values)


def test_purge_erases_the_due_keeps_the_counts_and_a_second_run_finds_nothing(app, runner):
    with app.app_context():
        admin = admin_user()
        set_default(admin, 0)
        gone = closed_loop()
        kept = factories.make_loop(step=Step.PHONE_SCREEN)
        db.session.commit()
        gone_id, kept_id = gone.candidate_id, kept.candidate_id
        feedback_before = db.session.scalar(select(db.func.count()).select_from(Feedback))
    result = runner.invoke(args=["purge-candidates"])
    assert result.exit_code == 0, result.output
    assert "Erased 1 candidate(s) due under the policies; 0 held" in result.output
    with app.app_context():
        candidate = db.session.get(Candidate, gone_id)
        assert candidate.name == f"Candidate {gone_id} (erased)" and candidate.email is None
        assert candidate.anonymized_at is not None
        assert db.session.scalar(select(db.func.count()).select_from(Feedback)) == feedback_before
        evidence = set(db.session.scalars(select(FeedbackRating.evidence).join(Feedback).join(Feedback.interview)
                                          .where(factories.Interview.loop_id == gone.id)))
        assert evidence == {REDACTED}
        assert db.session.get(Loop, gone.id).close_reason == REDACTED
        assert db.session.get(Candidate, kept_id).anonymized_at is None  # its loop is open
    again = runner.invoke(args=["purge-candidates"])
    assert again.exit_code == 0 and "Erased 0 candidate(s)" in again.output


def test_dry_run_lists_and_changes_nothing(app, runner):
    with app.app_context():
        set_default(admin_user(), 0)
        loop = closed_loop()
        db.session.commit()
        candidate_id, name = loop.candidate_id, loop.candidate.name
    result = runner.invoke(args=["purge-candidates", "--dry-run"])
    assert result.exit_code == 0 and f"#{candidate_id} {name}" in result.output
    assert "Would erase 1 candidate(s)" in result.output
    with app.app_context():
        assert db.session.get(Candidate, candidate_id).anonymized_at is None


def test_older_than_overrides_the_policies(app, runner):
    with app.app_context():
        set_default(admin_user(), 0)
        loop = closed_loop()
        db.session.commit()
        candidate_id = loop.candidate_id
    result = runner.invoke(args=["purge-candidates", "--older-than", "30"])
    assert "Erased 0 candidate(s) whose loops all closed more than 30 days ago" in result.output
    with app.app_context():
        assert db.session.get(Candidate, candidate_id).anonymized_at is None


def test_older_than_must_be_a_positive_number(runner):
    assert runner.invoke(args=["purge-candidates", "--older-than", "0"]).exit_code != 0
    assert runner.invoke(args=["purge-candidates", "--older-than", "x"]).exit_code != 0


def test_without_a_policy_nobody_is_due(app, runner):
    with app.app_context():
        loop = closed_loop()
        db.session.commit()
        status = rules.status_of(loop.candidate)
        assert status.erase_on is None
        assert status.problems() == ["No retention policy covers their loops; set a default policy."]
    assert "Erased 0 candidate(s)" in runner.invoke(args=["purge-candidates"]).output


@pytest.mark.parametrize("held", ["candidate", "requisition", "org_unit"])
def test_a_legal_hold_keeps_the_candidate_and_the_purge_says_which_hold(app, runner, held):
    with app.app_context():
        admin = admin_user()
        set_default(admin, 0)
        loop = closed_loop()
        target = {"candidate": loop.candidate, "requisition": loop.requisition,
                  "org_unit": loop.requisition.org_unit}[held]
        hold = services.place_hold(admin, reason="Claim 2026-114 filed with the labour court.", **{held: target})
        db.session.commit()
        candidate_id, hold_id, admin_id = loop.candidate_id, hold.id, admin.id
    result = runner.invoke(args=["purge-candidates"])
    assert f"#{candidate_id} held: Legal hold {hold_id} on" in result.output
    assert "Claim 2026-114" in result.output and "Erased 0 candidate(s)" in result.output and "1 held" in result.output
    with app.app_context():
        assert db.session.get(Candidate, candidate_id).anonymized_at is None
        services.release_hold(db.session.get(User, admin_id), db.session.get(LegalHold, hold_id))
        db.session.commit()
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("retention.hold%")))
        assert sorted(actions) == ["retention.hold_placed", "retention.hold_released"]
    assert "Erased 1 candidate(s)" in runner.invoke(args=["purge-candidates"]).output


def test_erasing_during_an_open_loop_is_refused_in_words(app):
    with app.app_context():
        set_default(admin_user(), 0)
        loop = closed_loop()
        second = factories.make_loop(step=Step.PHONE_SCREEN)
        second.candidate = loop.candidate
        db.session.commit()
        with pytest.raises(ErasureRefused, match=f"Loop {second.id} is still open"):
            erasure.erase(loop.candidate, None, basis="test")


def test_a_purge_killed_half_way_leaves_no_one_half_erased_and_the_next_run_finishes(app, runner, monkeypatch):
    with app.app_context():
        set_default(admin_user(), 0)
        first, second = closed_loop(), closed_loop()
        db.session.commit()
        ids = [first.candidate_id, second.candidate_id]
        names = [first.candidate.name, second.candidate.name]
    real = erasure.redact_loops
    calls = []

    def dies_on_the_second(loop_ids):
        calls.append(loop_ids)
        real(loop_ids)
        if len(calls) == 2:
            raise RuntimeError("killed")

    monkeypatch.setattr(erasure, "redact_loops", dies_on_the_second)
    result = runner.invoke(args=["purge-candidates"])
    assert result.exit_code == 1 and "Erased 1 candidate(s)" in result.output and "1 failed" in result.output
    with app.app_context():
        half = db.session.get(Candidate, ids[1])
        assert half.name == names[1] and half.anonymized_at is None  # the whole transaction rolled back
        assert db.session.get(Loop, second.id).close_reason != REDACTED
        assert db.session.scalar(select(AuditPersonalData.erased_at).where(
            AuditPersonalData.candidate_id == ids[1])) is None
    monkeypatch.setattr(erasure, "redact_loops", real)
    assert "Erased 1 candidate(s)" in runner.invoke(args=["purge-candidates"]).output
    with app.app_context():
        assert all(db.session.get(Candidate, i).anonymized_at is not None for i in ids)
    assert runner.invoke(args=["verify-audit"]).exit_code == 0


def test_overlapping_policies_the_longest_wins(app):
    with app.app_context():
        admin = admin_user()
        set_default(admin, 100, withdrawn=10)
        loop = closed_loop(LoopStatus.WITHDRAWN, location="Berlin")
        unit = loop.requisition.org_unit
        services.set_policy(admin, scope="org_unit", org_unit=unit,
                            days={status: 50 for status in KEEP_COLUMNS})
        db.session.flush()
        status = rules.status_of(loop.candidate)
        assert (status.erase_on - loop.closed_at).days == 50 and "Org unit" in status.kept_by
        services.set_policy(admin, scope="location", location="berlin ",
                            days={**{s: 1 for s in KEEP_COLUMNS}, "withdrawn": 400})
        db.session.flush()
        status = rules.status_of(loop.candidate)
        assert (status.erase_on - loop.closed_at).days == 400 and "Location berlin" in status.kept_by


DAYS = st.integers(min_value=0, max_value=3000)
POLICY = st.fixed_dictionaries({status: DAYS for status in KEEP_COLUMNS})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(default=st.none() | POLICY, unit=st.none() | POLICY, location=st.none() | POLICY,
       status=st.sampled_from([LoopStatus.HIRED, LoopStatus.NOT_HIRED, LoopStatus.REJECTED, LoopStatus.WITHDRAWN]))
def test_the_erasure_date_is_the_longest_covering_policy(ctx, default, unit, location, status):
    """Property: for any policies, a closed loop keeps its candidate for the longest one that covers it."""
    db.session.rollback()
    admin = db.session.scalar(select(User).where(User.is_admin)) or admin_user()
    db.session.execute(RetentionPolicy.__table__.delete())
    loop = db.session.scalar(select(Loop).where(Loop.status == status))
    if loop is None:
        loop = closed_loop(status, location="Lisbon")
    covering = []
    for scope, days, extra in (("default", default, {}), ("org_unit", unit,
                                                          {"org_unit": loop.requisition.org_unit}),
                               ("location", location, {"location": "Lisbon"})):
        if days is not None:
            services.set_policy(admin, scope=scope, days=days, **extra)
            covering.append(days[str(loop.status)])
    db.session.flush()
    found = rules.status_of(loop.candidate)
    if not covering:
        assert found.erase_on is None and found.no_policy
    else:
        assert found.erase_on == loop.closed_at + timedelta(days=max(covering))


def test_the_candidate_page_shows_the_erasure_date(app, client, auth, recruiter):
    with app.app_context():
        rec = db.session.get(User, recruiter.id)
        set_default(admin_user(), 30)
        loop = closed_loop(recruiter=rec)
        db.session.commit()
        candidate_id, due = loop.candidate_id, loop.closed_at + timedelta(days=30)
    auth.login(recruiter)
    page = client.get(f"/candidates/{candidate_id}").get_data(as_text=True)
    assert f"erased on or after {due:%d %b %Y}" in page and "Default policy, 30 days" in page


def test_the_admin_sets_a_policy_places_a_hold_and_sees_who_is_due(app, client, auth, admin):
    with app.app_context():
        loop = closed_loop()
        db.session.commit()
        candidate_id, name = loop.candidate_id, loop.candidate.name
    auth.login(admin)
    days = {"hired_days": "730", "not_hired_days": "365", "rejected_days": "10", "withdrawn_days": "10"}
    assert client.post("/admin/retention/policies", data={"scope": "default", **days}).status_code == 302
    page = client.get("/admin/retention/").get_data(as_text=True)
    assert name in page and "Due for erasure in the next 30 days" in page
    response = client.post("/admin/retention/holds", data={"kind": "candidate", "candidate_id": str(candidate_id),
                                                           "reason": "Subject access request pending."})
    assert response.status_code == 302
    page = client.get("/admin/retention/").get_data(as_text=True)
    assert "Subject access request pending." in page and f"on candidate {name}" in page
    with app.app_context():
        assert [e.action for e in db.session.scalars(select(AuditEntry).where(
            AuditEntry.action.like("retention.%")).order_by(AuditEntry.seq))] == [
            "retention.policy_set", "retention.hold_placed"]


@pytest.mark.parametrize("data, field_message", [
    ({"scope": "default", "hired_days": "-1", "not_hired_days": "1", "rejected_days": "1", "withdrawn_days": "1"},
     "Enter a number of days from 0 to 36500."),
    ({"scope": "default", "hired_days": "many", "not_hired_days": "1", "rejected_days": "1", "withdrawn_days": "1"},
     "Not a valid integer value."),
    ({"scope": "location", "location": " ", "hired_days": "1", "not_hired_days": "1", "rejected_days": "1",
      "withdrawn_days": "1"}, "Enter the location this policy covers"),
    ({"scope": "org_unit", "org_unit_id": "0", "hired_days": "1", "not_hired_days": "1", "rejected_days": "1",
      "withdrawn_days": "1"}, "Choose the org unit this policy covers."),
])
def test_a_bad_policy_gets_a_message_beside_the_field_and_writes_nothing(app, client, auth, admin, data,
                                                                         field_message):
    auth.login(admin)
    response = client.post("/admin/retention/policies", data=data)
    assert response.status_code == 422 and field_message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(RetentionPolicy)) == 0


@pytest.mark.parametrize("data, message", [
    ({"kind": "candidate", "candidate_id": "999999", "reason": "Claim."}, "Enter the number of an existing candidate."),
    ({"kind": "requisition", "reason": "Claim."}, "Enter the number of an existing requisition."),
    ({"kind": "org_unit", "org_unit_id": "0", "reason": "Claim."}, "Choose the org unit to hold."),
    ({"kind": "candidate", "candidate_id": "1", "reason": "   "}, "Say why the records are held"),
])
def test_a_bad_hold_gets_a_message_and_writes_nothing(app, client, auth, admin, data, message):
    with app.app_context():
        closed_loop()
        db.session.commit()
    auth.login(admin)
    response = client.post("/admin/retention/holds", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(LegalHold)) == 0


def test_releasing_a_hold_twice_answers_409(app, client, auth, admin):
    with app.app_context():
        loop = closed_loop()
        hold = services.place_hold(db.session.get(User, admin.id), reason="Audit.", candidate=loop.candidate)
        db.session.commit()
        hold_id = hold.id
    auth.login(admin)
    assert client.post(f"/admin/retention/holds/{hold_id}/release").status_code == 302
    response = client.post(f"/admin/retention/holds/{hold_id}/release")
    assert response.status_code == 409 and "already released" in response.get_data(as_text=True)


def test_the_daily_job_purges_as_the_command_does(app):
    from app.jobs.tasks import purge_candidates

    with app.app_context():
        set_default(admin_user(), 0)
        loop = closed_loop()
        db.session.commit()
        candidate_id = loop.candidate_id
        purge_candidates.call_local()
        db.session.expire_all()
        assert db.session.get(Candidate, candidate_id).anonymized_at is not None
