"""Whatever a person types, every form answers with a success or a 4xx, never a 500.

Hypothesis posts generated values (unicode, control characters, huge strings,
numbers where text goes, ids of other objects, missing and extra fields) to
every state-changing route, signed in as someone the route lets in; and sends
generated path and query parameters (huge, negative, zero, Unicode digits,
text) to every route, signed in as several kinds of person.
"""

import re
from urllib.parse import quote, urlencode

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


# Numbers as an attacker writes them: beyond 32 bits (PostgreSQL's INTEGER ids), beyond 64, negative, zero,
# in other scripts' digits (which str.isdigit() accepts), and things that are not numbers at all.
HOSTILE_NUMBERS = st.one_of(
    st.sampled_from(["0", "-0", "00", "-1", str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63), str(2**64),
                     "9" * 20, "9" * 40, "9" * 5000]),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.sampled_from(["²", "³", "¹²", "١٢", "１", "٣", "½", "1e3", "1.5", "0x1f", "1_000", " 1", "+1"]),
    st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=4),
    st.sampled_from(["", " ", "abc", "NaN", "-", "%00", "\x00"]),
    st.text(max_size=12),
)
QUERY_NAMES = ["page", "step", "status", "requisition", "org_unit", "person", "bar_raiser", "date_from", "date_to",
               "requisition_id", "candidate_id", "q", "next", "version", "to_step", "unexpected"]
QUERIES = st.dictionaries(st.sampled_from(QUERY_NAMES), HOSTILE_NUMBERS, max_size=4)
PARAMETER = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
URL_ROLES = ("recruiter", "admin", "hm", "iv")


def parameter_values(converter: str | None, args: str | None, known: list[int]):
    """Values for one path parameter: hostile numbers for ids (and now and then a real one), text for the rest."""
    if converter == "int":
        return st.one_of(HOSTILE_NUMBERS, st.sampled_from(known).map(str))
    if converter == "any":
        return st.one_of(st.sampled_from([a.strip() for a in args.split(",")]), st.text(max_size=8))
    return st.text(max_size=20)


def generated_urls(rule, known: list[int]):
    """Build URLs for `rule` from generated path parameters and a generated query string."""
    parts = PARAMETER.split(rule.rule)  # text, converter, args, name, text, ...
    literal, parameters = parts[::4], list(zip(parts[1::4], parts[2::4], parts[3::4], strict=True))
    values = st.tuples(*(parameter_values(converter, args, known) for converter, args, _ in parameters))

    def build(path_values, query):
        path = literal[0] + "".join(quote(value, safe="") + text
                                    for value, text in zip(path_values, literal[1:], strict=True))
        return f"{path}?{urlencode(query)}" if query else path

    return st.builds(build, values, QUERIES)


def test_no_generated_path_or_query_parameter_gives_a_server_error(app):
    app.config["RATELIMIT_ENABLED"] = False
    world = build_world(app)
    known = sorted({v for v in world["values"].values() if isinstance(v, int)})
    clients = {}
    for role in URL_ROLES:
        clients[role] = app.test_client()
        clients[role].post("/login", data={"email": world["emails"][role], "password": PASSWORD})
    sent = []
    # Reads first, then writes, and never the sign-out: each client stays signed in throughout.
    for rule, method in sorted(routes(app), key=lambda rm: (rm[1] != "GET", rm[0].rule)):
        if rule.endpoint == "auth.logout":
            continue
        for role in URL_ROLES:
            sent.append(probe(clients[role], method, generated_urls(rule, known)))
    total = sum(sent)
    print(f"\n{total} generated requests to {len(sent) // len(URL_ROLES)} routes as {len(URL_ROLES)} roles, no 500")
    assert total >= 2_000


def probe(client, method: str, urls) -> int:
    """Send generated URLs to one route as one person; return how many were sent."""
    count = 0

    @settings(max_examples=20, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(url=urls)
    def send(url):
        nonlocal count
        count += 1
        response = client.open(url, method=method)
        assert response.status_code < 500, (method, url, response.status_code)
        response.close()

    send()
    return count
