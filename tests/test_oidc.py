"""Sign-in through a real OpenID Connect provider (tests/oidc/provider.js), and password sign-in turned off."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.people import services as people
from app.people.models import User
from tests.conftest import PASSWORD, dispose, make_app, make_person
from tests.oidc_provider import through_provider


@pytest.fixture
def provider(oidc_provider):
    yield oidc_provider
    oidc_provider.reset_accounts()


def sso_app_for(database, tmp_path, provider, **settings):
    return make_app(database, tmp_path, **provider.app_settings(**settings))


@pytest.fixture
def app(database, tmp_path, provider):
    """The app, signing in at the test provider as `hiring-app`."""
    app = sso_app_for(database, tmp_path, provider)
    yield app
    dispose(app)


def start(client) -> str:
    response = client.get("/login/oidc")
    assert response.status_code == 302
    return response.headers["Location"]


def sign_in(client, provider, sub: str):
    """Go through the provider's sign-in as `sub` and return the app's answer to its callback."""
    return client.get(through_provider(provider, start(client), sub))


def user_by_email(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def refusals(app) -> list[dict]:
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.sign_in_refused")
                                     .order_by(AuditEntry.id)).all()
        return [{**entry.details, "subject_id": entry.subject_id} for entry in entries]


def assert_refused(app, client, response, status: int, cause: str, words: str) -> dict:
    """The callback answered `status` with a page that says `words`, audited `cause`, and signed nobody in."""
    html = response.get_data(as_text=True)
    assert response.status_code == status, html[:2000]
    assert words in html
    assert "Back to the sign-in page" in html
    entries = refusals(app)
    assert entries and entries[-1]["cause"] == cause and entries[-1]["method"] == "oidc"
    assert client.get("/").status_code == 302  # still signed out
    return entries[-1]


def test_the_login_page_offers_the_provider_and_keeps_the_password_form(database, tmp_path, provider):
    app = sso_app_for(database, tmp_path, provider, WTF_CSRF_ENABLED=True)
    html = app.test_client().get("/login").get_data(as_text=True)
    dispose(app)
    assert "Sign in with Example ID" in html
    assert 'name="email"' in html and 'name="password"' in html and 'name="csrf_token"' in html
    assert "Or with your password" in html


def test_the_sign_in_asks_the_provider_with_pkce_state_and_nonce(app, client, provider):
    location = start(client)  # open to a stranger: the gate lets it through
    assert location.startswith(provider.issuer + "/auth?")
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0] and query["state"] != query["nonce"]
    assert query["scope"] == ["openid email profile"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == [provider.app_base_url + "/login/oidc/callback"]


def test_first_sign_in_creates_the_account_with_roles_from_the_groups(app, client, provider):
    response = sign_in(client, provider, "ana")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "Ana Silva" in home.get_data(as_text=True)
    ana = user_by_email(app, "ana@example.test")
    assert (ana.name, ana.oidc_issuer, ana.oidc_subject) == ("Ana Silva", provider.issuer, "ana")
    assert ana.is_admin and not ana.is_recruiter and ana.password_hash == ""
    client.post("/logout")

    assert sign_in(app.test_client(), provider, "raj").status_code == 302
    raj = user_by_email(app, "raj@example.test")
    assert raj.is_recruiter and not raj.is_admin
    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action, AuditEntry.details)
                                     .where(AuditEntry.subject_id == ana.id, AuditEntry.subject_type == "User")).all()
    assert ("user.created", "sign-in provider") in [(a, d.get("source")) for a, d in actions]
    assert ("auth.sign_in", "oidc") in [(a, d.get("method")) for a, d in actions]


def test_a_provider_account_has_no_password_to_sign_in_with(app, client, provider):
    sign_in(client, provider, "ivy")
    client.post("/logout")
    assert client.post("/login", data={"email": "ivy@example.test", "password": ""}).status_code == 400
    assert client.post("/login", data={"email": "ivy@example.test", "password": "x" * 12}).status_code == 401


def test_a_later_sign_in_updates_name_e_mail_and_roles(app, client, provider):
    sign_in(client, provider, "chen")
    first = user_by_email(app, "chen@example.test")
    assert not first.is_recruiter
    client.post("/logout")
    provider.change_account("chen", name="Chen Wei", email="chen.wei@example.test", groups=["talent"])
    assert sign_in(client, provider, "chen").status_code == 302
    assert user_by_email(app, "chen@example.test") is None
    again = user_by_email(app, "chen.wei@example.test")
    assert again.id == first.id and again.name == "Chen Wei" and again.is_recruiter
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.updated",
                                                           AuditEntry.subject_id == first.id))
        assert entry.details["changes"]["email"] == ["chen@example.test", "chen.wei@example.test"]
        assert entry.details["changes"]["roles"] == [[], ["recruiter"]]


def test_the_first_sign_in_links_an_existing_account_by_its_verified_e_mail(app, client, provider):
    existing = make_person(app, "ivy@example.test", "Ivy Old Name")
    assert sign_in(client, provider, "ivy").status_code == 302
    ivy = user_by_email(app, "ivy@example.test")
    assert ivy.id == existing.id and ivy.oidc_subject == "ivy" and ivy.name == "Ivy Interviewer"
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.linked_to_provider",
                                                          AuditEntry.subject_id == ivy.id))


def test_a_person_deactivated_in_the_app_cannot_sign_in_through_the_provider(app, client, provider):
    admin = make_person(app, "boss@example.test", "Bo Boss", is_admin=True)
    sign_in(client, provider, "ivy")
    assert client.get("/").status_code == 200
    with app.app_context():
        people.set_active(db.session.scalar(select(User).where(User.email == "ivy@example.test")), False,
                          db.session.get(User, admin.id))
        db.session.commit()
    assert client.get("/").status_code == 302  # deactivation ended the provider's session too
    entry = assert_refused(app, client, sign_in(client, provider, "ivy"), 403, "deactivated", "deactivated")
    assert entry["subject_id"] == user_by_email(app, "ivy@example.test").id


def test_an_e_mail_outside_the_allowed_domains_is_refused(app, client, provider):
    assert_refused(app, client, sign_in(client, provider, "mallory"), 403, "domain_not_allowed",
                   "mallory@elsewhere.test is not an address of this company")
    assert user_by_email(app, "mallory@elsewhere.test") is None


def test_an_unverified_e_mail_is_refused(app, client, provider):
    assert_refused(app, client, sign_in(client, provider, "una"), 403, "unverified_email", "has not verified")
    assert user_by_email(app, "una@example.test") is None


def test_a_replayed_callback_is_refused(app, client, provider):
    authorize = start(client)
    with client.session_transaction() as session:
        before = dict(session)  # the browser's cookie while the sign-in was under way
    callback = through_provider(provider, authorize, "ana")
    assert client.get(callback).status_code == 302
    client.post("/logout")
    assert_refused(app, client, client.get(callback), 400, "state", "already used")

    # Replayed with the cookie that still holds the state: the provider refuses the used code.
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(before)
    assert_refused(app, thief, thief.get(callback), 400, "token_exchange", "would not complete the sign-in")


def test_a_callback_without_state_is_refused(app, client):
    assert_refused(app, client, client.get("/login/oidc/callback?code=abc"), 400, "state", "has no state")


def test_an_id_token_with_another_nonce_is_refused(app, client, provider):
    authorize = start(client)
    state = re.search(r"[?&]state=([^&]+)", authorize).group(1)
    with client.session_transaction() as session:  # the sign-in this browser started asked another nonce
        key = f"_state_oidc_{state}"
        session[key] = {**session[key], "data": {**session[key]["data"], "nonce": "a-different-nonce"}}
    response = client.get(through_provider(provider, authorize, "ana"))
    assert_refused(app, client, response, 400, "nonce", "belongs to another sign-in")


def test_an_expired_id_token_is_refused(database, tmp_path, provider):
    """`hiring-app-slow`'s ID tokens live a second and arrive after a second and a half."""
    strict = sso_app_for(database, tmp_path, provider, client_id="hiring-app-slow", OIDC_LEEWAY_SECONDS=0)
    client = strict.test_client()
    assert_refused(strict, client, sign_in(client, provider, "ana"), 400, "expired", "has expired")
    dispose(strict)

    lenient = sso_app_for(database, tmp_path, provider, client_id="hiring-app-slow", OIDC_LEEWAY_SECONDS=60)
    assert sign_in(lenient.test_client(), provider, "ana").status_code == 302  # the same token, within leeway
    dispose(lenient)


