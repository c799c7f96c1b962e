"""Steps every browser journey takes: signing in through the form, and out again."""

from playwright.sync_api import Page, expect


def sign_in(page: Page, person) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
