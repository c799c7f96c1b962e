"""A real OpenID Connect provider (tests/oidc/provider.js, oidc-provider on node) for the sign-in tests.

The session fixture `oidc_provider` starts it on a free 127.0.0.1 port, waits
for its discovery document and stops it at the end. It skips where node or
tests/oidc/node_modules are missing (`npm ci --prefix tests/oidc`), and fails
instead under REQUIRE_BROWSER=1 (CI).

Its clients: `hiring-app`, the app; `hiring-app-slow`, whose ID tokens live one
second and reach the app a second and a half after they are made; and
`hiring-app-misdirected`, answered with ID tokens signed for `other-app`,
another application registered at the same provider.
"""

import copy
import json
import os
import re
import shutil
import socket
import subprocess  # nosec B404 - starts the test provider, a fixed command
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

HERE = Path(__file__).parent / "oidc"
SECRET = "a-client-secret-for-the-tests-only-0123456789"
ACCOUNTS = [
    {"sub": "ana", "email": "ana@example.test", "email_verified": True, "name": "Ana Silva",
     "groups": ["hiring-admins", "everyone"]},
    {"sub": "raj", "email": "raj@example.test", "email_verified": True, "name": "Raj Patel",
     "groups": ["talent", "everyone"]},
    {"sub": "ivy", "email": "ivy@example.test", "email_verified": True, "name": "Ivy Interviewer",
     "groups": ["everyone"]},
    {"sub": "chen", "email": "chen@example.test", "email_verified": True, "name": "Chen Li", "groups": []},
    {"sub": "mallory", "email": "mallory@elsewhere.test", "email_verified": True, "name": "Mallory Outsider",
     "groups": ["hiring-admins"]},
    {"sub": "una", "email": "una@example.test", "email_verified": False, "name": "Una Verified",
     "groups": []},
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    app_base_url: str  # where the app's callback is registered: a live server for the browser listens here
    config_path: Path

    @property
    def app_port(self) -> int:
        return urlsplit(self.app_base_url).port

    def app_settings(self, client_id: str = "hiring-app", **overrides) -> dict:
        """Return the app's settings for signing in at this provider as `client_id`."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": client_id, "OIDC_CLIENT_SECRET": SECRET,
                "OIDC_PROVIDER_NAME": "Example ID", "OIDC_ALLOWED_DOMAINS": ("example.test",),
                "IDP_ADMIN_GROUPS": ("hiring-admins",), "IDP_RECRUITER_GROUPS": ("talent",),
                "APP_BASE_URL": self.app_base_url, **overrides}

    def change_account(self, sub: str, **claims) -> None:
        """Change a person's claims at the provider (it reads its accounts at each sign-in)."""
        config = json.loads(self.config_path.read_text())
        for account in config["accounts"]:
            if account["sub"] == sub:
                account.update(claims)
        self.config_path.write_text(json.dumps(config))

    def reset_accounts(self) -> None:
        config = json.loads(self.config_path.read_text())
        config["accounts"] = copy.deepcopy(ACCOUNTS)
        self.config_path.write_text(json.dumps(config))


def unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    node = shutil.which("node")
    if node is None:
        unavailable("the OpenID Connect tests need node (apt-get install nodejs npm)")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        unavailable("the OpenID Connect tests need `npm ci --prefix tests/oidc`")
    port, app_port = free_port(), free_port()
    app_base_url = f"http://127.0.0.1:{app_port}"
    callback = [f"{app_base_url}/login/oidc/callback"]
    clients = [
        {"client_id": "hiring-app", "client_secret": SECRET, "redirect_uris": callback},
        {"client_id": "hiring-app-slow", "client_secret": SECRET, "redirect_uris": callback,
         "id_token_ttl": 1, "token_delay_ms": 1500},
        {"client_id": "hiring-app-misdirected", "client_secret": SECRET, "redirect_uris": callback,
         "id_token_audience": "other-app"},
        {"client_id": "other-app", "client_secret": SECRET, "redirect_uris": ["http://127.0.0.1:9/callback"]},
    ]
    config_path = tmp_path_factory.mktemp("oidc") / "provider.json"
    config_path.write_text(json.dumps({"port": port, "clients": clients, "accounts": ACCOUNTS}))
    log = open(config_path.with_suffix(".log"), "w+")  # noqa: SIM115 - read back if it does not start
    process = subprocess.Popen(  # nosec B603 - node and a file of this repository
        [node, str(HERE / "provider.js")], cwd=HERE, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "OIDC_PROVIDER_CONFIG": str(config_path)})
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"the OpenID Connect provider did not start:\n{log.read()}")
            time.sleep(0.1)
        yield Provider(issuer, app_base_url, config_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')
PROMPT = re.compile(r'name="prompt" value="([a-z]+)"')


def through_provider(provider: Provider, authorize_url: str, sub: str) -> str:
    """Sign in at the provider as `sub` the way a browser does (login form, then consent), and return
    the app-relative callback address (path and query) that the provider redirects to."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        while response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(provider.app_base_url):
                parts = urlsplit(url)
                return f"{parts.path}?{parts.query}"
            response = browser.get(url, allow_redirects=False, timeout=10)
        html = response.text
        action, prompt = FORM_ACTION.search(html), PROMPT.search(html)
        assert action and prompt, f"no sign-in form at {url}: {html[:500]}"
        data = {"prompt": prompt.group(1)}
        if data["prompt"] == "login":
            data.update(login=sub, password="any password")
        response = browser.post(urljoin(url, action.group(1).replace("&amp;", "&")), data=data,
                                allow_redirects=False, timeout=10)
        assert response.is_redirect, response.text[:500]
        url = urljoin(url, response.headers["Location"])
        if url.startswith(provider.app_base_url):
            parts = urlsplit(url)
            return f"{parts.path}?{parts.query}"
    raise AssertionError("the provider never sent the browser back to the app")
