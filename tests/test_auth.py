"""Signing in and out."""

import re

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.people.models import User
from tests.conftest import make_app


def test_login_page_has_the_stable_fields(client):
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html
    assert '<label for="email"' in html and '<label for="password"' in html


def test_sign_in_lands_on_home_and_is_audited(app, client, auth, interviewer):
    response = auth.login(interviewer)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert interviewer.name in home.get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == interviewer.id)).all()
        assert "auth.sign_in" in actions


def test_e_mail_is_matched_whatever_its_case(client, auth, interviewer):
    assert auth.login(email=interviewer.email.upper(), password=interviewer.password).status_code == 302


@pytest.mark.parametrize("email, password", [
    ("iv@example.test", "wrong-password-123"),
    ("nobody@example.test", "correct-horse-battery"),
])
def test_wrong_password_and_unknown_e_mail_get_the_same_answer(client, auth, interviewer, email, password):
    response = auth.login(email=email, password=password)
    assert response.status_code == 401
    assert "That e-mail and password do not match an active account." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_inactive_user_cannot_sign_in(app, auth, interviewer):
    with app.app_context():
        db.session.get(User, interviewer.id).active = False
        db.session.commit()
    response = auth.login(interviewer)
    assert response.status_code == 401
    assert "do not match an active account" in response.get_data(as_text=True)


def test_missing_fields_get_field_level_messages(client):
    response = client.post("/login", data={"email": "not-an-address"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a valid e-mail address." in html
    assert "Enter your password." in html


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_sign_in_follows_a_local_next_but_never_another_site(client, auth, interviewer):
    ok = client.post("/login?next=/admin/users", data={"email": interviewer.email, "password": interviewer.password})
    assert ok.headers["Location"] == "/admin/users"
    client.post("/logout")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/login?next={target}",
                               data={"email": interviewer.email, "password": interviewer.password})
        assert response.headers["Location"] == "/", target
        client.post("/logout")


def test_sign_in_renews_the_session(client, auth, interviewer):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login(interviewer)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{interviewer.id}:")


def test_sign_out_needs_a_post_and_ends_the_session(client, auth, interviewer):
    auth.login(interviewer)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions(app, auth, client, interviewer):
    auth.login(interviewer)
    other = app.test_client()
    other.post("/login", data={"email": interviewer.email, "password": interviewer.password})
    assert other.get("/").status_code == 200
    with app.app_context():
        user = db.session.get(User, interviewer.id)
        user.set_password("an-entirely-new-password")
        db.session.commit()
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 302


def test_passwords_are_hashed_with_scrypt(app, interviewer):
    with app.app_context():
        user = db.session.get(User, interviewer.id)
        assert user.password_hash.startswith("scrypt:")
        assert interviewer.password not in user.password_hash


@pytest.fixture
def csrf_client(database, tmp_path):
    app = make_app(database, tmp_path, WTF_CSRF_ENABLED=True)
    yield app, app.test_client()
    from tests.conftest import dispose

    dispose(app)


def csrf_token_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_sign_in_without_or_with_a_wrong_csrf_token_is_refused(csrf_client, interviewer):
    app, client = csrf_client
    form = {"email": interviewer.email, "password": interviewer.password}
    assert client.post("/login", data=form).status_code == 400
    assert client.post("/login", data={**form, "csrf_token": "forged"}).status_code == 400
    assert client.get("/").status_code == 302
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={**form, "csrf_token": token}).status_code == 302


def test_sign_out_without_a_csrf_token_is_refused(csrf_client, interviewer):
    app, client = csrf_client
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": interviewer.email, "password": interviewer.password, "csrf_token": token})
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_failed_sign_ins_are_audited(app, auth, interviewer):
    auth.login(email=interviewer.email, password="wrong-password-123")
    auth.login(email="nobody@example.test", password="wrong-password-123")
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.sign_in_failed")
                                     .order_by(AuditEntry.id)).all()
        assert [(e.subject_id, e.details["email"]) for e in entries] == [
            (interviewer.id, interviewer.email), (None, "nobody@example.test")]


def test_an_idle_session_ends(app, client, auth, interviewer):
    auth.login(interviewer)
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 5
    assert client.get("/").status_code == 302


def test_a_session_ends_after_its_lifetime_even_when_busy(app, client, auth, interviewer):
    auth.login(interviewer)
    with client.session_transaction() as session:
        session["signed_in_at"] -= app.config["PERMANENT_SESSION_LIFETIME"] + 5
    assert client.get("/").status_code == 302


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, client, auth, interviewer):
    auth.login(interviewer)
    stolen = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302


def test_repeated_failures_are_throttled_per_account_but_the_account_recovers(app, client, auth, interviewer):
    app.config["SIGN_IN_LIMIT_PER_ACCOUNT"] = "3 per 2 seconds"
    for _ in range(3):
        assert auth.login(email=interviewer.email, password="wrong-password-123").status_code == 401
    throttled = auth.login(interviewer)
    assert throttled.status_code == 429
    assert "Too many attempts" in throttled.get_data(as_text=True)
    other = app.test_client()  # another account from the same address is not affected
    assert other.post("/login", data={"email": "x@example.test", "password": "wrong-password-1"}).status_code == 401
    import time

    time.sleep(2.1)
    assert auth.login(interviewer).status_code == 302


def test_successful_sign_ins_do_not_use_up_the_allowance(app, client, auth, interviewer):
    app.config["SIGN_IN_LIMIT_PER_ACCOUNT"] = "2 per minute"
    for _ in range(4):
        assert auth.login(interviewer).status_code == 302
        auth.logout()
