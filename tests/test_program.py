"""The program page: who sees it, what it counts, nominations, sign-offs, and the walk to certified."""

import re

import pytest
from sqlalchemy import event

from app.db_types import utcnow
from app.debrief.models import DebriefDecision, PracticeVerdict
from app.extensions import db
from app.interviews.models import InterviewKind
from app.loops.models import LoopStatus, Step
from app.people.models import Certification, User
from app.program.models import SignOff
from tests import factories
from tests.conftest import make_person


def set_state(app, person, state, **attrs):
    with app.app_context():
        user = db.session.get(User, person.id)
        user.certification = state
        for key, value in attrs.items():
            setattr(user, key, value)
        db.session.commit()


@pytest.fixture
def record(app, bar_raiser, hiring_manager):
    """The bar raiser's record: a concurred hire, a veto, and a No hire they had voted against."""
    with app.app_context():
        br, hm = db.session.get(User, bar_raiser.id), db.session.get(User, hiring_manager.id)
        factories.make_loop(step=Step.REFERENCE_CHECK, bar_raiser=br, hiring_manager=hm)  # Inclined + concur
        factories.make_loop(step=Step.DEBRIEF, bar_raiser=br, hiring_manager=hm, outcome="hire", verdict="veto",
                            status=LoopStatus.NOT_HIRED)  # voted Inclined, then vetoed: disagreed
        factories.make_loop(step=Step.DEBRIEF, bar_raiser=br, hiring_manager=hm, outcome="no_hire",
                            status=LoopStatus.NOT_HIRED)  # voted Inclined, the manager said no: disagreed
        factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, bar_raiser=br, hiring_manager=hm)  # open
        db.session.commit()


def test_admins_and_certified_bar_raisers_see_the_program_with_each_record(client, auth, admin, bar_raiser, record):
    for viewer in (admin, bar_raiser):
        auth.login(viewer)
        page = client.get("/program")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        table = html[html.index('id="people-heading"'):]
        row = table[table.index(bar_raiser.name):]
        row = row[:row.index("</tr>")]
        # Open loops 2 (references, interviews), loops this year 4, veto rate 1 of 2 verdicts,
        # agreement 1 of 3 decided debriefs (the concur; not the veto, nor the No hire they voted against).
        cells = re.findall(r'<td class="num"[^>]*>([^<]*)', row)
        assert [cell.strip() for cell in cells] == ["2", "4", "50%", "33%"]
        assert "Open loops per certified bar raiser" in html and "Veto rate per certified bar raiser" in html
        auth.logout()


def test_a_trainee_sees_their_own_progress_and_nobody_elses(app, client, auth, shadow, interviewer):
    set_state(app, shadow, Certification.SHADOWING)
    auth.login(shadow)
    page = client.get("/program")
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/program/people/{shadow.id}")
    mine = client.get(f"/program/people/{shadow.id}").get_data(as_text=True)
    assert "0 of 3 loops shadowed with practice feedback." in mine
    assert "Start reverse shadowing" not in mine  # a trainee does not move themselves
    assert client.get(f"/program/people/{interviewer.id}").status_code == 404
    auth.logout()
    auth.login(interviewer)
    assert client.get("/program").status_code == 403


def test_a_certified_bar_raiser_nominates_with_a_reason(app, client, auth, bar_raiser, interviewer):
    auth.login(bar_raiser)
    blank = client.post("/program/nominate", data={"person_id": interviewer.id, "note": ""})
    assert blank.status_code == 422 and "Say why this person would make a good bar raiser." in blank.get_data(
        as_text=True)
    nobody = client.post("/program/nominate", data={"person_id": 0, "note": "Sharp."})
    assert nobody.status_code == 422 and "Choose the person to nominate." in nobody.get_data(as_text=True)
    done = client.post("/program/nominate", data={"person_id": interviewer.id,
                                                  "note": "Wrote the clearest feedback on the panel all year."})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(User, interviewer.id).certification == Certification.NOMINATED


def test_a_second_sign_off_by_the_same_signer_is_refused(app, client, auth, bar_raiser, shadow):
    set_state(app, shadow, Certification.REVERSE_SHADOW)
    auth.login(bar_raiser)
    assert client.post(f"/program/people/{shadow.id}/sign-off", data={"note": ""}).status_code == 422
    assert client.post(f"/program/people/{shadow.id}/sign-off",
                       data={"note": "Held the line on a thin Dive Deep."}).status_code == 302
    again = client.post(f"/program/people/{shadow.id}/sign-off", data={"note": "Again."})
    assert again.status_code in (302, 409, 422)
    assert again.status_code != 302, "a refused sign-off must not claim success"
    with app.app_context():
        assert db.session.query(SignOff).count() == 1


