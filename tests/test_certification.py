"""The bar-raiser certification path: every (from, to) pair, each requirement's words, sign-offs."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.db_types import utcnow
from app.debrief.models import PracticeVerdict, Verdict
from app.extensions import db
from app.feedback.models import Vote
from app.interviews.models import InterviewKind
from app.loops.models import Step
from app.people.models import Certification as C
from app.program import certification as path
from app.program.certification import MOVES, PathError
from tests import factories


@pytest.fixture
def no_counts(ctx):
    """Requirements that count loops and sign-offs set to zero, so the table itself is what is tested."""
    for key in ("BAR_RAISER_SHADOW_LOOPS", "BAR_RAISER_REVERSE_SHADOW_LOOPS", "BAR_RAISER_SIGN_OFFS"):
        ctx.config[key] = 0
    return ctx


def person_in(state: C, **kwargs):
    person = factories.make_user(org_unit="Logistics", **kwargs)
    person.job_level = 6
    person.certification = state
    db.session.flush()
    return person


def admin():
    return factories.make_user(is_admin=True, org_unit="People Ops")


PAIRS = [(a, b) for a in C for b in C]


@pytest.mark.parametrize(("frm", "to"), PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_every_pair_is_allowed_or_refused_by_the_table(no_counts, frm, to):
    person, actor = person_in(frm), admin()
    if (frm, to) in MOVES:
        path.move(person, to, actor, "Agreed at the program review.")
        assert person.certification == to
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.certification_changed",
                                                            AuditEntry.subject_id == person.id)).one()
        assert (entry.from_state, entry.to_state, entry.actor_id) == (frm.value, to.value, actor.id)
        assert entry.reason == "Agreed at the program review."
    else:
        with pytest.raises(PathError) as refused:
            path.move(person, to, actor, "Agreed at the program review.")
        assert person.certification == frm
        if frm == to:
            assert "already" in refused.value.message
        else:
            assert f"From {frm.label.lower()}" in refused.value.message
            for allowed in path.next_states(frm):
                assert allowed.label.lower() in refused.value.message


def test_a_move_needs_its_note(no_counts):
    person = person_in(C.NOMINATED)
    with pytest.raises(PathError) as refused:
        path.move(person, C.IN_TRAINING, admin(), "  ")
    assert refused.value.field == "note" and refused.value.message == "Note the training they will take."


def test_a_certified_bar_raiser_nominates_but_does_not_certify(no_counts):
    bar_raiser = person_in(C.CERTIFIED)
    nominee = person_in(C.NONE)
    path.move(nominee, C.NOMINATED, bar_raiser, "Ran the on-call review like a debrief; asks for evidence.")
    assert nominee.certification == C.NOMINATED
    with pytest.raises(PathError, match="Only an admin can accept the nomination"):
        path.move(nominee, C.IN_TRAINING, bar_raiser, "Course next month.")
    someone = factories.make_user()
    with pytest.raises(PathError, match="Only an admin or a certified bar raiser can nominate"):
        path.move(person_in(C.NONE), C.NOMINATED, someone, "Seems sharp.")


def test_nobody_nominates_themselves(no_counts):
    bar_raiser = person_in(C.CERTIFIED, is_admin=True)
    with pytest.raises(PathError, match="Nobody moves themselves"):
        path.move(bar_raiser, C.PAUSED, bar_raiser, "Parental leave.")


def test_accepting_a_nomination_needs_a_level_and_an_org_unit(ctx):
    person = person_in(C.NOMINATED)
    person.job_level, person.org_unit = None, None
    with pytest.raises(PathError) as refused:
        path.move(person, C.IN_TRAINING, admin(), "Course next month.")
    assert any("job level" in u for u in refused.value.unmet)
    assert any("org unit" in u for u in refused.value.unmet)


def shadowed_loop(trainee, *, practice: bool = True):
    loop = factories.make_loop(step=Step.DEBRIEF, shadow=trainee)
    if practice:
        interview = next(i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE)
        factories.submit_feedback(interview, trainee, Vote.INCLINED, practice=True)
    return loop


def test_reverse_shadowing_waits_for_three_shadowed_loops_with_practice_feedback(ctx):
    trainee = person_in(C.SHADOWING)
    shadowed_loop(trainee)
    shadowed_loop(trainee)
    shadowed_loop(trainee, practice=False)  # sat in, wrote nothing: does not count
    assert path.unmet_requirements(trainee, C.REVERSE_SHADOW) == [
        "Shadow 3 loops with practice feedback submitted (2 so far)."]
    with pytest.raises(PathError) as refused:
        path.move(trainee, C.REVERSE_SHADOW, admin(), "Ready.")
    assert refused.value.unmet == ["Shadow 3 loops with practice feedback submitted (2 so far)."]
    shadowed_loop(trainee)
    path.move(trainee, C.REVERSE_SHADOW, admin(), "Ready.")
    assert trainee.certification == C.REVERSE_SHADOW


def test_the_shadow_count_is_configurable(ctx):
    ctx.config["BAR_RAISER_SHADOW_LOOPS"] = 1
    trainee = person_in(C.SHADOWING)
    shadowed_loop(trainee)
    assert path.unmet_requirements(trainee, C.REVERSE_SHADOW) == []


def reverse_shadowed(trainee, verdict: str = Verdict.CONCUR):
    loop = factories.make_loop(step=Step.DEBRIEF, shadow=trainee)
    loop.is_reverse_shadow = True
    db.session.add(PracticeVerdict(loop=loop, trainee=trainee, verdict=verdict, rationale="Would have concurred."))
    db.session.flush()
    return loop


def test_certifying_needs_a_reverse_shadow_loop_and_two_sign_offs(ctx):
    trainee = person_in(C.REVERSE_SHADOW)
    signers = [person_in(C.CERTIFIED) for _ in range(2)]
    assert path.unmet_requirements(trainee, C.CERTIFIED) == [
        "Run 1 loop as reverse shadow through to a practice verdict (0 so far).",
        "Be signed off by 2 certified bar raisers (0 so far).",
    ]
    reverse_shadowed(trainee)
    path.sign_off(trainee, signers[0], "Ran a clean debrief; held the line on Dive Deep.")
    assert path.unmet_requirements(trainee, C.CERTIFIED) == ["Be signed off by 2 certified bar raisers (1 so far)."]
    path.sign_off(trainee, signers[1], "Rationale was written from the evidence, not the room.")
    path.move(trainee, C.CERTIFIED, admin(), "Two sign-offs, one supervised loop.")
    assert trainee.certification == C.CERTIFIED and trainee.is_certified_bar_raiser


def test_sign_offs_come_from_certified_bar_raisers_once_each_with_a_note(ctx):
    trainee = person_in(C.REVERSE_SHADOW)
    signer = person_in(C.CERTIFIED)
    with pytest.raises(PathError, match="Only certified bar raisers sign off"):
        path.sign_off(trainee, person_in(C.SHADOWING), "Good.")
    with pytest.raises(PathError) as refused:
        path.sign_off(trainee, signer, " ")
    assert refused.value.field == "note"
    path.sign_off(trainee, signer, "Ready.")
    with pytest.raises(PathError, match="already signed off"):
        path.sign_off(trainee, signer, "Still ready.")
    with pytest.raises(PathError, match="not in reverse shadow"):
        path.sign_off(person_in(C.SHADOWING), signer, "Ready.")
    assert [e.action for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.subject_id == trainee.id, AuditEntry.action == "user.signed_off"))
    ] == ["user.signed_off"]


def test_a_new_round_in_reverse_shadow_starts_without_the_old_sign_offs(ctx):
    trainee = person_in(C.REVERSE_SHADOW)
    path.sign_off(trainee, person_in(C.CERTIFIED), "Ready.")
    assert len(path.sign_offs(trainee)) == 1
    trainee.certification = C.RETIRED
    trainee.certification = C.REVERSE_SHADOW
    trainee.certification_since = utcnow() + timedelta(seconds=1)
    assert path.sign_offs(trainee) == []


def test_pausing_or_retiring_waits_until_open_loops_are_handed_over(ctx):
    bar_raiser = person_in(C.CERTIFIED)
    factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, bar_raiser=bar_raiser)
    for to in (C.PAUSED, C.RETIRED):
        with pytest.raises(PathError) as refused:
            path.move(bar_raiser, to, admin(), "Sabbatical.")
        assert refused.value.unmet == [f"Hand over 1 open loop where {bar_raiser.name} is the bar raiser."]


def test_a_paused_bar_raiser_cannot_be_a_loops_bar_raiser(ctx):
    from app.loops.services import independence_problems

    bar_raiser = person_in(C.PAUSED)
    problems = independence_problems(bar_raiser=bar_raiser, hiring_manager=factories.make_user(org_unit="Payments"),
                                     recruiter=factories.make_user(is_recruiter=True, org_unit="Talent"))
    assert ("bar_raiser_id", f"Independent bar raiser: {bar_raiser.name} is not a certified bar raiser.") in problems


def test_a_move_made_on_a_stale_state_loses_to_the_one_made_first(app):
    """Two admins load the same nominated person; the first moves them, the second is told (409), not obeyed."""
    from app.errors import Conflict
    from app.people.models import User

    with app.app_context():
        person = person_in(C.NOMINATED)
        first, second = admin(), admin()
        db.session.commit()
        person_id, first_id, second_id = person.id, first.id, second.id
    with app.app_context():
        stale = db.session.get(User, person_id)  # the second admin's view, loaded before the first admin's move
        assert stale.certification == C.NOMINATED
        with app.app_context():  # the first admin, in a session of their own
            db.session.get(User, person_id)
            path.move(db.session.get(User, person_id), C.IN_TRAINING, db.session.get(User, first_id), "Course.")
            db.session.commit()
        with pytest.raises(Conflict, match="moved .* along the path a moment ago"):
            path.move(stale, C.RETIRED, db.session.get(User, second_id), "Leaves.")
        db.session.rollback()
        assert db.session.get(User, person_id).certification == C.IN_TRAINING
