"""In Chromium, people sign in through the local OpenID Connect provider: its real login form, real redirects."""

import threading

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from app.extensions import db
from app.people.models import User
from tests.browser.accessibility import axe_violations
from tests.conftest import PASSWORD, dispose, make_app, make_person

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database", ["sqlite"], indirect=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def settings():
    return {}


@pytest.fixture
def app(database, tmp_path, oidc_provider, settings):
    app = make_app(database, tmp_path, **oidc_provider.app_settings(**settings))
    yield app
    dispose(app)


@pytest.fixture
def live_server(app, oidc_provider):
    """Serve the app where the provider sends people back: the callback registered there."""
    server = make_server("127.0.0.1", oidc_provider.app_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield oidc_provider.app_base_url
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def through_the_provider(page: Page, sub: str) -> None:
    """Use the provider's own pages: its login form takes the account's id, then its consent page."""
    page.get_by_role("link", name="Sign in with Example ID").click()
    page.locator("input[name=login]").fill(sub)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_a_person_signs_in_through_the_provider_and_lands_on_their_home_page(app, page):
    page.goto("/loops/")
    assert "/login" in page.url
    expect(page.get_by_role("link", name="Sign in with Example ID")).to_be_visible()
    expect(page.get_by_label("E-mail")).to_be_visible()  # the password form stays while it is on
    assert axe_violations(page) == []

    through_the_provider(page, "ana")
    page.wait_for_url("**/loops/")  # back where they were going
    page.goto("/")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_text("Ana Silva").first).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Users")).to_be_visible()  # admin by group
    with app.app_context():
        assert db.session.query(User).filter_by(email="ana@example.test", oidc_subject="ana").one().is_admin


def test_a_refused_person_reads_why_on_an_accessible_page(page, chromium, oidc_provider):
    page.goto("/login")
    through_the_provider(page, "mallory")
    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("is not an address of this company")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to the sign-in page").click()
    page.wait_for_url("**/login")

    phone = chromium.new_context(viewport=PHONE, base_url=oidc_provider.app_base_url).new_page()
    phone.goto("/login")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    phone.context.close()


@pytest.mark.parametrize("settings", [{"PASSWORD_SIGN_IN": False}])
def test_with_password_sign_in_off_only_a_break_glass_admin_uses_the_form(app, page, settings):
    person = make_person(app, "rita@example.test", "Rita Recruiter", is_recruiter=True)
    admin = make_person(app, "glass@example.test", "Gil Glass", is_admin=True)
    with app.app_context():
        db.session.get(User, admin.id).is_break_glass = True
        db.session.commit()
    page.goto("/login")
    expect(page.get_by_role("heading", name="Break-glass sign-in")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in with a break-glass account").click()
    expect(page.get_by_text("Password sign-in is turned off, except for break-glass accounts")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in with a break-glass account").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()

    page.goto(f"/admin/users/{person.id}")
    page.get_by_label("Break-glass account").check()
    page.get_by_role("button", name="Save break-glass setting").click()
    expect(page.get_by_text("Rita Recruiter may sign in with a password while password sign-in is off")).to_be_visible()
    expect(page.get_by_label("Break-glass account")).to_be_checked()
    expect(page.get_by_text("Made a break-glass account")).to_be_visible()
    assert axe_violations(page) == []
