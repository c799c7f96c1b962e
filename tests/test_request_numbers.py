"""Numbers a request carries (path ids, filters, form fields) are read in ASCII digits and within the ids' range.

And text a request carries holds no NUL character, which PostgreSQL cannot store.

An id beyond what the id columns hold is an id of nothing: 404. A filter that
is not such a number is a bad request: 400 saying which. Neither is a 500.
"""

import pytest
from sqlalchemy import func, select

from app.candidates.models import Candidate
from app.extensions import db
from app.integers import ID_MAX, parse_int
from app.loops.models import Loop, Step
from app.people.models import User
from tests.conftest import PASSWORD
from tests.factories import build_world

HUGE = "99999999999999999999"
OVER_UINT64 = str(2**64)
JUST_OVER = str(ID_MAX + 1)  # fits SQLite's 64 bits, not PostgreSQL's INTEGER


@pytest.mark.parametrize("text, expected", [
    ("0", 0), ("42", 42), (str(ID_MAX), ID_MAX), (JUST_OVER, None), (HUGE, None), ("-1", None), ("", None),
    ("²", None), ("³", None), ("١٢", None), ("１２", None), (" 12", None), ("12 ", None), ("1_000", None),
    ("+1", None), ("1e3", None), (None, None), (7, 7), (True, None),
])
def test_parse_int_reads_ascii_digits_within_the_id_range(text, expected):
    assert parse_int(text) == expected


def signed_in(app, world, role: str):
    client = app.test_client()
    assert client.post("/login", data={"email": world["emails"][role], "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("path", [
    f"/loops/{HUGE}", f"/loops/{OVER_UINT64}/history", f"/loops/{JUST_OVER}", f"/loops/{JUST_OVER}/debrief",
    f"/loops/{JUST_OVER}/debrief.pdf", f"/candidates/{HUGE}", f"/candidates/{JUST_OVER}/resume.pdf",
    f"/requisitions/{HUGE}", f"/requisitions/{JUST_OVER}", f"/metrics/interviewers/{HUGE}",
    f"/metrics/interviewers/{JUST_OVER}", f"/admin/users/{JUST_OVER}", f"/admin/org-units/{HUGE}",
    "/loops/²", "/loops/١", "/loops/{loop_id}/interviews/" + JUST_OVER + ".ics",
])
def test_an_id_beyond_the_id_columns_or_not_in_ascii_digits_is_not_found(app, path):
    world = build_world(app)
    for role in ("recruiter", "admin"):
        response = signed_in(app, world, role).get(path.format(**world["values"]))
        assert response.status_code == 404, (role, path)


FILTERS = [f"person={HUGE}", f"org_unit={HUGE}", f"requisition={HUGE}", f"step={HUGE}", f"person={JUST_OVER}",
           "step=²", "requisition=³", "org_unit=١", "person=-1", "step=abc"]


@pytest.mark.parametrize("path, query", [("/loops/", q) for q in FILTERS + [
    f"page={HUGE}", "page=²", "page=0", "page=abc"]] + [("/loops/export.csv", q) for q in FILTERS])
def test_a_number_filter_out_of_range_or_not_ascii_is_a_bad_request_saying_which(app, path, query):
    world = build_world(app)
    response = signed_in(app, world, "recruiter").get(f"{path}?{query}")
    assert response.status_code == 400, (path, query)
    name = query.split("=")[0]
    assert f"“{name}” must be a whole number" in response.get_data(as_text=True)


def test_a_new_loop_prefilled_with_an_out_of_range_id_is_a_bad_request(app):
    world = build_world(app)
    client = signed_in(app, world, "recruiter")
    assert client.get(f"/loops/new?requisition_id={HUGE}").status_code == 400
    assert client.get("/loops/new?candidate_id=²").status_code == 400
    assert client.get(f"/loops/new?requisition_id={world['values']['requisition_id']}").status_code == 200


@pytest.mark.parametrize("field", ["requisition_id", "candidate_id", "hiring_manager_id", "recruiter_id",
                                   "bar_raiser_id"])
@pytest.mark.parametrize("value", [HUGE, JUST_OVER, "²", "١"])
def test_a_posted_id_out_of_range_or_not_ascii_is_a_field_error(app, field, value):
    world = build_world(app)
    with app.app_context():
        candidate = Candidate(name="Ada Newcomer", email="ada.newcomer@example.test")
        db.session.add(candidate)
        db.session.flush()
        candidate_id = candidate.id
        recruiter_id = db.session.scalar(select(User.id).where(User.email == world["emails"]["recruiter"]))
        db.session.commit()

        def loops():
            return db.session.scalar(select(func.count()).select_from(Loop))
        before = loops()
    valid = {"requisition_id": world["values"]["requisition_id"], "candidate_id": candidate_id,
             "recruiter_id": recruiter_id, "hiring_manager_id": 0, "bar_raiser_id": 0, "shadow_id": 0}
    client = signed_in(app, world, "recruiter")
    response = client.post("/loops/new", data={**valid, field: value})
    assert response.status_code == 422
    assert "Invalid Choice: could not coerce." in response.get_data(as_text=True)  # beside the field, not a 500
    with app.app_context():
        assert loops() == before
    assert client.post("/loops/new", data=valid).status_code == 302  # the same form, every id valid, is taken


def test_unicode_digits_in_a_form_number_are_refused_not_a_server_error(app):
    world = build_world(app)
    loop_id, interview_id = world["values"]["loop_id"], world["values"]["interview_id"]
    iv = signed_in(app, world, "iv")
    response = iv.post(f"/loops/{loop_id}/interviews/{interview_id}/feedback",
                       data={"version": "²", "summary": "x", "save": "1"})
    assert response.status_code < 500
    assert response.status_code == 409  # no version to check against a sealed feedback: nothing is saved over it
    recruiter = signed_in(app, world, "recruiter")
    assert recruiter.post(f"/loops/{loop_id}/advance", data={"to_step": "³"}).status_code < 500
    assert recruiter.post(f"/loops/{loop_id}/advance", data={"to_step": HUGE}).status_code < 500
    # On a loop the recruiter may move on, a step in other digits is no step: refused, and the loop stays.
    with app.app_context():
        from tests import factories

        recruiter_user = db.session.scalar(select(User).where(User.email == world["emails"]["recruiter"]))
        movable = factories.make_loop(step=Step.WRITTEN_FEEDBACK, recruiter=recruiter_user)
        movable_id = movable.id
        db.session.commit()
    for to_step in ("⁶", HUGE):
        refused = recruiter.post(f"/loops/{movable_id}/advance", data={"to_step": to_step})
        assert refused.status_code == 409 and "can only move to Debrief" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Loop, movable_id).step == Step.WRITTEN_FEEDBACK
    # The same step in ASCII digits is read as the debrief, and refused only by its gate.
    read = recruiter.post(f"/loops/{movable_id}/advance", data={"to_step": "6"}).get_data(as_text=True)
    assert "Written feedback is not done yet." in read and "can only move to" not in read


def test_a_nul_character_in_a_query_or_a_form_is_a_bad_request(app):
    world = build_world(app)
    client = signed_in(app, world, "recruiter")
    for response in (client.get("/candidates/?q=Jo%00"), client.get("/loops/?status=op%00en"),
                     client.post("/candidates/new", data={"name": "Jo\x00Park"}),
                     client.post("/candidates/new", data={"name\x00": "Jo"})):
        assert response.status_code == 400
        assert "NUL character" in response.get_data(as_text=True)
    assert client.post("/candidates/new", data={"name": "Jo Park"}).status_code == 302
