"""Loop composition rules: each refuses a panel that breaks it, and names itself."""

from datetime import timedelta

import pytest

from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.interviews.models import InterviewKind
from app.interviews.services import schedule_interview
from app.loops import composition
from app.loops.models import Step
from app.loops.services import create_loop, set_loop_people
from app.people.models import Certification, User
from tests import factories


@pytest.fixture
def loop(ctx):
    """A loop for an L6 role at the in-house interviews, with nobody booked yet."""
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[])
    loop.requisition.level = "L6"
    db.session.flush()
    return loop


def book(loop, interviewer, start=None, kind=InterviewKind.IN_HOUSE):
    start = start or utcnow().replace(microsecond=0) + timedelta(days=2)
    return schedule_interview(loop, loop.recruiter, kind=kind, interviewer=interviewer, starts_at=start,
                              duration_minutes=60, location="Room 4", principles=loop.requisition.principles[:1])


def person(level=None, **kwargs):
    user = factories.make_user(**kwargs)
    user.job_level = level
    db.session.flush()
    return user


def test_an_interviewer_more_than_one_level_below_the_role_is_refused(loop):
    with pytest.raises(ServiceError) as refused:
        book(loop, person(level=4, name="Junior Jo"))
    assert str(refused.value) == "Interviewer level: Junior Jo is L4, more than 1 level below the role (L6)."
    assert refused.value.field == "interviewer_id"
    assert book(loop, person(level=5)).id  # one level below is fine
    assert book(loop, person(level=None)).id  # a level not recorded cannot be judged


def test_the_level_rule_is_configurable_and_can_be_turned_off(loop, ctx):
    ctx.config["INTERVIEWER_MAX_LEVELS_BELOW"] = 2
    assert book(loop, person(level=4)).id
    ctx.config["INTERVIEWER_LEVEL_RULE"] = False
    assert book(loop, person(level=1)).id


def test_the_phone_screen_is_not_held_to_the_level_rule(ctx):
    loop = factories.make_loop(step=Step.PHONE_SCREEN)
    loop.requisition.level = "L6"
    assert book(loop, person(level=3), kind=InterviewKind.PHONE_SCREEN).id


def test_someone_who_would_report_to_the_new_manager_is_refused(loop):
    loop.requisition.manages_people = True
    report = person(name="Rory Report", org_unit="Payments")
    report.manager = loop.hiring_manager
    db.session.flush()
    with pytest.raises(ServiceError) as refused:
        book(loop, report)
    assert str(refused.value).startswith("Nobody who would report to the candidate: Rory Report reports to")
    loop.requisition.manages_people = False  # an individual contributor role: the team stays where it is
    assert book(loop, report).id


def test_changing_the_hiring_manager_rechecks_who_would_report_to_the_candidate(loop):
    loop.requisition.manages_people = True
    new_manager = person(org_unit="Payments")
    report = person(org_unit="Payments")
    report.manager = new_manager
    book(loop, report)
    with pytest.raises(ServiceError, match="Nobody who would report to the candidate"):
        set_loop_people(loop, loop.recruiter, recruiter=loop.recruiter, hiring_manager=new_manager,
                        bar_raiser=loop.bar_raiser, shadow=None)
    assert loop.hiring_manager_id != new_manager.id


def test_a_bar_raiser_who_would_report_to_the_candidate_is_refused(ctx):
    hm = person(org_unit="Payments")
    bar_raiser = person(certification="certified", org_unit="Search")
    bar_raiser.manager = hm
    recruiter = person(is_recruiter=True, org_unit="Talent")
    requisition = factories.make_requisition(hm, recruiter)
    requisition.manages_people = True
    candidate = factories.make_loop().candidate
    with pytest.raises(ServiceError, match="^Nobody who would report to the candidate"):
        create_loop(requisition, candidate, recruiter, recruiter=recruiter, hiring_manager=hm, bar_raiser=bar_raiser)


def test_the_weekly_interview_load_limit_refuses_one_more(loop, ctx):
    ctx.config["MAX_INTERVIEWS_PER_WEEK"] = 2
    busy = person(name="Busy Bo")
    monday = utcnow().replace(hour=9, minute=0, second=0, microsecond=0)
    monday = monday - timedelta(days=monday.weekday()) + timedelta(days=7)
    for day in range(2):
        other = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[])
        book(other, busy, monday + timedelta(days=day))
    with pytest.raises(ServiceError) as refused:
        book(loop, busy, monday + timedelta(days=3))
    assert str(refused.value).startswith("Weekly interview load: Busy Bo already has 2 interviews in the week of")
    assert book(loop, busy, monday + timedelta(days=7)).id  # the next week is free
    ctx.config["MAX_INTERVIEWS_PER_WEEK"] = 0  # no limit
    assert book(factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[]), busy,
                monday + timedelta(days=4)).id


