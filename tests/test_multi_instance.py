"""Two gunicorn instances on one PostgreSQL database behave as one application.

The instances are real processes (`gunicorn wsgi:app`, one worker each) on
loopback ports, sharing only the database, the secret key and, when
TEST_REDIS_URL is set, the rate-limit store. The test gets its own database on
the TEST_DATABASE_URL server and drops it at the end, so the shared test
database is never touched.
"""

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from config import database_url
from tests.gunicorn import GunicornProcess

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()
SECRET_KEY = "multi-instance-secret-" + "k" * 32
ADMIN = ("admin@multi.test", "Ada Multi", "admin-password-123")
RECRUITER = ("recruiter@multi.test", "Rex Multi", "recruiter-password-123")
ACCOUNT_LIMIT = 3
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL and os.environ.get("REQUIRE_POSTGRES") != "1",
    reason="the multi-instance test needs PostgreSQL (TEST_DATABASE_URL)",
)


class Instance(GunicornProcess):
    """One gunicorn process serving wsgi:app on its own port, and a tiny HTTP client for it."""

    def __init__(self, name: str, env: dict):
        super().__init__("wsgi:app", env, workers=1, name=f"instance {name}")

    def request(self, method: str, path: str, form: dict | None = None, cookies: dict | None = None):
        """Send one request; return (status, the cookies it set, the body as text)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {}
        body = None
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            set_cookies = {}
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, val = pair.partition("=")
                    set_cookies[key.strip()] = val.strip()
            return response.status, set_cookies, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def csrf(self, path: str, cookies: dict) -> tuple[str, dict]:
        """GET a form page; return its CSRF token and the cookies to send with the POST."""
        status, set_cookies, body = self.request("GET", path, cookies=cookies)
        assert status == 200, f"{self.name} {path}: {status}"
        match = CSRF.search(body)
        assert match, f"{self.name} {path} has no CSRF token"
        return match.group(1), {**cookies, **set_cookies}

    def sign_in(self, email: str, password: str, cookies: dict | None = None):
        """Post the login form; return (status, the cookies after it)."""
        token, jar = self.csrf("/login", cookies or {})
        status, set_cookies, _ = self.request("POST", "/login", {"csrf_token": token, "email": email,
                                                                 "password": password}, jar)
        return status, {**jar, **set_cookies}


def run_flask(env: dict, *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def own_database():
    """Create a database of the test's own on the PostgreSQL server; migrate it; drop it at the end."""
    if not TEST_DATABASE_URL:
        pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
    server = database_url(TEST_DATABASE_URL)
    name = f"multi_instance_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    url = server.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(scope="module")
def instances(own_database, tmp_path_factory):
    """Start instances A and B on one migrated database, with an admin and a recruiter in it."""
    folder = tmp_path_factory.mktemp("multi")
    env = {key: value for key, value in os.environ.items() if key not in ("APP_ENV", "FLASK_APP")}
    env.update({
        "DATABASE_URL": own_database, "SECRET_KEY": SECRET_KEY, "SESSION_COOKIE_SECURE": "false",
        "UPLOAD_FOLDER": str(folder / "uploads"), "PDF_CACHE_DIR": str(folder / "pdf-cache"),
        "SIGN_IN_LIMIT_PER_ACCOUNT": f"{ACCOUNT_LIMIT} per 5 minutes",
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL or "memory://",
    })
    run_flask(env, "db", "upgrade")
    for (email, name, password), role in ((ADMIN, "--admin"), (RECRUITER, "--recruiter")):
        run_flask(env, "create-user", "--email", email, "--name", name, "--password", password, role)
    if TEST_REDIS_URL:  # a fresh count for this test's accounts, whatever ran before
        import redis

        redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    started = [Instance("A", env), Instance("B", env)]
    try:
        for instance in started:
            instance.wait_until_up()
        yield started
    finally:
        for instance in started:
            instance.stop()


def org_unit_names(instance: Instance, cookies: dict) -> str:
    status, _, body = instance.request("GET", "/admin/org-units", cookies=cookies)
    assert status == 200
    return body


