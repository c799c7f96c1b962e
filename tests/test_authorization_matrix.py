"""Every route, called as every kind of person, answers as the table says.

The table is keyed by endpoint; a route added without a row fails
`test_every_route_has_a_row`. "ok" means the request was allowed and done
(200, 302); "rule" means it got past authorization and a product rule or the
form refused it (400, 409, 422: see `REFUSED_BY_A_RULE`); "login" means sent
to sign in; 403 and 404 are the refusals. Non-participants get 404 for
anything of a loop, participants without the right get 403.

The world: a loop at the debrief, with its recruiter, hiring manager, bar
raiser, an interviewer who has submitted, a shadow, an interviewer on another
loop, and an admin who takes part in no loop.
"""

import hashlib

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.feedback.models import Feedback
from app.people.models import User
from tests.conftest import PASSWORD
from tests.factories import build_world, routes, url_for_rule

ROLES = ("anon", "admin", "recruiter", "hm", "br", "iv", "other_iv", "shadow")
PARTICIPANTS = {"recruiter", "hm", "br", "iv", "shadow"}
SIGNED_IN = set(ROLES) - {"anon"}


def allow(*who, refuse=403, outsiders=404, anon="login"):
    """Build a row: `who` get "ok"; other participants `refuse`; non-participants `outsiders`."""
    who = set(who)
    row = {}
    for role in ROLES:
        if role == "anon":
            row[role] = anon
        elif role in who:
            row[role] = "ok"
        elif role in PARTICIPANTS:
            row[role] = refuse
        else:
            row[role] = outsiders
    return row


EVERYONE = {role: "ok" for role in ROLES}
SIGNED_IN_OK = {**{role: "ok" for role in SIGNED_IN}, "anon": "login"}
ADMIN_ONLY = {**{role: 403 for role in SIGNED_IN}, "admin": "ok", "anon": "login"}
RECRUITERS_ONLY = {**{role: 403 for role in SIGNED_IN}, "recruiter": "ok", "anon": "login"}
METRICS_VIEWERS = {**{role: 403 for role in SIGNED_IN}, "recruiter": "ok", "admin": "ok", "br": "ok",
                   "anon": "login"}
CURATORS = {**{role: 403 for role in SIGNED_IN}, "admin": "ok", "br": "ok", "anon": "login"}  # certified
LOOP_PARTICIPANTS = allow(*PARTICIPANTS)
# The program: admins and certified bar raisers; a person on the path is sent to their own page.
PROGRAM_VIEWERS = {**{role: 403 for role in SIGNED_IN}, "admin": "ok", "br": "ok", "shadow": "ok", "anon": "login"}
NOMINATORS = {**{role: 403 for role in SIGNED_IN}, "admin": "ok", "br": "ok", "anon": "login"}
# One person's page on the path (the world's interviewer): the program's overseers and the person.
PROGRAM_PERSON = {**{role: 404 for role in SIGNED_IN}, "admin": "ok", "br": "ok", "iv": "ok", "anon": "login"}
NO_ONE_AT_THIS_STEP = allow()  # participants 403 (wrong step or role), others 404
# SCIM answers a provisioning token only: a cookie signs no one in there, whoever it belongs to (401).
BEARER_ONLY = {role: 401 for role in ROLES}
SCIM_ROUTES = {
    ("scim.users", "GET"), ("scim.create_user", "POST"), ("scim.user", "GET"), ("scim.replace_user", "PUT"),
    ("scim.patch_user", "PATCH"), ("scim.delete_user", "DELETE"), ("scim.service_provider_config", "GET"),
    ("scim.resource_types", "GET"), ("scim.resource_type", "GET"), ("scim.schemas_index", "GET"),
    ("scim.schema", "GET"),
    *(("scim.elsewhere", method) for method in ("GET", "POST", "PUT", "PATCH", "DELETE")),
}

