"""SCIM 2.0 provisioning: the calls Okta and Entra ID make, and every way a request is refused.

Each refusal is a 4xx with a SCIM error body (RFC 7644 §3.12) and leaves the
database as it was; the tables are compared before and after.
"""

import json

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.people.models import User
from app.scim import services
from app.scim.models import ScimToken
from app.tokens import digest_of
from tests.conftest import PASSWORD, dispose, make_app
from tests.test_authorization_matrix import snapshot

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
MEDIA = "application/scim+json"


def make_token(app, email: str) -> str:
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == email))
        _token, plaintext = services.create_token(admin)
        db.session.commit()
        return plaintext


class Scim:
    """A provider's client: every call carries the token and SCIM's media type."""

    def __init__(self, client, token: str):
        self.client, self.token = client, token

    def __call__(self, method: str, path: str, body=None, *, token: str | None = None, headers=None, raw=None,
                 content_type: str = MEDIA):
        sent = {"Authorization": f"Bearer {self.token if token is None else token}", **(headers or {})}
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return self.client.open(f"/scim/v2{path}", method=method, data=data, headers=sent,
                                content_type=content_type if data is not None else None)


def warmed(scim: "Scim") -> "Scim":
    """Use the token once, so the requests a test compares tables around do not note its first use."""
    assert scim("GET", "/ServiceProviderConfig").status_code == 200
    return scim


@pytest.fixture
def scim(app, admin, client):
    return warmed(Scim(client, make_token(app, admin.email)))


def okta_user(email="ana.silva@example.test", external_id="00u1okta", **extra):
    return {"schemas": [CORE], "userName": email, "externalId": external_id,
            "name": {"givenName": "Ana", "familyName": "Silva"},
            "emails": [{"primary": True, "value": email, "type": "work"}],
            "displayName": "Ana Silva", "locale": "en-US", "active": True, **extra}


def entra_user(email="Raj.Patel@Example.test", external_id="a1b2c3", **extra):
    return {"schemas": [CORE, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "externalId": external_id, "userName": email, "active": True, "displayName": "Raj Patel",
            "emails": [{"primary": True, "type": "work", "value": email}], "meta": {"resourceType": "User"},
            "name": {"formatted": "Raj Patel", "familyName": "Patel", "givenName": "Raj"}, "roles": [],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Payments",
                                                                            "employeeNumber": "1042"},
            **extra}


def patch(*operations):
    return {"schemas": [PATCH], "Operations": list(operations)}


def person(app, email: str) -> User:
    with app.app_context():
        found = db.session.scalar(sa.select(User).where(User.email == email))
        if found is not None:
            db.session.expunge(found)
        return found


def assert_scim_error(response, status: int, scim_type: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == MEDIA
    body = response.get_json(force=True)
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body.get("detail")
    if scim_type is not None:
        assert body.get("scimType") == scim_type
    return body


# --- creating and reading ----------------------------------------------------------------------------------------

def test_okta_creates_a_person_who_is_then_found_by_user_name_and_external_id(app, scim):
    created = scim("POST", "/Users", okta_user(email="Ana.Silva@Example.test"))
    assert created.status_code == 201
    assert created.mimetype == MEDIA
    body = created.get_json(force=True)
    assert body["userName"] == "ana.silva@example.test"
    assert body["name"]["formatted"] == "Ana Silva"
    assert body["externalId"] == "00u1okta"
    assert body["active"] is True
    assert body["meta"]["resourceType"] == "User"
    assert body["meta"]["location"].endswith(f"/scim/v2/Users/{body['id']}")
    assert created.headers["Location"] == body["meta"]["location"]
    assert created.headers["ETag"] == body["meta"]["version"]
    stored = person(app, "ana.silva@example.test")
    assert (stored.name, stored.external_id, stored.active, stored.is_admin) == ("Ana Silva", "00u1okta", True, False)

    for query in ('userName eq "ANA.SILVA@example.test"', 'externalId eq "00u1okta"'):
        found = scim("GET", "/Users?" + f"filter={query}")
        assert found.status_code == 200 and found.mimetype == MEDIA
        listing = found.get_json(force=True)
        assert listing["totalResults"] == 1
        assert [r["id"] for r in listing["Resources"]] == [body["id"]]
    assert scim("GET", '/Users?filter=externalId eq "00U1OKTA"').get_json(force=True)["totalResults"] == 0  # exact

    fetched = scim("GET", f"/Users/{body['id']}")
    assert fetched.get_json(force=True)["userName"] == "ana.silva@example.test"


def test_a_creation_is_audited_with_the_token_as_its_actor(app, scim):
    scim("POST", "/Users", okta_user())
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.created")
                                  .order_by(AuditEntry.id.desc()))
        token = db.session.scalar(sa.select(ScimToken))
        assert entry.actor_id is None
        assert entry.details["via"] == "scim"
        assert entry.details["scim_token_id"] == token.id
        assert entry.details["scim_token"] == token.hint
        assert token.last_used_at is not None


