"""A recruiter makes an API token on their account page, copies it once, uses it, and revokes it; the account
page and the API reference pass axe and fit a phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import axe_violations
from tests.browser.journey import sign_in
from tests.browser.test_narrow_screens import PHONE, nothing_hidden_sideways

pytestmark = pytest.mark.browser


def test_a_token_is_made_shown_once_used_and_revoked(page, recruiter, live_server):
    sign_in(page, recruiter)
    page.get_by_role("link", name=recruiter.name).click()
    expect(page.get_by_role("heading", name="Personal access tokens")).to_be_visible()
    page.get_by_label("Name").fill("Greenhouse sync")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("token-secret").inner_text()
    assert secret.startswith("hrt_pat_")
    assert axe_violations(page) == []
    answer = page.request.get(f"{live_server}/api/v1/loops", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200
    page.goto("/account/")
    expect(page.get_by_test_id("token-secret")).to_have_count(0)  # shown once
    expect(page.get_by_role("cell", name="Greenhouse sync", exact=True)).to_be_visible()
    page.get_by_role("button", name="Revoke Greenhouse sync").click()
    expect(page.get_by_text("Revoked “Greenhouse sync”")).to_be_visible()
    answer = page.request.get(f"{live_server}/api/v1/loops", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 401 and answer.headers["content-type"] == "application/problem+json"
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="GET /api/v1/loops/{loop_id}/outcome")).to_be_visible()
    assert axe_violations(page) == []


def test_the_account_page_and_the_reference_fit_a_phone(chromium, live_server, recruiter):
    context = chromium.new_context(viewport=PHONE, base_url=live_server)
    phone = context.new_page()
    try:
        sign_in(phone, recruiter)
        phone.goto("/account/")
        phone.get_by_label("Name").fill("Nightly export")
        phone.get_by_role("button", name="Create token").click()
        for path in ("/account/", "/api/v1/docs"):
            phone.goto(path)
            nothing_hidden_sideways(phone)
    finally:
        context.close()