# (endpoint, method) -> expected answer per role
TABLE = {
    ("main.home", "GET"): SIGNED_IN_OK,
    ("main.healthz", "GET"): EVERYONE,
    ("auth.login", "GET"): EVERYONE,
    ("auth.login", "POST"): EVERYONE,
    ("auth.logout", "POST"): {role: "login" for role in ROLES},  # signing out lands on the sign-in page
    ("auth.oidc_start", "GET"): {role: 404 for role in ROLES},  # no sign-in provider configured here
    ("auth.oidc_callback", "GET"): {role: 404 for role in ROLES},
    ("admin.index", "GET"): ADMIN_ONLY,
    ("admin.users", "GET"): ADMIN_ONLY,
    ("admin.new_user", "GET"): ADMIN_ONLY,
    ("admin.new_user", "POST"): ADMIN_ONLY,
    ("admin.edit_user", "GET"): ADMIN_ONLY,
    ("admin.edit_user", "POST"): ADMIN_ONLY,
    ("admin.set_active", "POST"): ADMIN_ONLY,
    ("admin.set_password", "POST"): ADMIN_ONLY,
    ("admin.set_break_glass", "POST"): ADMIN_ONLY,
    ("admin.org_unit_list", "GET"): ADMIN_ONLY,
    ("admin.org_unit_list", "POST"): ADMIN_ONLY,
    ("admin.edit_org_unit", "GET"): ADMIN_ONLY,
    ("admin.edit_org_unit", "POST"): ADMIN_ONLY,
    ("admin.principles", "GET"): ADMIN_ONLY,
    ("admin.principles", "POST"): ADMIN_ONLY,
    ("admin.edit_principle", "GET"): ADMIN_ONLY,
    ("admin.edit_principle", "POST"): ADMIN_ONLY,
    ("admin.principle_action", "POST"): ADMIN_ONLY,
    ("admin.jobs", "GET"): ADMIN_ONLY,
    ("admin.clear_job", "POST"): {**ADMIN_ONLY, "admin": 404},  # no such failed job
    ("audit.index", "GET"): ADMIN_ONLY,
    ("retention.index", "GET"): ADMIN_ONLY,
    ("retention.set_policy", "POST"): ADMIN_ONLY,
    ("retention.remove_policy", "POST"): ADMIN_ONLY,
    ("retention.place_hold", "POST"): ADMIN_ONLY,
    ("retention.release_hold", "POST"): ADMIN_ONLY,
    ("audit.export", "GET"): ADMIN_ONLY,
    ("candidates.index", "GET"): RECRUITERS_ONLY,
    ("candidates.new", "GET"): RECRUITERS_ONLY,
    ("candidates.new", "POST"): RECRUITERS_ONLY,
    ("candidates.show", "GET"): LOOP_PARTICIPANTS,
    ("candidates.edit", "GET"): allow("recruiter"),
    ("candidates.edit", "POST"): allow("recruiter"),
    ("candidates.resume", "GET"): allow(*PARTICIPANTS),
    ("candidates.export", "GET"): {**allow("recruiter"), "admin": "ok"},
    ("requisitions.index", "GET"): SIGNED_IN_OK,
    ("requisitions.new", "GET"): RECRUITERS_ONLY,
    ("requisitions.new", "POST"): RECRUITERS_ONLY,
    ("requisitions.show", "GET"): {**allow("recruiter", "hm", refuse=404), "admin": "ok"},
    ("requisitions.describe", "POST"): {**allow("hm", refuse=404), "recruiter": 403, "admin": 403},
    ("requisitions.approve", "POST"): {**allow("hm", refuse=404), "recruiter": 403, "admin": 403},
    ("requisitions.close", "POST"): {**allow("recruiter", "hm", refuse=404), "admin": 403},
    ("loops.index", "GET"): SIGNED_IN_OK,
    ("loops.new", "GET"): RECRUITERS_ONLY,
    ("loops.new", "POST"): RECRUITERS_ONLY,
    ("loops.show", "GET"): LOOP_PARTICIPANTS,
    ("loops.history", "GET"): LOOP_PARTICIPANTS,
    ("loops.people", "GET"): allow("recruiter"),
    ("loops.people", "POST"): allow("recruiter"),
    ("loops.screen", "POST"): LOOP_PARTICIPANTS,
    ("loops.advance", "POST"): NO_ONE_AT_THIS_STEP,  # the debrief decision moves a loop from step 6
    ("loops.close", "GET"): allow("recruiter", "hm"),
    ("loops.close", "POST"): allow("recruiter", "hm"),
    ("interviews.schedule", "POST"): allow("recruiter"),
    ("interviews.cancel", "POST"): allow("recruiter"),
    ("interviews.reschedule", "GET"): allow("recruiter"),  # the page says why this interview can no longer move
    ("interviews.reschedule", "POST"): allow("recruiter"),
    ("calendar.account", "GET"): SIGNED_IN_OK,
    ("calendar.issue", "POST"): SIGNED_IN_OK,
    ("calendar.revoke", "POST"): SIGNED_IN_OK,
    ("calendar.feed", "GET"): {role: 404 for role in ROLES},  # public, but only with a feed's secret
    ("interviews.calendar", "GET"): LOOP_PARTICIPANTS,
    ("feedback.loop_feedback", "GET"): LOOP_PARTICIPANTS,
    ("feedback.write", "GET"): allow("iv", "shadow"),
    ("feedback.write", "POST"): allow("iv", "shadow"),
    ("feedback.amend", "POST"): allow("iv", "shadow"),  # a shadow amends their own practice feedback
    ("debrief.show", "GET"): LOOP_PARTICIPANTS,
    ("debrief.final_vote", "POST"): allow("iv", "br", "hm"),  # interviewers; the service refuses the phone screen
    ("debrief.decision", "POST"): allow("hm"),
    ("debrief.verdict", "POST"): allow("br"),
    ("debrief.summary_page", "GET"): allow("br"),
    ("debrief.summary_page", "POST"): allow("br"),
    ("debrief.agenda_note", "POST"): allow("br"),
    ("debrief.practice_verdict", "POST"): allow("shadow"),  # the service refuses one who only observes
    ("program.index", "GET"): PROGRAM_VIEWERS,
    ("program.nominate", "POST"): NOMINATORS,
    ("program.person", "GET"): PROGRAM_PERSON,
    ("program.move", "POST"): PROGRAM_PERSON,  # the path refuses all but an admin's or a nominator's move
    ("program.sign_off", "POST"): {**PROGRAM_PERSON, "admin": 403, "br": 403, "iv": 403},  # not in reverse shadow
    ("reports.debrief_pdf", "GET"): allow("recruiter", "hm", "br"),
    ("references.add", "POST"): NO_ONE_AT_THIS_STEP,
    ("offers.extend", "POST"): NO_ONE_AT_THIS_STEP,
    ("offers.resolve", "POST"): NO_ONE_AT_THIS_STEP,
    ("metrics.index", "GET"): METRICS_VIEWERS,
    ("metrics.interviewers", "GET"): METRICS_VIEWERS,
    ("metrics.table_csv", "GET"): METRICS_VIEWERS,
    ("metrics.interviewer", "GET"): METRICS_VIEWERS,
    ("metrics.export_loops", "GET"): SIGNED_IN_OK,
    ("auth.keepalive", "POST"): SIGNED_IN_OK,
    ("feedback.autosave", "POST"): allow("iv", "shadow"),
    ("kits.bank", "GET"): CURATORS,
    ("kits.new_question", "GET"): CURATORS,
    ("kits.new_question", "POST"): CURATORS,
    ("kits.question", "GET"): CURATORS,
    ("kits.question", "POST"): CURATORS,
    ("kits.retire", "POST"): CURATORS,
    ("kits.restore", "POST"): CURATORS,
    ("kits.export", "GET"): CURATORS,
    ("kits.import_bank", "GET"): CURATORS,
    ("kits.import_bank", "POST"): CURATORS,
    ("kits.kit", "GET"): allow("iv", "recruiter", "hm", "br"),  # the interview's interviewer and three roles
    ("kits.plan", "POST"): allow("iv", "recruiter", "hm", "br"),
    ("kits.swap", "POST"): allow("recruiter", "br"),
    ("scim_admin.index", "GET"): ADMIN_ONLY,
    ("scim_admin.create", "POST"): ADMIN_ONLY,
    ("scim_admin.revoke", "POST"): {**ADMIN_ONLY, "admin": 404},  # no such token
    **{route: BEARER_ONLY for route in SCIM_ROUTES},
    ("webhooks.endpoints", "GET"): ADMIN_ONLY,
    ("webhooks.new_endpoint", "GET"): ADMIN_ONLY,
    ("webhooks.new_endpoint", "POST"): ADMIN_ONLY,
    ("webhooks.edit_endpoint", "GET"): ADMIN_ONLY,
    ("webhooks.edit_endpoint", "POST"): ADMIN_ONLY,
    ("webhooks.disable_endpoint", "POST"): ADMIN_ONLY,
    ("webhooks.rotate_secret", "POST"): ADMIN_ONLY,
    ("webhooks.deliveries", "GET"): ADMIN_ONLY,
    ("webhooks.redeliver", "POST"): ADMIN_ONLY,
    ("webhooks.personal_chat", "GET"): SIGNED_IN_OK,
    ("webhooks.personal_chat", "POST"): SIGNED_IN_OK,  # each person their own; empty turns chat notices off
    ("webhooks.requisition_chat", "GET"): {**allow("hm", refuse=404), "recruiter": 403, "admin": 403},
    ("webhooks.requisition_chat", "POST"): {**allow("hm", refuse=404), "recruiter": 403, "admin": 403},
    ("account.show", "GET"): SIGNED_IN_OK,
    ("account.create_token", "POST"): SIGNED_IN_OK,
    ("account.revoke_token", "POST"): {**{role: 404 for role in SIGNED_IN}, "anon": "login"},  # no such token
    ("api_docs.openapi_json", "GET"): EVERYONE,
    ("api_docs.reference", "GET"): EVERYONE,
    # The JSON API takes bearer tokens only: a session cookie is no credential (tests/test_api.py has its matrix).
    **{(endpoint, method): {role: 401 for role in ROLES} for endpoint, method in (
        ("api_requisitions.list_requisitions", "GET"), ("api_requisitions.get_requisition", "GET"),
        ("api_requisitions.create_requisition", "POST"), ("api_requisitions.update_requisition", "PATCH"),
        ("api_candidates.list_candidates", "GET"), ("api_candidates.get_candidate", "GET"),
        ("api_candidates.create_candidate", "POST"), ("api_candidates.update_candidate", "PATCH"),
        ("api_loops.list_loops", "GET"), ("api_loops.get_loop", "GET"), ("api_loops.get_outcome", "GET"),
        ("api_loops.create_loop", "POST"), ("api_interviews.list_interviews", "GET"),
        ("api_interviews.get_interview", "GET"), ("api_interviews.schedule_interview", "POST"))},
}

