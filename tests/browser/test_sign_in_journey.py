"""A demo user signs in, lands on their dashboard, and signs out, in Chromium."""

import pytest

from app.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_demo_interviewer_signs_in_sees_their_work_and_signs_out(demo, page):
    page.goto("/")
    assert "/login" in page.url  # signed out: sent to sign in

    page.get_by_label("E-mail").fill("interviewer@demo.test")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("That e-mail and password do not match an active account.").is_visible()

    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="My work").is_visible()
    nav = page.get_by_role("navigation")
    assert nav.get_by_text("Admin").count() == 0  # an interviewer sees no admin menu

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert page.get_by_text("You are signed out.").is_visible()
    page.goto("/")
    assert "/login" in page.url


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_demo_admin_sees_the_admin_menu_and_can_use_the_keyboard(demo, page):
    page.goto("/login")
    page.keyboard.press("Tab")  # the skip link comes first
    page.get_by_label("E-mail").fill("admin@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/")
    page.get_by_role("navigation").get_by_role("link", name="Users").click()
    assert page.get_by_role("heading", name="Users").is_visible()
    assert page.get_by_text("barraiser@demo.test").is_visible()
