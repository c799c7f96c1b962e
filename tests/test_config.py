"""Configuration: strict parsing of the environment, a production refusal."""

import pytest

from config import Config, ProductionConfig, database_url, env_bool, env_int, env_list


@pytest.mark.parametrize("raw, expected", [("true", True), ("1", True), ("Yes", True), ("on", True),
                                           ("false", False), ("0", False), ("no", False), ("", False)])
def test_booleans_parse_strictly(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


def test_unknown_boolean_spelling_is_an_error(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "nope")
    with pytest.raises(ValueError, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


def test_numbers_refuse_words_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("MIN_IN_HOUSE_INTERVIEWS", "four")
    with pytest.raises(ValueError, match="whole number"):
        env_int("MIN_IN_HOUSE_INTERVIEWS", 4, minimum=1)
    monkeypatch.setenv("MIN_IN_HOUSE_INTERVIEWS", "0")
    with pytest.raises(ValueError, match="at least 1"):
        env_int("MIN_IN_HOUSE_INTERVIEWS", 4, minimum=1)


def test_postgres_urls_use_the_psycopg_driver(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal/hiring")
    assert database_url("sqlite://") == "postgresql+psycopg://u:p@db.internal/hiring"
    monkeypatch.delenv("DATABASE_URL")
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_default_database_is_sqlite_under_instance():
    assert Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert "/instance/" in Config.SQLALCHEMY_DATABASE_URI


def test_production_refuses_the_development_secret_key(monkeypatch):
    from app import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", Config.SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_refuses_to_sign_with_an_unnamed_key(monkeypatch):
    from app import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 48)
    monkeypatch.setattr(ProductionConfig, "PDF_SIGNING_KEY", "")
    monkeypatch.setattr(ProductionConfig, "PDF_SIGNING_SELF_SIGNED", False)
    with pytest.raises(RuntimeError, match="PDF_SIGNING_KEY and PDF_SIGNING_CERT"):
        create_app(ProductionConfig)


def test_production_starts_with_a_real_secret_key(monkeypatch, tmp_path):
    from app import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 48)
    monkeypatch.setattr(ProductionConfig, "PDF_SIGNING_SELF_SIGNED", True)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/p.db")
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("raw, expected", [(None, ()), ("", ()), ("  ", ()), ("Hiring Admins", ("Hiring Admins",)),
                                           (" admins , hr-admins ", ("admins", "hr-admins"))])
def test_identity_provider_group_lists_parse_strictly(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("IDP_ADMIN_GROUPS", raising=False)
    else:
        monkeypatch.setenv("IDP_ADMIN_GROUPS", raw)
    assert env_list("IDP_ADMIN_GROUPS") == expected


@pytest.mark.parametrize("raw", ["admins,,hr", "admins,", ",admins"])
def test_an_empty_name_in_a_group_list_is_an_error(monkeypatch, raw):
    monkeypatch.setenv("IDP_RECRUITER_GROUPS", raw)
    with pytest.raises(ValueError, match="IDP_RECRUITER_GROUPS"):
        env_list("IDP_RECRUITER_GROUPS")