def test_entra_creates_a_person_with_the_enterprise_extension_and_its_name_formatted(app, scim):
    response = scim("POST", "/Users", entra_user())
    assert response.status_code == 201
    stored = person(app, "raj.patel@example.test")
    assert (stored.name, stored.external_id) == ("Raj Patel", "a1b2c3")


@pytest.mark.parametrize(("name", "display", "expected"), [
    ({"formatted": "Dr. Mei Lin"}, None, "Dr. Mei Lin"),
    ({"givenName": "Mei", "familyName": "Lin"}, None, "Mei Lin"),
    (None, "Mei L.", "Mei L."),
])
def test_the_name_comes_from_formatted_then_given_and_family_then_display_name(app, scim, name, display, expected):
    body = {"schemas": [CORE], "userName": "mei@example.test"}
    if name:
        body["name"] = name
    if display:
        body["displayName"] = display
    assert scim("POST", "/Users", body).status_code == 201
    assert person(app, "mei@example.test").name == expected


def test_paging_through_everyone(app, scim):
    for n in range(5):
        assert scim("POST", "/Users", okta_user(email=f"p{n}@example.test", external_id=f"x{n}")).status_code == 201
    first = scim("GET", "/Users?startIndex=1&count=2").get_json(force=True)
    third = scim("GET", "/Users?startIndex=5&count=2").get_json(force=True)
    assert first["totalResults"] == third["totalResults"] == 6  # five and the admin
    assert (first["startIndex"], first["itemsPerPage"], len(first["Resources"])) == (1, 2, 2)
    assert (third["startIndex"], len(third["Resources"])) == (5, 2)
    assert {r["id"] for r in first["Resources"]}.isdisjoint({r["id"] for r in third["Resources"]})
    assert scim("GET", "/Users?count=0").get_json(force=True)["Resources"] == []
    past_the_end = scim("GET", "/Users?startIndex=99999999999999999999").get_json(force=True)
    assert (past_the_end["totalResults"], past_the_end["Resources"]) == (6, [])
    assert scim("GET", "/Users?startIndex=-4&count=1").get_json(force=True)["startIndex"] == 1  # RFC 7644 §3.4.2.4


def test_filters_combine_and_compare_without_case(app, scim):
    scim("POST", "/Users", okta_user(email="ana@example.test", external_id="a"))
    scim("POST", "/Users", okta_user(email="bo@example.test", external_id="b"))
    query = 'userName sw "AN" or externalId eq "b"'
    assert scim("GET", f"/Users?filter={query}").get_json(force=True)["totalResults"] == 2
    query = 'userName ew "@example.test" and active eq true and not (externalId eq "a")'
    assert scim("GET", f"/Users?filter={query}").get_json(force=True)["totalResults"] == 1


@pytest.mark.parametrize("query", [
    'userName eq', 'userName xx "a"', 'noSuchAttribute eq "a"', 'title eq "Engineer"',
    'emails[type eq "work"]', 'active eq "perhaps"', 'userName gt "a"',
])
def test_a_filter_that_is_wrong_or_not_supported_is_invalid_filter(app, scim, query):
    assert_scim_error(scim("GET", f"/Users?filter={query}"), 400, "invalidFilter")


def test_a_filter_too_long_or_with_too_many_terms_is_refused_before_it_reaches_the_database(app, scim):
    terms = " or ".join(f'userName eq "p{n}@example.test"' for n in range(21))
    assert_scim_error(scim("GET", f"/Users?filter={terms}"), 400, "invalidFilter")
    nested = "(" * 600 + 'userName eq "a"' + ")" * 600
    assert_scim_error(scim("GET", f"/Users?filter={nested}"), 400, "invalidFilter")
    negated = "not (" * 30 + 'userName eq "a"' + ")" * 30
    assert_scim_error(scim("GET", f"/Users?filter={negated}"), 400, "invalidFilter")