def test_an_id_token_for_another_application_is_refused(database, tmp_path, provider):
    app = sso_app_for(database, tmp_path, provider, client_id="hiring-app-misdirected")
    client = app.test_client()
    assert_refused(app, client, sign_in(client, provider, "ana"), 400, "audience", "meant for another application")
    assert user_by_email(app, "ana@example.test") is None
    dispose(app)


def test_an_error_from_the_provider_is_refused(app, client):
    authorize = start(client)
    state = re.search(r"[?&]state=([^&]+)", authorize).group(1)
    response = client.get(f"/login/oidc/callback?error=access_denied&error_description=End-User+aborted"
                          f"&state={state}")
    entry = assert_refused(app, client, response, 403, "provider_error", "The sign-in provider refused")
    assert entry["error"] == "access_denied"


def test_sign_in_returns_to_the_page_asked_for(app, client, provider):
    client.get("/login/oidc?next=/loops/")
    callback = through_provider(provider, client.get("/login/oidc?next=/loops/").headers["Location"], "ana")
    assert client.get(callback).headers["Location"] == "/loops/"


# Password sign-in turned off.

@pytest.fixture
def no_passwords(database, tmp_path, provider):
    app = sso_app_for(database, tmp_path, provider, PASSWORD_SIGN_IN=False)
    yield app
    dispose(app)


