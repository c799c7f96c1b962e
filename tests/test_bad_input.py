"""Whatever a person types, every form answers with a success or a 4xx, never a 500.

Hypothesis posts generated values (unicode, control characters, huge strings,
numbers where text goes, ids of other objects, missing and extra fields) to
every state-changing route, signed in as someone the route lets in.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import PASSWORD
from tests.factories import build_world, routes, url_for_rule
from tests.test_authorization_matrix import TABLE

FIELDS = [
    "email", "password", "name", "org_unit_id", "timezone", "is_admin", "is_recruiter", "certification", "reason",
    "title", "level", "hiring_manager_id", "recruiter_id", "job_description", "principle_ids", "open_loops",
    "phone", "source", "resume_url", "notes", "requisition_id", "candidate_id", "bar_raiser_id", "shadow_id",
    "outcome", "status", "kind", "interviewer_id", "starts_at", "duration_minutes", "location", "to_step", "vote",
    "raises_bar", "summary", "version", "ratings-0-rating", "ratings-0-evidence", "ratings-7-evidence", "save",
    "submit", "body", "rationale", "verdict", "verdict_rationale", "relation", "contacted_on", "terms",
    "description", "unexpected_field",
]
VALUES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=10),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.sampled_from(["", " ", "0", "-1", "1", "2", "99999999", "9" * 40, "yes", "on", "hire", "veto", "concur",
                     "advance", "reject", "in_house", "phone_screen", "rejected", "withdrawn", "accepted",
                     "2026-12-01T10:00", "2026-02-30", "1e9", "NaN", "null", "[]", "{}", "<script>", "' OR 1=1 --"]),
    st.text(max_size=3).map(lambda s: (s or "x") * 40_000),
)
FORMS = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=12)


def posting_routes(app):
    for rule, method in routes(app):
        if method == "POST" and rule.endpoint != "auth.logout":
            roles = [r for r, answer in TABLE[(rule.endpoint, method)].items() if answer == "ok" and r != "anon"]
            if roles:
                yield rule, roles[0]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_no_form_input_gives_a_server_error(app):
    world = build_world(app)
    clients = {}
    for rule, role in posting_routes(app):
        if role not in clients:
            clients[role] = app.test_client()
            clients[role].post("/login", data={"email": world["emails"][role], "password": PASSWORD})
        fuzz(clients[role], url_for_rule(rule, world["values"]))


def fuzz(client, url: str) -> None:
    @settings(max_examples=12, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(form=FORMS)
    def post(form):
        response = client.post(url, data=form)
        assert response.status_code < 500, (url, form)
        response.close()

    post()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_body_over_the_limit_is_refused_with_413(app, client, auth, admin):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    auth.login(admin)
    response = client.post("/admin/org-units", data={"name": "x" * 20_000})
    assert response.status_code == 413