def test_attributes_and_excluded_attributes_shape_the_listing(app, scim):
    create(scim)
    only = scim("GET", '/Users?attributes=userName&filter=externalId eq "00u1okta"').get_json(force=True)
    assert set(only["Resources"][0]) == {"schemas", "id", "userName"}
    without = scim("GET", "/Users?excludedAttributes=emails,name").get_json(force=True)
    assert all("emails" not in r and "name" not in r and "userName" in r for r in without["Resources"])


@pytest.mark.parametrize("query", ["count=many", "startIndex=first", "sortOf=1",
                                   "filter=userName%20eq%20%22a%00%22"])
def test_wrong_paging_parameters_are_refused(app, scim, query):
    assert_scim_error(scim("GET", f"/Users?{query}"), 400)


# --- replacing, patching, deactivating ----------------------------------------------------------------------------

def create(scim, **kwargs) -> dict:
    response = scim("POST", "/Users", okta_user(**kwargs))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json(force=True)


def signed_in_client(app, email: str, password: str = PASSWORD):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    assert client.get("/").status_code == 200
    return client


def test_put_replaces_the_name_and_e_mail_and_keeps_an_omitted_external_id(app, scim):
    body = create(scim)
    replacement = {"schemas": [CORE], "id": body["id"], "userName": "ana.costa@example.test",
                   "name": {"givenName": "Ana", "familyName": "Costa"}, "active": True, "meta": body["meta"]}
    response = scim("PUT", f"/Users/{body['id']}", replacement)
    assert response.status_code == 200
    assert response.get_json(force=True)["userName"] == "ana.costa@example.test"
    stored = person(app, "ana.costa@example.test")
    assert (stored.name, stored.external_id) == ("Ana Costa", "00u1okta")
    assert response.headers["ETag"] != body["meta"]["version"]


@pytest.mark.parametrize("how", ["put", "okta_patch", "entra_patch", "path_patch", "delete"])
def test_deactivation_ends_the_persons_sessions_at_once_and_is_audited(app, scim, how):
    body = create(scim, password="a-long-enough-password")
    client = signed_in_client(app, "ana.silva@example.test", "a-long-enough-password")
    url = f"/Users/{body['id']}"
    if how == "put":
        response = scim("PUT", url, okta_user(active=False))
    elif how == "okta_patch":
        response = scim("PATCH", url, patch({"op": "replace", "value": {"active": False}}))
    elif how == "entra_patch":
        response = scim("PATCH", url, patch({"op": "Replace", "path": "active", "value": "False"}))
    elif how == "path_patch":
        response = scim("PATCH", url, patch({"op": "replace", "path": "active", "value": False}))
    else:
        response = scim("DELETE", url)
    assert response.status_code == (204 if how == "delete" else 200)
    if how != "delete":
        assert response.get_json(force=True)["active"] is False
    assert person(app, "ana.silva@example.test").active is False
    assert client.get("/").status_code == 302  # the open session ended
    again = app.test_client().post("/login", data={"email": "ana.silva@example.test",
                                                   "password": "a-long-enough-password"})
    assert again.status_code != 302
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.deactivated"))
        assert entry.actor_id is None and entry.details["via"] == "scim"
    # Kept, not deleted: the provider still reads the person, inactive.
    assert scim("GET", url).get_json(force=True)["active"] is False


def test_a_person_created_inactive_cannot_sign_in(app, scim):
    body = create(scim, active=False, password="a-long-enough-password")
    assert body["active"] is False
    assert person(app, "ana.silva@example.test").active is False
    response = app.test_client().post("/login", data={"email": "ana.silva@example.test",
                                                      "password": "a-long-enough-password"})
    assert response.status_code != 302


def test_the_admin_sees_the_token_that_made_each_change(app, scim, admin, auth, client):
    body = create(scim)
    auth.login(admin)
    page = client.get(f"/admin/users/{body['id']}").get_data(as_text=True)
    with app.app_context():
        hint = db.session.scalar(sa.select(ScimToken.hint))
    assert f"by SCIM token {hint}…" in page


