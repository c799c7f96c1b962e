"""The migrations: one head, a clean round trip, and no drift from the models."""

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


def test_models_match_the_migrations(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
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
