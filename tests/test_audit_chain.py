"""The hash-chained audit trail: sealed on commit, verified by `flask verify-audit`, broken by any tampering."""

import threading

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from app.audit import chain
from app.audit.models import AuditEntry, AuditPersonalData
from app.audit.services import record
from app.extensions import db
from app.loops.models import LoopStatus, Step
from app.loops.workflow import end_loop
from tests import factories


def make_history(app, entries: int = 6) -> int:
    """Commit a loop closed with a reason and a few other entries, each in its own transaction; return the loop id."""
    with app.app_context():
        loop = factories.make_loop(step=Step.PHONE_SCREEN)
        db.session.commit()
        for n in range(entries - 1):
            record("loop.noted", loop, loop.recruiter, loop=loop, n=n)
            db.session.commit()
        end_loop(loop, loop.recruiter, LoopStatus.WITHDRAWN, "Took an offer at Initech; wants to stay in touch.")
        db.session.commit()
        return loop.id


def tamper(app, *statements: str, params: dict | None = None) -> None:
    """Change the database behind the app's back, as someone with direct access could, triggers off."""
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            for (name,) in connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit%'").all():
                connection.exec_driver_sql(f"DROP TRIGGER {name}")
        for statement in statements:
            connection.execute(sa.text(statement), params or {})


def verify(runner):
    result = runner.invoke(args=["verify-audit"])
    return result.exit_code, result.output


def test_entries_are_chained_in_commit_order_and_verify(app, runner):
    make_history(app)
    code, output = verify(runner)
    assert code == 0, output
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        assert [e.action for e in entries].count("loop.noted") == 5
        assert entries[0].prev_hash == chain.GENESIS
        assert all(later.prev_hash == earlier.entry_hash for earlier, later in zip(entries, entries[1:], strict=False))
        assert f"{len(entries)} entries, head {entries[-1].entry_hash}" in output


def test_an_edited_entry_is_reported(app, runner):
    make_history(app)
    tamper(app, "UPDATE audit_entries SET to_state = 'Hired' WHERE seq = 6")
    code, output = verify(runner)
    assert code == 1 and "(position 6) was edited" in output and "after 5 intact entries" in output


def test_an_edited_reason_in_the_personal_data_is_reported(app, runner):
    make_history(app)
    tamper(app, "UPDATE audit_personal_data SET reason = 'Failed the bar.'")
    code, output = verify(runner)
    assert code == 1 and "personal data it refers to was edited" in output


def test_a_deleted_entry_is_reported(app, runner):
    make_history(app)
    tamper(app, "DELETE FROM audit_entries WHERE seq = 3")
    code, output = verify(runner)
    assert code == 1 and "position 3 is missing; an entry was deleted" in output


def test_an_entry_deleted_from_the_end_is_reported(app, runner):
    make_history(app)
    with app.app_context():
        last = db.session.scalar(select(func.max(AuditEntry.seq)))
    tamper(app, "DELETE FROM audit_personal_data", f"DELETE FROM audit_entries WHERE seq = {last}")
    code, output = verify(runner)
    assert code == 1 and f"its head records {last}" in output


def test_an_inserted_entry_is_reported(app, runner):
    make_history(app)
    tamper(app, "INSERT INTO audit_entries (at, action, subject_type, reason, details) "
                "VALUES (CURRENT_TIMESTAMP, 'loop.advanced', 'Loop', '', '{}')")
    code, output = verify(runner)
    assert code == 1 and "is not in the chain: it was inserted" in output


def test_an_entry_inserted_into_the_chain_with_a_forged_hash_breaks_the_next_link(app, runner):
    loop_id = make_history(app)
    with app.app_context():
        third = db.session.scalar(select(AuditEntry).where(AuditEntry.seq == 3))
        forged = {"id": 999, "at": third.at, "actor_id": None, "action": "loop.advanced", "subject_type": "Loop",
                  "subject_id": loop_id, "loop_id": loop_id, "from_state": "Phone screen", "to_state": "Offer",
                  "reason": "", "details": {}, "personal_digest": None}
        forged_hash = chain.entry_hash(forged, 4, third.entry_hash)
        third_hash = third.entry_hash
    shift = ("UPDATE audit_entries SET seq = seq + 100 WHERE seq > 3",
             "UPDATE audit_entries SET seq = seq - 99 WHERE seq > 100")
    tamper(app, *shift, "INSERT INTO audit_entries (id, at, action, subject_type, subject_id, loop_id, from_state, "
                        "to_state, reason, details, seq, prev_hash, entry_hash) VALUES (999, :at, 'loop.advanced', "
                        "'Loop', :loop, :loop, 'Phone screen', 'Offer', '', '{}', 4, :prev, :hash)",
           "UPDATE audit_chain SET length = length + 1",
           params={"at": forged["at"], "loop": loop_id, "prev": third_hash, "hash": forged_hash})
    code, output = verify(runner)
    assert code == 1 and "(position 5) does not follow the entry before it" in output