def test_the_scim_rate_limit_answers_429_as_a_scim_error(database, tmp_path):
    from tests.conftest import make_person

    limited = make_app(database, tmp_path, SCIM_RATE_LIMIT="3 per minute")
    try:
        admin = make_person(limited, "limit.admin@example.test", "Lim Admin", is_admin=True)
        provider = Scim(limited.test_client(), make_token(limited, admin.email))
        assert [provider("GET", "/Users").status_code for _ in range(3)] == [200, 200, 200]
        assert_scim_error(provider("GET", "/Users"), 429)
    finally:
        dispose(limited)


def test_a_replacement_that_leaves_out_active_keeps_an_inactive_person_inactive(app, scim):
    body = create(scim, active=False)
    replacement = okta_user(displayName="Ana S.")
    del replacement["active"]
    assert scim("PUT", f"/Users/{body['id']}", replacement).status_code == 200
    assert person(app, "ana.silva@example.test").active is False


def test_an_inactive_person_is_reactivated_by_a_patch(app, scim):
    body = create(scim)
    scim("PATCH", f"/Users/{body['id']}", patch({"op": "replace", "value": {"active": False}}))
    response = scim("PATCH", f"/Users/{body['id']}", patch({"op": "Replace", "path": "active", "value": "True"}))
    assert response.status_code == 200
    assert person(app, "ana.silva@example.test").active is True


def test_entra_patches_the_given_name_user_name_and_external_id_by_path(app, scim):
    body = create(scim)
    response = scim("PATCH", f"/Users/{body['id']}", patch(
        {"op": "Replace", "path": "name.givenName", "value": "Anabela"},
        {"op": "Replace", "path": "userName", "value": "Anabela.Silva@example.test"},
        {"op": "Add", "path": "externalId", "value": "entra-77"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "anabela.silva@example.test"},
    ))
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = person(app, "anabela.silva@example.test")
    assert (stored.name, stored.external_id) == ("Anabela Silva", "entra-77")


def test_entra_adds_a_work_e_mail_the_person_had_no_entry_for(app, scim):
    body = scim("POST", "/Users", {"schemas": [CORE], "userName": "kai@example.test", "displayName": "Kai"})
    user_id = body.get_json(force=True)["id"]
    response = scim("PATCH", f"/Users/{user_id}", patch(
        {"op": "Add", "path": 'emails[type eq "home"].value', "value": "kai@home.example"},
        {"op": "Add", "path": "displayName", "value": "Kai Tan"}))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert person(app, "kai@example.test").name == "Kai Tan"


def test_a_patch_of_an_unknown_or_read_only_attribute_is_refused_and_changes_nothing(app, scim):
    body = create(scim)
    before = snapshot(app)
    for operation in ({"op": "replace", "path": "noSuchThing", "value": "x"},
                      {"op": "replace", "path": "id", "value": "7"},
                      {"op": "jump", "path": "active", "value": False},
                      {"op": "remove"}):
        response = scim("PATCH", f"/Users/{body['id']}", patch(operation))
        assert_scim_error(response, 400)
    assert_scim_error(scim("PATCH", f"/Users/{body['id']}", {"schemas": [PATCH], "Operations": []}), 400)
    assert snapshot(app) == before


# --- roles ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def role_app(database, tmp_path):
    app = make_app(database, tmp_path, IDP_ADMIN_GROUPS=("Hiring Admins",), IDP_RECRUITER_GROUPS=("Talent", "TA"))
    yield app
    dispose(app)


@pytest.fixture
def role_scim(role_app):
    from tests.conftest import make_person

    admin = make_person(role_app, "first.admin@example.test", "First Admin", is_admin=True)
    return warmed(Scim(role_app.test_client(), make_token(role_app, admin.email)))