# Allowed, then refused by a rule: the requests carry no form, and the world's loop is at the debrief.
# A role listed here answers "rule" where its row says "ok".
REFUSED_BY_A_RULE = {
    ("auth.login", "POST"): {"anon"},  # no e-mail or password
    **{(endpoint, "POST"): {"admin"} for endpoint in (
        "admin.new_user", "admin.org_unit_list", "admin.principles",
        "admin.set_password", "retention.set_policy", "retention.place_hold")},  # empty forms
    ("candidates.new", "POST"): {"recruiter"},
    ("requisitions.new", "POST"): {"recruiter"},
    ("requisitions.describe", "POST"): {"hm"},
    ("requisitions.approve", "POST"): {"hm"},  # already approved
    ("loops.new", "POST"): {"recruiter"},
    ("loops.people", "POST"): {"recruiter"},
    ("loops.close", "POST"): {"recruiter", "hm"},
    ("loops.screen", "POST"): PARTICIPANTS,  # the loop has passed both screens: a decision now lost a race (409)
    ("interviews.schedule", "POST"): {"recruiter"},
    ("interviews.cancel", "POST"): {"recruiter"},  # its feedback is written
    ("interviews.reschedule", "POST"): {"recruiter"},  # an empty form, and its feedback is written
    ("feedback.write", "POST"): {"iv"},  # sealed already
    ("feedback.amend", "POST"): {"iv", "shadow"},
    ("debrief.final_vote", "POST"): {"hm", "br", "iv"},  # the hiring manager held the phone screen
    ("debrief.decision", "POST"): {"hm"},
    ("debrief.verdict", "POST"): {"br"},
    ("feedback.autosave", "POST"): {"iv"},  # sealed already
    ("kits.new_question", "POST"): {"admin", "br"},  # an empty question
    ("kits.import_bank", "POST"): {"admin", "br"},  # no file
    ("kits.swap", "POST"): {"recruiter", "br"},  # no question chosen
    ("debrief.agenda_note", "POST"): {"br"},  # no principle named
    ("debrief.practice_verdict", "POST"): {"shadow"},  # no verdict chosen (and this shadow only observes)
    ("program.nominate", "POST"): {"admin", "br"},  # nobody chosen
    ("program.move", "POST"): {"admin", "br", "iv"},  # no state to move to
    ("webhooks.new_endpoint", "POST"): {"admin"},  # no address
    ("webhooks.edit_endpoint", "POST"): {"admin"},  # no address
    ("account.create_token", "POST"): SIGNED_IN,  # no name or expiry
}


