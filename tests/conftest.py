"""Fixtures: an app per backend, a client, a CLI runner, one fixture per role.

Every test that asks for `app` runs on SQLite, and again on PostgreSQL when
TEST_DATABASE_URL is set. Each backend's schema is built once per session by
the migrations (so the tests exercise them); each test then starts from that
freshly migrated state.
"""

import os
import shutil
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from config import TestConfig, database_url
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
PASSWORD = "correct-horse-battery"
pytest_plugins = ["tests.oidc_provider"]  # the OpenID Connect provider fixture, for tests/ and tests/browser/


def pytest_configure(config):
    config.addinivalue_line("filterwarnings", "error")
    config.addinivalue_line("markers", "browser: drives a real Chromium")


def make_app(url: str, tmp_path=None, **overrides):
    settings = {"SQLALCHEMY_DATABASE_URI": url, **overrides}
    if tmp_path is not None:
        settings.setdefault("UPLOAD_FOLDER", str(tmp_path / "uploads"))
        settings.setdefault("PDF_CACHE_DIR", str(tmp_path / "pdf-cache"))
        settings.setdefault("PDF_SIGNING_DIR", str(tmp_path / "signing"))
    config = type("PerTestConfig", (TestConfig,), settings)
    return create_app(config)


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """Return the path of a migrated SQLite database that tests copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
    dispose(app)
    return path


@pytest.fixture(scope="session")
def postgres_url():
    """Migrate a clean PostgreSQL schema once; return its URL and the catalogue rows."""
    if not TEST_DATABASE_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    url = database_url(TEST_DATABASE_URL)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    app = make_app(url)
    with app.app_context():
        upgrade()
        principles = [dict(row) for row in db.session.execute(sa.text("SELECT * FROM principles")).mappings()]
    dispose(app)
    return url, principles


def reset_postgres(url: str, principles: list[dict]) -> None:
    """Empty every table (TRUNCATE fires no row triggers) and reload the catalogue."""
    engine = sa.create_engine(url)
    tables = [t.name for t in db.metadata.sorted_tables]
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        connection.execute(
            sa.text("INSERT INTO principles (id, name, description, position, is_active, created_at) "
                    "VALUES (:id, :name, :description, :position, :is_active, :created_at)"),
            principles,
        )
        connection.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('principles', 'id'), (SELECT max(id) FROM principles))"
        ))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """Return the URL of a freshly migrated database on the parametrized backend."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url, principles = request.getfixturevalue("postgres_url")
    reset_postgres(url, principles)
    return url


@pytest.fixture
def app(database, tmp_path):
    app = make_app(database, tmp_path)
    yield app
    dispose(app)


@pytest.fixture
def ctx(app):
    """Run the test inside an app context, for services and models called without HTTP."""
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass(frozen=True)
class Person:
    """A user made for a test, with the password to sign in."""

    id: int
    email: str
    name: str
    password: str = PASSWORD


def make_person(app, email: str, name: str, **kwargs) -> Person:
    with app.app_context():
        user = factories.make_user(email=email, name=name, password=PASSWORD, **kwargs)
        db.session.commit()
        return Person(user.id, user.email, user.name)


@pytest.fixture
def admin(app):
    return make_person(app, "admin@example.test", "Ada Admin", is_admin=True, org_unit="People Ops")


@pytest.fixture
def recruiter(app):
    return make_person(app, "recruiter@example.test", "Rita Recruiter", is_recruiter=True, org_unit="Talent")


@pytest.fixture
def hiring_manager(app):
    return make_person(app, "hm@example.test", "Hank Manager", org_unit="Payments")


@pytest.fixture
def bar_raiser(app):
    return make_person(app, "br@example.test", "Bea Raiser", certification="certified", org_unit="Search")


@pytest.fixture
def interviewer(app):
    return make_person(app, "iv@example.test", "Ivan Interviewer", org_unit="Payments")


@pytest.fixture
def shadow(app):
    return make_person(app, "shadow@example.test", "Sam Shadow", certification="in_training", org_unit="Ads")


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, person: Person | None = None, email: str | None = None, password: str | None = None):
        return self._client.post(
            "/login",
            data={"email": email or person.email, "password": password or (person.password if person else "")},
        )

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