def test_interviewer_suggestions_come_least_loaded_first_and_within_the_rules(loop, ctx):
    ctx.config["MAX_INTERVIEWS_PER_WEEK"] = 2
    start = utcnow().replace(microsecond=0) + timedelta(days=2)
    free, once, full = person(name="Aa Free"), person(name="Ab Once"), person(name="Ac Full")
    junior = person(name="Ad Junior", level=2)
    book(factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[]), once, start)
    for hours in (0, 3):
        book(factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[]), full, start + timedelta(hours=hours))
    suggested = composition.suggest_interviewers(loop, start, limit=500)
    names = [p.name for p, _ in suggested]
    assert full.name not in names and junior.name not in names
    assert names.index(free.name) < names.index(once.name)
    assert dict((p.name, n) for p, n in suggested)[once.name] == 1


def test_a_reverse_shadow_must_be_in_reverse_shadow_and_independent(loop):
    trainee = person(org_unit="Search")
    trainee.certification = Certification.SHADOWING
    people = {"recruiter": loop.recruiter, "hiring_manager": loop.hiring_manager, "bar_raiser": loop.bar_raiser}
    with pytest.raises(ServiceError, match="^Shadow on the path: .* is not in reverse shadow"):
        set_loop_people(loop, loop.recruiter, shadow=trainee, reverse_shadow=True, **people)
    trainee.certification = Certification.REVERSE_SHADOW
    trainee.org_unit = loop.hiring_manager.org_unit
    db.session.flush()
    with pytest.raises(ServiceError, match="^Independent bar raiser: A reverse shadow cannot be from"):
        set_loop_people(loop, loop.recruiter, shadow=trainee, reverse_shadow=True, **people)
    trainee.org_unit = factories.org_unit("Devices")
    db.session.flush()
    set_loop_people(loop, loop.recruiter, shadow=trainee, reverse_shadow=True, **people)
    assert loop.is_reverse_shadow and loop.shadow_id == trainee.id


def test_an_observing_shadow_is_in_training_or_shadowing(loop):
    people = {"recruiter": loop.recruiter, "hiring_manager": loop.hiring_manager, "bar_raiser": loop.bar_raiser}
    for state, allowed in ((Certification.IN_TRAINING, True), (Certification.SHADOWING, True),
                           (Certification.NOMINATED, False), (Certification.REVERSE_SHADOW, False)):
        shadow = person(org_unit="Ads")
        shadow.certification = state
        if allowed:
            set_loop_people(loop, loop.recruiter, shadow=shadow, **people)
            assert loop.shadow_id == shadow.id
        else:
            with pytest.raises(ServiceError, match="^Shadow on the path: .* is not a bar raiser in training"):
                set_loop_people(loop, loop.recruiter, shadow=shadow, **people)


def test_a_recruiter_is_told_which_rule_the_panel_breaks(app, client, auth, recruiter):
    with app.app_context():
        loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[],
                                   recruiter=db.session.get(User, recruiter.id))
        loop.requisition.level = "L6"
        junior = person(level=3, name="Junior Jo")
        same_unit = person(name="Same Unit", certification="certified", org_unit="Payments")
        db.session.commit()
        loop_id, junior_id, same_unit_id = loop.id, junior.id, same_unit.id
        principle_id, start = loop.requisition.principles[0].id, utcnow() + timedelta(days=2)
        people = {"recruiter_id": loop.recruiter_id, "hiring_manager_id": loop.hiring_manager_id,
                  "bar_raiser_id": loop.bar_raiser_id, "shadow_id": 0}
    auth.login(recruiter)
    page = client.get(f"/loops/{loop_id}").get_data(as_text=True)
    assert "Least loaded this week" in page and "Junior Jo" not in page[page.index("Least loaded this week"):]
    refused = client.post(f"/loops/{loop_id}/interviews", data={
        "kind": "in_house", "interviewer_id": junior_id, "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "60", "location": "Room 2", "principle_ids": [principle_id]})
    assert refused.status_code == 422
    assert "Interviewer level: Junior Jo is L3, more than 1 level below the role (L6)." in refused.get_data(
        as_text=True)
    refused = client.post(f"/loops/{loop_id}/people", data={**people, "bar_raiser_id": same_unit_id})
    assert refused.status_code == 422
    assert ("Independent bar raiser: The bar raiser cannot be from the hiring manager&#39;s org unit (Payments)."
            in refused.get_data(as_text=True))


@pytest.mark.parametrize("level, number", [("L6", 6), ("l 7", 7), ("6", 6), ("L²", None), ("L١٢", None),
                                            ("L99", None), ("", None), (None, None)])
def test_a_level_is_read_in_ascii_digits_on_the_scale_only(level, number):
    from app.people.models import level_number

    assert level_number(level) == number


def test_bar_raisers_are_still_suggested_while_the_rest_of_the_panel_is_wrong(ctx):
    from app.loops.composition import suggest_bar_raisers
    from tests import factories as f

    hiring_manager = f.make_user(org_unit="Payments")
    bar_raiser = f.make_user(certification="certified", org_unit="Search")
    hiring_manager.active = False  # the form still names a deactivated hiring manager
    suggested = [person for person, _ in suggest_bar_raisers(hiring_manager, hiring_manager)]
    assert bar_raiser in suggested
