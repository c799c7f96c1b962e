"""An admin makes a SCIM token for the identity provider, copies it once, sees it used, and revokes it.

The token page is checked with axe-core, and at a phone's width."""

import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import axe_violations
from tests.browser.journey import sign_in
from tests.browser.test_narrow_screens import PHONE, nothing_hidden_sideways

pytestmark = pytest.mark.browser


def test_an_admin_makes_a_token_the_provider_uses_then_revokes_it(page, live_server, admin):
    sign_in(page, admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="SCIM").click()
    expect(page.get_by_role("heading", name="SCIM provisioning")).to_be_visible()
    expect(page.get_by_text("No tokens yet")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Make a token").click()
    expect(page.get_by_text("Copy this token now; it is not shown again.")).to_be_visible()
    plaintext = page.locator("#new-token").input_value()
    assert plaintext.startswith("hrt_scim_")
    assert axe_violations(page) == []

    request = urllib.request.Request(f"{live_server}/scim/v2/Users",
                                     headers={"Authorization": f"Bearer {plaintext}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310 - our own live server
        assert response.status == 200

    page.goto("/admin/scim/")
    assert plaintext not in page.content()
    row = page.get_by_role("row", name=plaintext[:13])
    expect(row).to_contain_text(admin.name)
    expect(row).not_to_contain_text("Never")
    page.set_viewport_size(PHONE)
    nothing_hidden_sideways(page)

    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    expect(page.get_by_role("row", name=plaintext[:13])).to_contain_text("Revoked")
    assert axe_violations(page) == []