def expected_answer(endpoint: str, method: str, role: str):
    expected = TABLE[(endpoint, method)][role]
    return "rule" if expected == "ok" and role in REFUSED_BY_A_RULE.get((endpoint, method), ()) else expected


def test_every_route_has_a_row(app):
    missing = [(rule.endpoint, method, rule.rule) for rule, method in routes(app)
               if (rule.endpoint, method) not in TABLE]
    assert missing == [], "add these routes to the authorization table"


def category(status: int, location: str) -> str | int:
    if status == 302 and "/login" in location:
        return "login"
    if status in (200, 302):
        return "ok"
    if status in (400, 409, 422):
        return "rule"
    return status


def snapshot(app) -> str:
    """Hash every table but the audit trail's (entries, their chain's head, their personal data), which GETs
    legitimately append to (downloads, refusals)."""
    with app.app_context():
        digest = hashlib.sha256()
        for table in db.metadata.sorted_tables:
            if table.name.startswith("audit_"):
                continue
            rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            digest.update(f"{table.name}:{rows!r}".encode())
        return digest.hexdigest()


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_every_role_as_the_table_says(app, role):
    world = build_world(app)
    client = app.test_client()
    if role != "anon":
        assert client.post("/login", data={"email": world["emails"][role], "password": PASSWORD}).status_code == 302
    wrong = []
    before = snapshot(app)
    ordered = sorted(routes(app), key=lambda rm: (rm[1] != "GET", rm[0].endpoint == "auth.logout"))
    checked_gets = False
    for rule, method in ordered:
        if method != "GET" and not checked_gets:
            assert snapshot(app) == before, f"a GET changed the database (as {role})"
            checked_gets = True
        response = client.open(url_for_rule(rule, world["values"]), method=method)
        got = category(response.status_code, response.headers.get("Location", ""))
        response.close()
        expected = expected_answer(rule.endpoint, method, role)
        if got != expected:
            wrong.append(f"{method} {rule.rule}: expected {expected}, got {response.status_code}")
    assert wrong == []