def test_roles_map_to_admin_and_recruiter_by_the_configured_names(role_app, role_scim):
    body = role_scim("POST", "/Users", okta_user(roles=[{"value": "hiring admins"}, {"value": "ta"}]))
    assert body.status_code == 201
    stored = person(role_app, "ana.silva@example.test")
    assert (stored.is_admin, stored.is_recruiter) == (True, True)
    assert {r["value"] for r in body.get_json(force=True)["roles"]} == {"Hiring Admins", "Talent"}

    user_id = body.get_json(force=True)["id"]
    response = role_scim("PATCH", f"/Users/{user_id}", patch(
        {"op": "remove", "path": 'roles[value eq "Hiring Admins"]'}))
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = person(role_app, "ana.silva@example.test")
    assert (stored.is_admin, stored.is_recruiter) == (False, True)

    # Entra ID removes a role by naming it in the value.
    response = role_scim("PATCH", f"/Users/{user_id}", patch(
        {"op": "Add", "path": "roles", "value": [{"value": "Hiring Admins"}]}))
    assert person(role_app, "ana.silva@example.test").is_admin is True
    response = role_scim("PATCH", f"/Users/{user_id}", patch(
        {"op": "Remove", "path": "roles", "value": [{"value": "Hiring Admins"}]}))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert person(role_app, "ana.silva@example.test").is_admin is False

    # A change that names no roles leaves them as they are.
    role_scim("PATCH", f"/Users/{user_id}", patch({"op": "replace", "path": "displayName", "value": "Ana S."}))
    assert person(role_app, "ana.silva@example.test").is_recruiter is True
    role_scim("PUT", f"/Users/{user_id}", okta_user(roles=[{"value": "Engineering"}]))
    stored = person(role_app, "ana.silva@example.test")
    assert (stored.is_admin, stored.is_recruiter) == (False, False)


def test_without_the_settings_roles_grant_nothing(app, scim):
    scim("POST", "/Users", okta_user(roles=[{"value": "admin"}, {"value": "recruiter"}]))
    stored = person(app, "ana.silva@example.test")
    assert (stored.is_admin, stored.is_recruiter) == (False, False)


def test_the_last_active_admin_is_not_deactivated_or_demoted(role_app, role_scim):
    with role_app.app_context():
        admin_id = db.session.scalar(sa.select(User.id).where(User.is_admin))
    before = snapshot(role_app)
    assert_scim_error(role_scim("DELETE", f"/Users/{admin_id}"), 400, "invalidValue")
    assert_scim_error(role_scim("PATCH", f"/Users/{admin_id}", patch(
        {"op": "replace", "path": "roles", "value": []})), 400, "invalidValue")
    assert snapshot(role_app) == before


# --- refusals -------------------------------------------------------------------------------------------------------

def test_a_taken_user_name_or_external_id_is_a_409_uniqueness(app, scim, admin):
    body = create(scim)
    before = snapshot(app)
    assert_scim_error(scim("POST", "/Users", okta_user(email="ANA.SILVA@example.test", external_id="new")),
                      409, "uniqueness")
    assert_scim_error(scim("POST", "/Users", okta_user(email="other@example.test")), 409, "uniqueness")
    assert_scim_error(scim("PUT", f"/Users/{body['id']}", okta_user(email=admin.email)), 409, "uniqueness")
    assert_scim_error(scim("PATCH", f"/Users/{body['id']}", patch(
        {"op": "replace", "path": "userName", "value": admin.email})), 409, "uniqueness")
    assert snapshot(app) == before


