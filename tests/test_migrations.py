"""The migrations: one head, a clean round trip, and no drift from the models."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app.extensions import db


def test_there_is_a_single_head(app):
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        assert len(script.get_heads()) == 1


def for_this_database(dialect: str):
    """Leave out what the models create on another database only (`ddl_if(dialect=...)`), such as trigram indexes."""

    def include(item, name, type_, reflected, compare_to):
        only = getattr(getattr(item, "_ddl_if", None), "dialect", None)
        return only is None or only == dialect

    return include


def test_models_match_the_migrations(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": for_this_database(connection.dialect.name)})
        assert compare_metadata(context, db.metadata) == []


def tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_downgrade_to_base_then_upgrade_again(app):
    expected = {t.name for t in db.metadata.sorted_tables}
    assert tables(app) == expected
    with app.app_context():
        downgrade(revision="base")
        db.engine.dispose()
    assert tables(app) == set()
    with app.app_context():
        upgrade()
        db.engine.dispose()
        assert db.session.execute(sa.text("SELECT count(*) FROM principles")).scalar() == 16
        db.session.remove()
    assert tables(app) == expected


def test_the_program_migration_keeps_existing_certifications(app):
    """0006 maps none / in training / certified onto the path and widens the states allowed."""
    with app.app_context():
        downgrade(revision="0004")
        db.engine.dispose()
        for n, state in enumerate(("none", "in_training", "certified"), start=1):
            db.session.execute(sa.text(
                "INSERT INTO users (email, name, password_hash, is_admin, is_recruiter, certification, active,"
                " timezone, session_token, created_at) VALUES (:email, :name, 'x', false, false, :state, true,"
                " 'UTC', :token, :created)"),
                {"email": f"p{n}@example.test", "name": f"P{n}", "state": state, "token": f"t{n}",
                 "created": "2025-01-01 00:00:00"})
        db.session.commit()
        db.session.remove()
        upgrade()
        db.engine.dispose()
        rows = db.session.execute(sa.text(
            "SELECT certification, certification_since IS NOT NULL FROM users ORDER BY email")).all()
        assert [tuple(r) for r in rows] == [("none", False), ("in_training", True), ("certified", True)]
        db.session.execute(sa.text("UPDATE users SET certification = 'reverse_shadow' WHERE email = 'p2@example.test'"))
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text("UPDATE users SET certification = 'wizard' WHERE email = 'p2@example.test'"))
        db.session.rollback()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text("UPDATE users SET certification = 'nominated', certification_since = NULL"
                                       " WHERE email = 'p1@example.test'"))
        db.session.rollback()
        db.session.remove()