def test_a_session_started_on_one_instance_works_on_the_other(instances):
    a, b = instances
    status, cookies = a.sign_in(ADMIN[0], ADMIN[2])
    assert status == 302
    status, _, body = b.request("GET", "/", cookies=cookies)
    assert status == 200
    assert ADMIN[1] in body  # B knows who signed in on A


def test_writes_on_both_instances_read_back_on_either(instances):
    a, b = instances
    status, cookies = a.sign_in(ADMIN[0], ADMIN[2])
    assert status == 302
    for instance, unit in ((a, "Written on A"), (b, "Written on B")):
        token, jar = instance.csrf("/admin/org-units", cookies)
        status, set_cookies, _ = instance.request("POST", "/admin/org-units",
                                                  {"csrf_token": token, "name": unit}, jar)
        assert status == 302, f"creating {unit!r} on {instance.name} answered {status}"
        cookies = {**jar, **set_cookies}
    for instance in (a, b):
        body = org_unit_names(instance, cookies)
        assert "Written on A" in body and "Written on B" in body


def test_signing_out_on_one_instance_ends_the_session_on_the_other(instances):
    a, b = instances
    status, cookies = a.sign_in(ADMIN[0], ADMIN[2])
    assert status == 302
    copied = dict(cookies)
    token, jar = a.csrf("/", cookies)
    status, _, _ = a.request("POST", "/logout", {"csrf_token": token}, jar)
    assert status == 302
    status, _, _ = b.request("GET", "/", cookies=copied)
    assert status == 302  # back to the sign-in page: the copied cookie no longer signs anyone in


@pytest.mark.skipif(not TEST_REDIS_URL, reason="a shared rate-limit store needs TEST_REDIS_URL (redis)")
def test_the_per_account_sign_in_limit_holds_across_instances(instances):
    a, b = instances
    attempts = [a, b, a][:ACCOUNT_LIMIT]
    for n, instance in enumerate(attempts):
        status, _ = instance.sign_in(RECRUITER[0], f"wrong-password-{n}")
        assert status == 401, f"failure {n + 1} on {instance.name} answered {status}"
    for instance in (a, b):
        status, _ = instance.sign_in(RECRUITER[0], RECRUITER[2])
        assert status == 429, f"{instance.name} let a sign-in through past the shared limit ({status})"


@pytest.mark.skipif(not TEST_REDIS_URL, reason="workers sharing a queue need TEST_REDIS_URL (redis)")
def test_two_workers_on_one_redis_share_the_jobs_and_do_none_twice(instances, own_database):
    """Two huey consumers (two threads each) on one Redis queue and one PostgreSQL: forty jobs, each done once."""
    queue_name = f"multi-{uuid.uuid4().hex[:8]}"
    env = {key: value for key, value in os.environ.items() if key not in ("APP_ENV", "FLASK_APP")}
    env.update({"DATABASE_URL": own_database, "SECRET_KEY": SECRET_KEY, "JOBS_REDIS_URL": TEST_REDIS_URL,
                "JOBS_QUEUE_NAME": queue_name})
    enqueue = ("from tests.job_probe import probe\n"
               "for number in range(40):\n"
               "    probe(number)\n")
    subprocess.run([sys.executable, "-c", enqueue], cwd=ROOT, env=env, check=True, timeout=60)
    workers = [subprocess.Popen(  # noqa: S603 - our own consumer, a fixed argument list
        [sys.executable, "-m", "huey.bin.huey_consumer", "tests.job_probe.huey", "-w", "2", "-k", "thread"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    engine = sa.create_engine(database_url(own_database))
    count = sa.text("SELECT count(*) FROM audit_entries WHERE action = 'job.probe'")
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                if connection.execute(count).scalar() >= 40:
                    break
            time.sleep(0.5)
        time.sleep(1)  # a job done twice would write its second entry now
        with engine.connect() as connection:
            numbers = [row[0] for row in connection.execute(sa.text(
                "SELECT details FROM audit_entries WHERE action = 'job.probe'"))]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(10)
            worker.stderr.close()
        engine.dispose()
    done = sorted(details["number"] for details in numbers)
    assert done == list(range(40)), "every job done exactly once"
    assert len({details["worker"] for details in numbers}) == 2, "both workers took a share"