@pytest.mark.parametrize(("raw", "content_type", "scim_type"), [
    ("{not json", MEDIA, "invalidSyntax"),
    ('["a list"]', MEDIA, "invalidSyntax"),
    ('{"userName": NaN}', MEDIA, "invalidSyntax"),
    (json.dumps(okta_user()), "text/plain", "invalidSyntax"),
    (json.dumps(okta_user(active="maybe")), MEDIA, "invalidValue"),
    (json.dumps(okta_user(userName=["a@example.test"])), MEDIA, "invalidValue"),
    (json.dumps(okta_user(favouriteColour="green")), MEDIA, "invalidSyntax"),
    (json.dumps(okta_user(email="not-an-address")), MEDIA, "invalidValue"),
    (json.dumps(okta_user(email="nul\u0000@example.test")), MEDIA, "invalidValue"),
    (json.dumps(okta_user(email="x" * 250 + "@example.test")), MEDIA, "invalidValue"),
    (json.dumps(okta_user(external_id="   ")), MEDIA, "invalidValue"),
    (json.dumps(okta_user(password="short")), MEDIA, "invalidValue"),
    (json.dumps({"schemas": [CORE], "userName": "nameless@example.test"}), MEDIA, "invalidValue"),
    (json.dumps({"schemas": [CORE], "name": {"formatted": "No Address"}}), MEDIA, None),
    ('{"userName": "a@example.test", "displayName": "\\ud800"}', MEDIA, "invalidValue"),
    (json.dumps(okta_user(name={"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {}}}}}}}}})), MEDIA,
     "invalidSyntax"),
    ("[" * 50000 + "]" * 50000, MEDIA, "invalidSyntax"),
    (json.dumps({"schemas": ["urn:example:Pet"], "userName": "a@example.test"}), MEDIA, None),
])
def test_bad_payloads_are_refused_with_a_scim_error_and_nothing_written(app, scim, raw, content_type, scim_type):
    before = snapshot(app)
    assert_scim_error(scim("POST", "/Users", raw=raw, content_type=content_type), 400, scim_type)
    assert snapshot(app) == before


def test_a_body_over_the_limit_is_a_413(app, scim):
    before = snapshot(app)
    huge = json.dumps(okta_user(displayName="x" * (app.config["SCIM_MAX_BODY_BYTES"] + 1)))
    assert_scim_error(scim("POST", "/Users", raw=huge), 413)
    assert snapshot(app) == before


def test_a_stale_if_match_is_a_412_and_the_current_one_is_taken(app, scim):
    body = create(scim)
    url = f"/Users/{body['id']}"
    first = body["meta"]["version"]
    assert scim("PATCH", url, patch({"op": "replace", "path": "displayName", "value": "Ana S."}),
                headers={"If-Match": first}).status_code == 200
    before = snapshot(app)
    for method, payload in (("PATCH", patch({"op": "replace", "value": {"active": False}})),
                            ("PUT", okta_user(active=False)), ("DELETE", None)):
        assert_scim_error(scim(method, url, payload, headers={"If-Match": first}), 412)
    assert snapshot(app) == before
    current = scim("GET", url).headers["ETag"]
    assert scim("DELETE", url, headers={"If-Match": current}).status_code == 204


@pytest.mark.parametrize("user_id", ["999999", "abc", "0", "-1", "99999999999999999999", "1.0"])
def test_an_unknown_id_is_a_scim_404_for_every_method(app, scim, user_id):
    before = snapshot(app)
    for method, payload in (("GET", None), ("PUT", okta_user()), ("DELETE", None),
                            ("PATCH", patch({"op": "replace", "value": {"active": False}}))):
        assert_scim_error(scim(method, f"/Users/{user_id}", payload), 404)
    assert snapshot(app) == before


def test_what_is_not_served_is_a_scim_404(app, scim):
    assert_scim_error(scim("GET", "/Groups"), 404)
    assert_scim_error(scim("POST", "/Bulk", {"schemas": []}), 404)


def test_without_a_live_token_every_request_is_a_401_and_writes_nothing(app, scim, admin):
    body = create(scim)
    with app.app_context():
        token = db.session.scalar(sa.select(ScimToken))
        services.revoke_token(token, db.session.get(User, admin.id))
        revoked = scim.token
        db.session.commit()
    fresh = make_token(app, admin.email)
    cookie_client = app.test_client()
    cookie_client.post("/login", data={"email": admin.email, "password": PASSWORD})
    before = snapshot(app)
    for token in ("", "wrong-token", revoked, fresh + "x"):
        for method, path, payload in (("GET", "/Users", None), ("POST", "/Users", okta_user(email="z@e.test")),
                                      ("PATCH", f"/Users/{body['id']}", patch({"op": "replace",
                                                                                "value": {"active": False}})),
                                      ("GET", "/ServiceProviderConfig", None)):
            response = scim(method, path, payload, token=token)
            assert_scim_error(response, 401)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    no_header = app.test_client().get("/scim/v2/Users")
    assert_scim_error(no_header, 401)
    assert_scim_error(cookie_client.get("/scim/v2/Users"), 401)  # a signed-in admin is no provider
    assert snapshot(app) == before
    assert scim("GET", "/Users", token=fresh).status_code == 200


# --- discovery ------------------------------------------------------------------------------------------------------

def test_the_discovery_endpoints_describe_users_patch_filter_and_etags(app, scim):
    config = scim("GET", "/ServiceProviderConfig")
    assert config.mimetype == MEDIA
    config = config.get_json(force=True)
    assert config["patch"]["supported"] is True
    assert config["filter"]["supported"] is True and config["filter"]["maxResults"] == 200
    assert config["bulk"]["supported"] is False
    assert config["etag"]["supported"] is True
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"

    types = scim("GET", "/ResourceTypes").get_json(force=True)
    assert [(t["name"], t["endpoint"], t["schema"]) for t in types["Resources"]] == [("User", "/Users", CORE)]
    assert scim("GET", "/ResourceTypes/User").get_json(force=True)["meta"]["resourceType"] == "ResourceType"
    schemas = scim("GET", "/Schemas").get_json(force=True)
    assert CORE in [s["id"] for s in schemas["Resources"]]
    user_schema = scim("GET", f"/Schemas/{CORE}").get_json(force=True)
    assert "userName" in [a["name"] for a in user_schema["attributes"]]
    assert_scim_error(scim("GET", "/Schemas/urn:example:nothing"), 404)


# --- the token page -------------------------------------------------------------------------------------------------

def test_an_admin_makes_a_token_that_is_shown_once_and_stored_as_its_digest(app, admin, auth, client):
    auth.login(admin)
    assert client.get("/admin/scim/").status_code == 200
    made = client.post("/admin/scim/")
    assert made.status_code == 200
    page = made.get_data(as_text=True)
    plaintext = page.split('id="new-token"')[1].split('value="')[1].split('"')[0]
    assert plaintext.startswith("hrt_scim_")
    with app.app_context():
        token = db.session.scalar(sa.select(ScimToken))
        assert token.digest == digest_of(plaintext)
        assert plaintext not in repr(db.session.execute(sa.select(ScimToken.__table__)).all())
        assert (token.created_by_id, token.hint) == (admin.id, plaintext[:13])
    listing = client.get("/admin/scim/").get_data(as_text=True)
    assert plaintext not in listing and token.hint in listing and admin.name in listing and "Never" in listing

    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 200
    assert "Never" not in client.get("/admin/scim/").get_data(as_text=True)

    revoked = client.post(f"/admin/scim/{token.id}/revoke")
    assert revoked.status_code == 302
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 401
    assert "Revoked" in client.get("/admin/scim/").get_data(as_text=True)
    assert client.post(f"/admin/scim/{token.id}/revoke").status_code == 409
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.subject_type == "ScimToken")).all()
        assert sorted(actions) == ["scim_token.created", "scim_token.revoked"]


def test_only_admins_see_the_token_page(app, recruiter, auth, client):
    auth.login(recruiter)
    assert client.get("/admin/scim/").status_code == 403
    assert client.post("/admin/scim/").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ScimToken)) == 0


