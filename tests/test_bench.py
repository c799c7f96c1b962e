"""The bench's synthetic companies: written in bulk, they read as the services would have written them."""

import sqlalchemy as sa

from app.extensions import db
from bench.company import PASSWORD, RECRUITER_EMAIL, SHAPES, build_company
from bench.measure import showcase_loop_id


def test_a_bulk_built_company_has_an_intact_audit_chain_and_serves_its_pages(app, runner):
    with app.app_context():
        counts = build_company(db.engine, 60, SHAPES["bigger"])
        loop_id = showcase_loop_id()
        names = db.session.execute(sa.text(
            "SELECT count(*) FROM audit_entries e JOIN audit_personal_data p ON p.entry_id = e.id "
            "WHERE e.action = 'loop.created' AND e.details::text NOT LIKE '%candidate%'"
            if db.engine.dialect.name == "postgresql" else
            "SELECT count(*) FROM audit_entries e JOIN audit_personal_data p ON p.entry_id = e.id "
            "WHERE e.action = 'loop.created' AND e.details NOT LIKE '%candidate%'")).scalar()
        sealed = db.session.execute(sa.text("SELECT count(*) FROM feedback WHERE status = 'submitted'")).scalar()
    assert counts["loops"] == 60 and counts["users"] == 2661
    assert names == 60  # every candidate's name is kept apart from its entry, as erasure needs
    assert sealed > 0
    verdict = runner.invoke(args=["verify-audit"])
    assert verdict.exit_code == 0, verdict.output
    assert f"intact: {counts['audit_entries']} entries" in verdict.output

    client = app.test_client()
    assert client.post("/login", data={"email": RECRUITER_EMAIL, "password": PASSWORD}).status_code == 302
    page = client.get(f"/loops/{loop_id}")
    assert page.status_code == 200
    assert "Showcase Candidate Okonkwo-Lindqvist" in page.get_data(as_text=True)


def test_an_edited_built_entry_breaks_the_chain(app, runner):
    with app.app_context():
        build_company(db.engine, 30, SHAPES["older"])
        with db.engine.begin() as connection:  # as someone with direct access could, triggers off
            if connection.dialect.name == "postgresql":  # for this transaction only: the schema is shared
                connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
            else:  # each SQLite test has its own copy of the database
                connection.execute(sa.text("DROP TRIGGER IF EXISTS trg_audit_entries_sealed_once"))
            connection.execute(sa.text("UPDATE audit_entries SET to_state = 'Hired' WHERE id = 5"))
    verdict = runner.invoke(args=["verify-audit"])
    assert verdict.exit_code == 1
    assert "entry 5" in verdict.output


def test_a_built_company_is_cached_and_restored(tmp_path, monkeypatch):
    from bench.cache import prepare
    from bench.wsgi import make_app

    monkeypatch.setenv("BENCH_CACHE", str(tmp_path / "cache"))
    said = []
    first = tmp_path / "first.db"
    built = prepare(make_app(f"sqlite:///{first}"), "SQLite", SHAPES["older"], 40, said.append, first)
    second = tmp_path / "second.db"
    restored = prepare(make_app(f"sqlite:///{second}"), "SQLite", SHAPES["older"], 40, said.append, second)
    assert built.restored_seconds is None and restored.restored_seconds is not None
    assert restored.counts == built.counts
    assert any("restored from" in line for line in said)
    other = tmp_path / "other.db"
    bigger = prepare(make_app(f"sqlite:///{other}"), "SQLite", SHAPES["bigger"], 40, said.append, other)
    assert bigger.restored_seconds is None  # another shape is another company
    engine = sa.create_engine(f"sqlite:///{second}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM loops")).scalar() == 40
    engine.dispose()