def test_with_password_sign_in_off_an_ordinary_account_is_refused(no_passwords):
    app = no_passwords
    person = make_person(app, "rita@example.test", "Rita Recruiter", is_recruiter=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "Break-glass sign-in" in page and 'name="email"' in page and 'name="password"' in page
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 401
    assert "Password sign-in is turned off, except for break-glass accounts" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert refusals(app)[-1]["cause"] == "password_sign_in_off"


def test_with_password_sign_in_off_a_break_glass_admin_signs_in(no_passwords):
    app = no_passwords
    admin = make_person(app, "glass@example.test", "Gil Glass", is_admin=True)
    with app.app_context():
        db.session.get(User, admin.id).is_break_glass = True
        db.session.commit()
    client = app.test_client()
    wrong = client.post("/login", data={"email": admin.email, "password": "not-the-password"})
    assert wrong.status_code == 401 and "do not match one" in wrong.get_data(as_text=True)
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200


def test_an_admin_marks_an_account_break_glass_and_it_is_audited(app, client):
    admin = make_person(app, "boss@example.test", "Bo Boss", is_admin=True)
    other = make_person(app, "ops@example.test", "Ola Ops", is_admin=True)
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    page = client.get(f"/admin/users/{other.id}").get_data(as_text=True)
    assert "Break-glass account" in page
    assert client.post(f"/admin/users/{other.id}/break-glass", data={"is_break_glass": "y"}).status_code == 302
    assert user_by_email(app, other.email).is_break_glass
    assert client.post(f"/admin/users/{other.id}/break-glass", data={}).status_code == 302
    assert not user_by_email(app, other.email).is_break_glass
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == other.id,
                                                                    AuditEntry.actor_id == admin.id)).all()
    assert actions == ["user.break_glass_granted", "user.break_glass_revoked"]


def test_refused_callbacks_use_up_the_address_s_sign_in_allowance(database, tmp_path, provider):
    app = sso_app_for(database, tmp_path, provider, SIGN_IN_LIMIT_PER_ADDRESS="2 per 5 minutes")
    client = app.test_client()
    answers = [client.get("/login/oidc/callback?code=x&state=forged").status_code for _ in range(3)]
    dispose(app)
    assert answers == [400, 400, 429]


def test_a_provider_that_does_not_answer_gets_a_clear_page(database, tmp_path, provider):
    from tests.oidc_provider import free_port

    app = make_app(database, tmp_path, **provider.app_settings(OIDC_ISSUER=f"http://127.0.0.1:{free_port()}"))
    response = app.test_client().get("/login/oidc")
    dispose(app)
    assert response.status_code == 502
    assert "The sign-in provider did not answer" in response.get_data(as_text=True)


# Settings.

@pytest.mark.parametrize("name, raw, words", [
    ("OIDC_ISSUER", "accounts.example.com", "http:// or https://"),
    ("OIDC_ALLOWED_DOMAINS", "example.com,,example.org", "without empty items"),
    ("IDP_ADMIN_GROUPS", "admins, ", "without empty items"),
    ("PASSWORD_SIGN_IN", "perhaps", "true/false"),
])
def test_sign_in_settings_are_read_strictly(monkeypatch, name, raw, words):
    import importlib

    import config

    monkeypatch.setenv(name, raw)
    with pytest.raises(ValueError, match=words):
        importlib.reload(config)
    monkeypatch.delenv(name)
    importlib.reload(config)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
