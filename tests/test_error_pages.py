"""Error pages keep the signed-in person's navigation and sign-out, so an error is never a dead end."""

import pytest
from flask import abort

from app.extensions import db


@pytest.fixture
def erring_app(app):
    """The app with a page that fails with any status, and one that raises."""

    def fail(code: int):
        abort(code)

    def crash():
        raise RuntimeError("boom")

    app.add_url_rule("/test-fail/<int:code>", view_func=fail)
    app.add_url_rule("/test-crash", view_func=crash)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def signed_in_client(app, person):
    client = app.test_client()
    client.post("/login", data={"email": person.email, "password": person.password})
    return client


@pytest.mark.parametrize("path, code", [
    ("/test-fail/403", 403), ("/loops/424242", 404), ("/test-fail/409", 409), ("/test-fail/429", 429),
    ("/test-crash", 500), ("/test-fail/400", 400),
])
def test_error_pages_keep_the_navigation_and_sign_out(erring_app, recruiter, path, code):
    client = signed_in_client(erring_app, recruiter)
    response = client.get(path)
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert 'aria-label="Main"' in html and ">Loops</a>" in html and ">Candidates</a>" in html
    assert 'action="/logout"' in html and "Sign out" in html and "Rita Recruiter" in html


def test_the_500_page_still_renders_when_the_navigation_cannot_read_the_user(erring_app, recruiter, monkeypatch):
    client = signed_in_client(erring_app, recruiter)
    from app import permissions

    def unreadable(*args, **kwargs):
        raise RuntimeError("the database is down")

    monkeypatch.setattr(permissions, "is_recruiter", unreadable)
    erring_app.jinja_env.globals["is_recruiter"] = unreadable
    response = client.get("/test-crash")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html and 'aria-label="Main"' not in html
    with erring_app.app_context():
        db.session.remove()


def test_an_anonymous_error_page_has_no_navigation(erring_app, client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert 'aria-label="Main"' not in response.get_data(as_text=True)