def test_the_database_refuses_to_change_a_sealed_entry_or_its_personal_data(app):
    make_history(app)
    with app.app_context():
        for statement in ("UPDATE audit_entries SET to_state = 'Hired' WHERE seq = 2",
                          "UPDATE audit_entries SET seq = 99 WHERE seq = 2",
                          "DELETE FROM audit_entries WHERE seq = 2",
                          "UPDATE audit_personal_data SET reason = 'changed'",
                          "DELETE FROM audit_personal_data"):
            with pytest.raises(sa.exc.DatabaseError):
                db.session.execute(sa.text(statement))
            db.session.rollback()


def test_personal_data_is_kept_apart_and_its_erasure_leaves_the_chain_intact(app, runner):
    loop_id = make_history(app)
    with app.app_context():
        closed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "loop.closed"))
        assert closed.stored_reason == "" and closed.reason.startswith("Took an offer at Initech")
        shown = db.session.scalar(select(AuditEntry.reason).where(AuditEntry.id == closed.id))
        assert shown.startswith("Took an offer at Initech")
        db.session.execute(sa.update(AuditPersonalData).where(AuditPersonalData.entry_id == closed.id).values(
            reason=None, details=None, salt=None, erased_at=func.now()))
        db.session.commit()
        assert db.session.scalar(select(AuditEntry.reason).where(AuditEntry.id == closed.id)) == ""
        assert db.session.get(AuditEntry, closed.id).loop_id == loop_id
    code, output = verify(runner)
    assert code == 0, output


def test_writers_committing_at_once_never_fork_the_chain(app, runner):
    with app.app_context():
        loop = factories.make_loop(step=Step.PHONE_SCREEN)
        db.session.commit()
        loop_id = loop.id
    writers, per_writer = 8, 5
    barrier = threading.Barrier(writers)
    errors = []

    def write(n):
        try:
            with app.app_context():
                from app.loops.models import Loop

                mine = db.session.get(Loop, loop_id)
                barrier.wait(timeout=10)
                for k in range(per_writer):
                    record("loop.noted", mine, None, loop=mine, writer=n, k=k)
                    record("loop.noted", mine, None, loop=mine, writer=n, k=k, second=True)
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    code, output = verify(runner)
    assert code == 0, output
    with app.app_context():
        noted = db.session.scalar(select(func.count()).where(AuditEntry.action == "loop.noted"))
        assert noted == writers * per_writer * 2
        prevs = db.session.scalars(select(AuditEntry.prev_hash)).all()
        assert len(prevs) == len(set(prevs))  # no two entries chained onto the same predecessor


def test_the_migration_chains_existing_entries_and_moves_their_personal_data(app, runner):
    with app.app_context():
        downgrade(revision="0004")
        db.engine.dispose()
    with app.app_context(), db.engine.begin() as connection:
        now = "2026-01-02 03:04:05.678901"
        connection.execute(sa.text("INSERT INTO users (id, email, name, password_hash, is_admin, is_recruiter, "
                                   "certification, active, timezone, session_token, created_at) VALUES "
                                   "(1, 'r@x.test', 'Rec', 'x', false, true, 'none', true, 'UTC', 't', :now)"),
                           {"now": now})
        connection.execute(sa.text("INSERT INTO candidates (id, name, notes, created_at) "
                                   "VALUES (7, 'Grace Hopper', '', :now)"), {"now": now})
        for action, reason, details in [
                ("candidate.created", "", '{"name": "Grace Hopper"}'),
                ("candidate.updated", "Fixed a typo", '{"name": "Grace Hopper"}'),
                ("org_unit.created", "", '{"name": "Payments"}')]:
            subject = "OrgUnit" if action.startswith("org") else "Candidate"
            connection.execute(sa.text(
                "INSERT INTO audit_entries (at, actor_id, action, subject_type, subject_id, reason, details) "
                "VALUES (:at, 1, :action, :subject, 7, :reason, :details)"),
                {"at": now, "action": action, "subject": subject, "reason": reason, "details": details})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    code, output = verify(runner)
    assert code == 0 and "3 entries" in output, output
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [e.details for e in entries] == [{}, {}, {"name": "Payments"}]
        assert entries[1].reason == "Fixed a typo" and entries[1].personal.details == {"name": "Grace Hopper"}
        assert entries[2].personal is None