def test_feedback_of_another_loop_is_404_by_any_id(app):
    world = build_world(app)
    with app.app_context():
        theirs = db.session.scalars(sa.select(Feedback).join(Feedback.author)
                                    .where(User.email != world["emails"]["iv"])).all()
        other_interviews = {f.interview_id for f in theirs if f.interview.loop_id != world["values"]["loop_id"]}
    client = app.test_client()
    client.post("/login", data={"email": world["emails"]["iv"], "password": PASSWORD})
    loop_id = world["values"]["loop_id"]
    for interview_id in other_interviews:
        assert client.get(f"/loops/{loop_id}/interviews/{interview_id}/feedback").status_code == 404
        assert client.get(f"/loops/{loop_id}/interviews/{interview_id}.ics").status_code == 404


@pytest.fixture
def csrf_app(database, tmp_path):
    from tests.conftest import dispose, make_app

    app = make_app(database, tmp_path, WTF_CSRF_ENABLED=True)
    yield app
    dispose(app)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_every_state_changing_route_refuses_a_missing_or_forged_csrf_token(csrf_app):
    import re

    world = build_world(csrf_app)
    clients = {}
    for role in set(ROLES) - {"anon"}:
        client = clients[role] = csrf_app.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        signed_in = client.post("/login", data={"email": world["emails"][role], "password": PASSWORD,
                                                "csrf_token": token})
        assert signed_in.status_code == 302
    before = snapshot(csrf_app)
    for rule, method in routes(csrf_app):
        if rule.endpoint.startswith("scim."):  # no cookie acts there, so there is nothing to forge
            assert clients["admin"].open(url_for_rule(rule, world["values"]), method=method).status_code == 401
            continue
        if method != "POST":
            continue
        if method != "POST" or rule.rule.startswith("/api/"):
            continue  # the JSON API takes no cookie, so it needs no CSRF token (test_api.py)
        row = TABLE[(rule.endpoint, method)]
        role = next((r for r in ROLES if row[r] == "ok" and r != "anon"), "recruiter")
        url = url_for_rule(rule, world["values"])
        for data in ({}, {"csrf_token": "forged"}):
            response = clients[role].post(url, data=data)
            assert response.status_code == 400, (rule.rule, data)
    assert snapshot(csrf_app) == before
