"""An admin registers a webhook endpoint, copies its secret, reads the delivery log and redelivers; a person
sets their chat address. Each new page is checked with axe-core, and fits a phone."""

import ipaddress

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from app.extensions import db
from app.loops.models import Step
from app.loops.workflow import end_loop
from app.webhooks.delivery import deliver_due
from tests import factories
from tests.browser.accessibility import axe_violations
from tests.browser.journey import sign_in, sign_out
from tests.browser.test_narrow_screens import PHONE, nothing_hidden_sideways
from tests.webhook_receiver import start

pytestmark = pytest.mark.browser


@pytest.fixture
def receiver():
    receiver, server = start(lambda n: 500 if n == 1 else 200)
    yield receiver
    server.shutdown()
    server.server_close()


def test_an_admin_registers_an_endpoint_and_redelivers_a_failed_message(app, page, admin, interviewer, receiver):
    app.config.update(WEBHOOK_ALLOWED_HOSTS=(frozenset(), (ipaddress.ip_network("127.0.0.1/32"),)),
                      WEBHOOK_MAX_ATTEMPTS=1)
    sign_in(page, admin)
    page.goto("/admin/webhooks/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="New endpoint").click()
    page.get_by_label("Address").fill("http://10.0.0.7/hook")
    page.get_by_role("button", name="Save endpoint").click()
    expect(page.locator("#url-error")).to_contain_text("private")
    assert axe_violations(page) == []
    page.get_by_label("Address").fill(receiver.url)
    page.get_by_label("Description").fill("Applicant tracking sync")
    page.get_by_role("button", name="Save endpoint").click()
    secret = page.locator("#signing-secret").inner_text()
    assert secret.startswith("whsec_")
    assert axe_violations(page) == []

    with app.app_context():
        loop = factories.make_loop(step=Step.PHONE_SCREEN)
        end_loop(loop, loop.recruiter, "withdrawn", "")
        db.session.commit()
        assert deliver_due().failed == 1  # the receiver refuses the first request

    page.goto("/admin/webhooks/")
    page.get_by_role("link", name=f"Deliveries to {receiver.url}").click()
    expect(page.get_by_text("HTTP 500").first).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Redeliver").click()
    expect(page.get_by_text("will be sent again")).to_be_visible()
    with app.app_context():
        assert deliver_due().delivered == 1
    assert Webhook(secret).verify(receiver.requests[1].body, receiver.requests[1].headers)["type"] == "loop.closed"
    page.goto("/admin/webhooks/")
    page.get_by_role("link", name=f"Edit {receiver.url}").click()
    assert axe_violations(page) == []
    sign_out(page)

    sign_in(page, interviewer)
    page.get_by_title("Your account").click()
    page.get_by_role("link", name="Chat notices").click()
    page.get_by_label("Incoming-webhook address").fill(receiver.url + "me")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Chat notices will go to that address.")).to_be_visible()
    assert axe_violations(page) == []

    page.set_viewport_size(PHONE)
    for path in ("/account/chat",):
        page.goto(path)
        nothing_hidden_sideways(page)
    sign_out(page)
    sign_in(page, admin)
    for path in ("/admin/webhooks/", "/admin/webhooks/1/deliveries", "/admin/webhooks/1", "/admin/webhooks/new"):
        page.goto(path)
        nothing_hidden_sideways(page)