@pytest.mark.parametrize("settings, words", [
    ({"OIDC_ISSUER": "https://id.example.com", "OIDC_CLIENT_ID": "", "OIDC_CLIENT_SECRET": ""},
     "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set"),
    ({"OIDC_ISSUER": "", "PASSWORD_SIGN_IN": False}, "PASSWORD_SIGN_IN=false needs OIDC_ISSUER"),
])
def test_a_half_made_sign_in_configuration_stops_the_app(database, tmp_path, settings, words):
    with pytest.raises(RuntimeError, match=words):
        make_app(database, tmp_path, **settings)


def test_production_refuses_a_plain_http_issuer(monkeypatch):
    from app import create_app
    from config import ProductionConfig

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 48)
    monkeypatch.setattr(ProductionConfig, "PDF_SIGNING_SELF_SIGNED", True)
    monkeypatch.setattr(ProductionConfig, "OIDC_ISSUER", "http://id.example.com")
    with pytest.raises(RuntimeError, match="https://"):
        create_app(ProductionConfig)


def test_an_answer_naming_another_issuer_is_refused(app, client, provider):
    callback = through_provider(provider, start(client), "ana")
    assert "iss=" in callback  # the provider names itself in its answer (RFC 9207)
    forged = re.sub(r"iss=[^&]+", "iss=https%3A%2F%2Fevil.example", callback)
    assert_refused(app, client, client.get(forged), 400, "issuer", "came from another issuer")


# The account rules, without HTTP.

ISSUER = "https://id.example.test"


def provider_sign_in(**claims):
    return people.sign_in_from_provider(**{"issuer": ISSUER, "subject": "s-1", "email": "kim@example.test",
                                           "email_verified": True, "name": "Kim Lee", "groups": None, **claims})


@pytest.fixture
def rules(database, tmp_path):
    app = make_app(database, tmp_path, OIDC_ALLOWED_DOMAINS=("example.test",),
                   IDP_ADMIN_GROUPS=("admins",), IDP_RECRUITER_GROUPS=("talent", "sourcers"))
    with app.app_context():
        yield app
        db.session.rollback()
    dispose(app)


def test_the_provider_cannot_demote_the_last_active_admin(rules):
    kim = provider_sign_in(groups=["admins"])
    db.session.commit()
    assert provider_sign_in(groups=["talent"]) == kim
    assert kim.is_admin and kim.is_recruiter  # still an admin: nobody else is one
    from tests.factories import make_user

    make_user(email="other-admin@example.test", is_admin=True)
    provider_sign_in(groups=["sourcers"])
    assert not kim.is_admin and kim.is_recruiter


def test_without_a_groups_claim_roles_stay_as_the_app_has_them(rules):
    kim = provider_sign_in(groups=["talent"])
    provider_sign_in(groups=None)
    assert kim.is_recruiter


def test_an_account_tied_to_another_identity_is_not_taken_over(rules):
    kim = provider_sign_in(subject="s-1")
    db.session.commit()
    with pytest.raises(people.ProviderSignInRefused) as refusal:
        provider_sign_in(subject="s-2")
    assert refusal.value.cause == "identity_mismatch" and refusal.value.user == kim


def test_an_e_mail_another_account_holds_is_not_taken(rules):
    from tests.factories import make_user

    make_user(email="taken@example.test")
    provider_sign_in()
    with pytest.raises(people.ProviderSignInRefused, match="Another account already uses"):
        provider_sign_in(email="taken@example.test")


@pytest.mark.parametrize("claims, cause", [
    ({"email": ""}, "no_email"),
    ({"subject": ""}, "subject"),
    ({"subject": "s" * 256}, "subject"),
    ({"email_verified": False}, "unverified_email"),
    ({"email": "kim@example.test.evil"}, "domain_not_allowed"),
])
def test_unusable_claims_are_refused_before_any_account_is_touched(rules, claims, cause):
    with pytest.raises(people.ProviderSignInRefused) as refusal:
        provider_sign_in(**claims)
    assert refusal.value.cause == cause
    assert db.session.scalar(select(User).where(User.oidc_issuer == ISSUER)) is None
