"""The sign-in gate: every page needs a signed-in person except those marked public."""

import pytest

from app.auth.gate import public
from tests.factories import routes


def test_every_page_but_the_public_ones_sends_a_stranger_to_sign_in(app):
    client = app.test_client()
    open_to_all = {"main.healthz", "auth.login", "api_docs.openapi_json", "api_docs.reference"}
    provider_pages = {"auth.oidc_start", "auth.oidc_callback"}  # public too; here no provider is configured
    for rule, method in routes(app):
        if method != "GET" or rule.arguments:
            continue
        response = client.get(rule.rule)
        if rule.endpoint in open_to_all:
            assert response.status_code == 200, rule.rule
        elif rule.endpoint in provider_pages:
            assert response.status_code == 404, rule.rule
        elif rule.endpoint.startswith("scim."):  # a provider's bearer token, never a sign-in page
            assert response.status_code == 401 and response.mimetype == "application/scim+json", rule.rule
        elif rule.rule.startswith("/api/"):  # outside the gate: the API asks for its own bearer token
            assert response.status_code == 401 and response.mimetype == "application/problem+json", rule.rule
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule


def test_a_view_marked_public_needs_no_sign_in(app):
    app.add_url_rule("/_test/open", view_func=public(lambda: "open"), endpoint="open")
    app.add_url_rule("/_test/closed", view_func=lambda: "closed", endpoint="closed")
    client = app.test_client()
    assert client.get("/_test/open").status_code == 200
    assert client.get("/_test/closed").status_code == 302


def test_options_passes_the_gate_as_login_required_let_it(app):
    assert app.test_client().options("/loops/").status_code == 200


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_bench_bare_route_is_public(database, tmp_path):
    from bench.wsgi import make_app

    client = make_app(database).test_client()
    assert client.get("/bench/bare").status_code == 200


def test_a_refusal_of_the_loops_state_is_said_above_the_loop_page(app, client, auth, recruiter):
    from app.extensions import db
    from app.loops.models import Step
    from tests import factories
    from tests.conftest import PASSWORD

    with app.app_context():
        loop = factories.make_loop(step=Step.PHONE_SCREEN, phone_screen_evidence="")
        loop_id, email = loop.id, loop.hiring_manager.email
        db.session.commit()
    client.post("/login", data={"email": email, "password": PASSWORD})
    first = client.post(f"/loops/{loop_id}/screen/3", data={"outcome": "advance", "reason": ""})
    assert first.status_code == 302
    again = client.post(f"/loops/{loop_id}/screen/3", data={"outcome": "advance", "reason": ""})
    assert again.status_code == 409
    assert "The phone screen decision was already recorded." in again.get_data(as_text=True)
