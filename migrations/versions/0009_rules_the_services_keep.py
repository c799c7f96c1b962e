"""Rules the services keep, kept by the database too.

- An erased candidate's row never changes again.
- One in-house interview per interviewer per loop.
- From written feedback on, a loop's bar raiser never changes.
- Only the loop's bar raiser, certified, records the concur or the veto.

PostgreSQL allows no subquery in a trigger's WHEN, so each check runs in a
function of its own there, as in 0005.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# (name, table, event, condition on OLD/NEW, message); `{differs}` is a null-safe inequality per database.
GUARDS = [
    ("candidates_erased_final", "candidates", "UPDATE", "OLD.anonymized_at IS NOT NULL",
     "an erased candidate is never written again"),
    ("loops_bar_raiser_fixed", "loops", "UPDATE",
     "OLD.step >= 5 AND {differs_bar_raiser}",
     "the bar raiser is fixed once written feedback starts"),
    ("verdict_by_certified_bar_raiser", "debrief_decisions", "UPDATE",
     "OLD.verdict IS NULL AND NEW.verdict IS NOT NULL AND NOT EXISTS (SELECT 1 FROM loops JOIN users "
     "ON users.id = loops.bar_raiser_id WHERE loops.id = NEW.loop_id AND users.id = NEW.verdict_by_id "
     "AND users.certification = 'certified')",
     "only the certified bar raiser of the loop concurs or vetoes"),
]
IN_HOUSE = "kind = 'in_house'"


def differs(column: str, postgres: bool) -> str:
    return (f"NEW.{column} IS DISTINCT FROM OLD.{column}" if postgres
            else f"NOT (NEW.{column} IS OLD.{column})")


def condition_for(condition: str, postgres: bool) -> str:
    return condition.format(differs_bar_raiser=differs("bar_raiser_id", postgres))


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_index("uq_interviews_in_house_interviewer", "interviews", ["loop_id", "interviewer_id"], unique=True,
                    sqlite_where=sa.text(IN_HOUSE), postgresql_where=sa.text(IN_HOUSE))
    for name, table, event, condition, message in GUARDS:
        condition = condition_for(condition, postgres)
        if postgres:
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                       f"IF {condition} THEN RAISE EXCEPTION '{message}' "
                       "USING ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$")
            op.execute(f"CREATE TRIGGER trg_{name} BEFORE {event} ON {table} FOR EACH ROW "
                       f"EXECUTE FUNCTION {name}()")
        else:
            op.execute(f"CREATE TRIGGER trg_{name} BEFORE {event} ON {table} FOR EACH ROW WHEN ({condition}) "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, _event, _condition, _message in GUARDS:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{name}")
    op.drop_index("uq_interviews_in_house_interviewer", table_name="interviews")