# --- races ----------------------------------------------------------------------------------------------------------

def test_two_providers_creating_the_same_person_at_once_make_one_and_tell_the_other_409(app, scim, admin):
    from tests.test_concurrency import race

    second = warmed(Scim(app.test_client(), make_token(app, admin.email)))
    results = race(*(lambda provider=provider: provider("POST", "/Users", okta_user())
                     for provider in (scim, second)))
    statuses = sorted(response.status_code for response in results)
    assert statuses == [201, 409], [r.get_data(as_text=True) for r in results]
    loser = next(response for response in results if response.status_code == 409)
    assert_scim_error(loser, 409, "uniqueness")
    with app.app_context():
        made = db.session.scalars(sa.select(User.id).where(User.email == "ana.silva@example.test")).all()
        assert len(made) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "user.created", AuditEntry.subject_id == made[0])) == 1


def test_a_person_created_between_the_check_and_the_write_is_a_409_not_a_400(app, scim, monkeypatch):
    """The window the race above can fall into: another provider's person committed after this request looked for
    one and before it wrote its own. The people service refuses the taken e-mail, and the provider is told so."""
    from app.scim import services
    from tests.factories import make_user

    looked = services.require_unique

    def then_taken(wanted, person):
        looked(wanted, person)
        make_user(email=wanted.email, name="Ana Silva")

    monkeypatch.setattr(services, "require_unique", then_taken)
    response = scim("POST", "/Users", okta_user())
    assert_scim_error(response, 409, "uniqueness")
