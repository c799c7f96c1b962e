"""An identity provider's SCIM calls over real HTTP, to the app served by gunicorn on 127.0.0.1.

The provider creates a person, finds them by filter as Okta and Entra ID do
before every change, and deactivates them with a PATCH; the person, signed in
in a browser meanwhile, is signed out at once and cannot sign in again. Runs
on SQLite and on PostgreSQL, like the rest of the suite.
"""

import http.client
import json
import os
import re
import urllib.parse

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.people.models import User
from app.scim import services
from tests import factories
from tests.conftest import dispose
from tests.gunicorn import GunicornProcess

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
MEDIA = "application/scim+json"
PASSWORD = "provisioned-password-1"


class Served(GunicornProcess):
    """gunicorn serving wsgi:app on one database, and the two clients that call it: a provider and a browser."""

    def call(self, method: str, path: str, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            headers = dict(response.getheaders())
            headers["Set-Cookie"] = [value for name, value in response.getheaders() if name.lower() == "set-cookie"]
            return response.status, headers, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def scim(self, token: str, method: str, path: str, payload=None):
        headers = {"Authorization": f"Bearer {token}", "Accept": MEDIA}
        body = None
        if payload is not None:
            body, headers["Content-Type"] = json.dumps(payload).encode(), MEDIA
        status, headers, text = self.call(method, "/scim/v2" + path, body, headers)
        return status, headers, json.loads(text) if text else None

    def browse(self, method: str, path: str, jar: dict, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())} if jar else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, text = self.call(method, path, body, headers)
        for header in response_headers["Set-Cookie"]:
            name, _, value = header.split(";", 1)[0].partition("=")
            if name.strip():
                jar[name.strip()] = value.strip()
        return status, response_headers, text

    def sign_in(self, email: str, password: str) -> tuple[int, dict]:
        jar: dict = {}
        _, _, page = self.browse("GET", "/login", jar)
        status, _, _ = self.browse("POST", "/login", jar, {"csrf_token": CSRF.search(page).group(1),
                                                          "email": email, "password": password})
        return status, jar


@pytest.fixture
def served(app, database, tmp_path):
    """The app's database with an admin and a provisioning token in it, served by one gunicorn worker."""
    with app.app_context():
        admin = factories.make_user(email="admin@http.test", name="Ada Http", is_admin=True)
        db.session.commit()
        _token, plaintext = services.create_token(admin)
        db.session.commit()
    dispose(app)
    env = {key: value for key, value in os.environ.items() if key not in ("APP_ENV", "FLASK_APP")}
    env.update({"DATABASE_URL": database, "SECRET_KEY": "scim-http-secret-" + "k" * 32, "JOBS_MODE": "off",
                "SESSION_COOKIE_SECURE": "false", "RATELIMIT_STORAGE_URI": "memory://",
                "UPLOAD_FOLDER": str(tmp_path / "uploads"), "PDF_CACHE_DIR": str(tmp_path / "pdf-cache"),
                "PDF_SIGNING_DIR": str(tmp_path / "signing")})
    server = Served("wsgi:app", env, workers=1, name="scim server")
    try:
        server.wait_until_up()
        yield server, plaintext
    finally:
        server.stop()


def test_a_provider_creates_finds_and_deactivates_a_person_whose_session_then_ends(app, served):
    """The calls Okta makes, in order; and a wrong token is refused over the wire too."""
    server, token = served
    status, headers, created = server.scim(token, "POST", "/Users", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "Lena.Berg@Example.test",
        "externalId": "00u-lena", "name": {"givenName": "Lena", "familyName": "Berg"},
        "emails": [{"value": "lena.berg@example.test", "type": "work", "primary": True}],
        "password": PASSWORD, "active": True})
    assert status == 201, created
    assert headers["Content-Type"] == MEDIA
    assert headers["Location"].endswith(f"/scim/v2/Users/{created['id']}")

    query = urllib.parse.quote('userName eq "lena.berg@example.test"')
    status, _, found = server.scim(token, "GET", f"/Users?filter={query}&startIndex=1&count=100")
    assert status == 200
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == created["id"]

    status, browser = server.sign_in("lena.berg@example.test", PASSWORD)
    assert status == 302
    assert server.browse("GET", "/", browser)[0] == 200

    status, _, patched = server.scim(token, "PATCH", f"/Users/{created['id']}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}]})
    assert status == 200 and patched["active"] is False

    status, headers, _ = server.browse("GET", "/", browser)
    assert status == 302 and "/login" in headers["Location"]  # the open session ended at once
    assert server.sign_in("lena.berg@example.test", PASSWORD)[0] != 302
    with app.app_context():
        person = db.session.scalar(sa.select(User).where(User.email == "lena.berg@example.test"))
        assert (person.active, person.external_id) == (False, "00u-lena")

    status, headers, body = server.scim("not-a-token", "GET", "/Users")
    assert status == 401
    assert headers["Content-Type"] == MEDIA and headers["WWW-Authenticate"].startswith("Bearer")
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] and body["status"] == "401"