def test_an_admin_walks_a_person_from_nominated_to_certified(app, client, auth, admin, interviewer):
    """Every move through the pages, each refused until its requirements are met."""
    signers = [make_person(app, f"signer{n}@example.test", f"Signer {n}", certification="certified",
                           org_unit="Devices") for n in range(2)]
    auth.login(admin)

    def move(to, note="Agreed at the program review."):
        return client.post(f"/program/people/{interviewer.id}/move", data={"to": to, "note": note})

    assert move("nominated", "Asks for evidence in every review.").status_code == 302
    refused = move("in_training")
    assert refused.status_code == 422 and "job level" in refused.get_data(as_text=True)
    with app.app_context():
        db.session.get(User, interviewer.id).job_level = 6
        db.session.commit()
    assert move("in_training").status_code == 302
    assert move("shadowing", "Completed the bar-raiser course, March cohort.").status_code == 302
    refused = move("reverse_shadow")
    assert refused.status_code == 422 and "Shadow 3 loops with practice feedback submitted (0 so far)." in \
        refused.get_data(as_text=True)
    with app.app_context():
        trainee = db.session.get(User, interviewer.id)
        for _ in range(3):
            loop = factories.make_loop(step=Step.DEBRIEF, shadow=trainee)
            interview = next(i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE)
            factories.submit_feedback(interview, trainee, "inclined", practice=True)
        db.session.commit()
    assert move("reverse_shadow").status_code == 302
    refused = move("certified")
    assert refused.status_code == 422
    assert "Be signed off by 2 certified bar raisers (0 so far)." in refused.get_data(as_text=True)
    with app.app_context():
        trainee = db.session.get(User, interviewer.id)
        loop = factories.make_loop(step=Step.DEBRIEF, shadow=trainee)
        loop.is_reverse_shadow = True
        db.session.add(PracticeVerdict(loop=loop, trainee=trainee, verdict="concur", rationale="Raises the bar."))
        db.session.add(DebriefDecision(loop=loop, outcome="hire", rationale="Strong.", decided_by=loop.hiring_manager,
                                       verdict="concur", verdict_rationale="Agreed.", verdict_by=loop.bar_raiser,
                                       verdict_at=utcnow()))
        db.session.commit()
    auth.logout()
    for signer in signers:
        auth.login(signer)
        assert client.post(f"/program/people/{interviewer.id}/sign-off",
                           data={"note": f"{signer.name}: ran a clean debrief."}).status_code == 302
        auth.logout()
    auth.login(admin)
    assert move("certified", "Two sign-offs and a supervised loop.").status_code == 302
    with app.app_context():
        assert db.session.get(User, interviewer.id).certification == Certification.CERTIFIED
    page = client.get(f"/program/people/{interviewer.id}").get_data(as_text=True)
    for words in ("nominated", "in training", "shadowing", "reverse shadow", "certified", "Signer 0", "Signer 1"):
        assert words in page


def test_the_program_page_runs_the_same_statements_for_more_people_and_loops(app, client, auth, admin, bar_raiser):
    """The records come from the rollups and trainees' progress is counted for everyone at once."""
    def add_people_and_loops():
        with app.app_context():
            br = db.session.get(User, bar_raiser.id)
            for state in ("in_training", "shadowing", "reverse_shadow", "certified"):
                trainee = factories.make_user(certification=state, org_unit="Search")
                trainee.certification_since = utcnow()
                loop = factories.make_loop(step=Step.DEBRIEF, bar_raiser=br, shadow=trainee,
                                           outcome="no_hire", status=LoopStatus.NOT_HIRED)
                interview = next(i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE)
                factories.submit_feedback(interview, trainee, "inclined", practice=True)
                if state == "reverse_shadow":
                    db.session.add(SignOff(trainee=trainee, signer=br, note="Ready.",
                                           round_started_at=trainee.certification_since))
            db.session.commit()
            return db.engine

    engine = add_people_and_loops()
    statements = []

    def count(*args):
        statements.append(1)

    auth.login(admin)
    client.get("/program")
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/program").status_code == 200
        few = len(statements)
        add_people_and_loops()
        statements.clear()
        html = client.get("/program").get_data(as_text=True)
        assert len(statements) == few
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert html.count("1 of 3 loops shadowed with practice feedback.") == 2
    assert html.count("In training; 1 loop shadowed so far.") == 2
    assert html.count("0 of 1 reverse-shadow loop; 1 of 2 sign-offs.") == 2
