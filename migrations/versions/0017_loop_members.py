"""Loop members: one row per person per loop they take part in, kept by triggers, so the loop list walks a
person's own loops by index a page at a time.

A person takes part in a loop as its recruiter, hiring manager, bar raiser,
shadow or an interviewer of one of its interviews (`Loop.roles_of`). Triggers
on loops and interviews, on both databases, work a loop's rows out again in
the same transaction whenever its people, requisition, status, step or
interviews change, whoever writes. The rows of the loops already held are
written set-based, with a copy of the SQL as it stands at this revision
(app/loops/members.py keeps it from here on; `flask rebuild-loop-members`
makes the rows again with the current one).

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

PEOPLE = (
    "SELECT l.id AS loop_id, l.recruiter_id AS person_id FROM loops l WHERE {loops} "
    "UNION SELECT l.id, l.hiring_manager_id FROM loops l WHERE {loops} "
    "UNION SELECT l.id, l.bar_raiser_id FROM loops l WHERE {loops} AND l.bar_raiser_id IS NOT NULL "
    "UNION SELECT l.id, l.shadow_id FROM loops l WHERE {loops} AND l.shadow_id IS NOT NULL "
    "UNION SELECT i.loop_id, i.interviewer_id FROM interviews i WHERE {interviews}"
)
COLUMNS = "person_id, loop_id, requisition_id, status, step, step_entered_at"
MEMBERS = (
    f"SELECT p.person_id, l.id, l.requisition_id, l.status, l.step, l.step_entered_at "
    f"FROM ({PEOPLE}) p JOIN loops l ON l.id = p.loop_id"
)
# The loop columns a member row depends on.
LOOP_COLUMNS = ("recruiter_id", "hiring_manager_id", "bar_raiser_id", "shadow_id", "requisition_id", "status",
                "step", "step_entered_at")
INDEXES = [
    ("ix_loop_members_person_status_waiting", ["person_id", "status", "step_entered_at", "loop_id"]),
    ("ix_loop_members_person_waiting", ["person_id", "step_entered_at", "loop_id"]),
    ("ix_loop_members_person_step_waiting", ["person_id", "step", "step_entered_at", "loop_id"]),
    ("ix_loop_members_loop_id", ["loop_id"]),
]


def postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def refresh(loop: str) -> str:
    """The statements (each ending in ;) that make one loop's rows right again: drop who left, write who is in."""
    people = PEOPLE.format(loops=f"l.id = {loop}", interviews=f"i.loop_id = {loop}")
    members = MEMBERS.format(loops=f"l.id = {loop}", interviews=f"i.loop_id = {loop}") + f" WHERE l.id = {loop}"
    drop = f"DELETE FROM loop_members WHERE loop_id = {loop} AND person_id NOT IN (SELECT person_id FROM ({people}) p);"
    if postgres():
        write = (f"INSERT INTO loop_members ({COLUMNS}) {members} ON CONFLICT (person_id, loop_id) "
                 "DO UPDATE SET requisition_id = EXCLUDED.requisition_id, status = EXCLUDED.status, "
                 "step = EXCLUDED.step, step_entered_at = EXCLUDED.step_entered_at;")
    else:
        write = f"INSERT OR REPLACE INTO loop_members ({COLUMNS}) {members};"
    return f"{drop} {write}"


def changed(columns) -> str:
    return " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)


def create_triggers() -> None:
    loop_changed = changed(LOOP_COLUMNS)
    interview_changed = changed(("interviewer_id", "loop_id"))
    of_loop = ", ".join(LOOP_COLUMNS)
    if postgres():
        op.execute("CREATE FUNCTION loop_members_of_loop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"{refresh('NEW.id')} RETURN NULL; END $$")
        op.execute("CREATE FUNCTION loop_members_of_interview() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {refresh('NEW.loop_id')} END IF; "
                   f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {refresh('OLD.loop_id')} END IF; "
                   "RETURN NULL; END $$")
        op.execute("CREATE TRIGGER trg_loop_members_loop_insert AFTER INSERT ON loops FOR EACH ROW "
                   "EXECUTE FUNCTION loop_members_of_loop()")
        op.execute(f"CREATE TRIGGER trg_loop_members_loop_update AFTER UPDATE OF {of_loop} ON loops FOR EACH ROW "
                   f"WHEN ({loop_changed}) EXECUTE FUNCTION loop_members_of_loop()")
        op.execute("CREATE TRIGGER trg_loop_members_interview_insert AFTER INSERT ON interviews FOR EACH ROW "
                   "EXECUTE FUNCTION loop_members_of_interview()")
        op.execute("CREATE TRIGGER trg_loop_members_interview_update AFTER UPDATE OF interviewer_id, loop_id "
                   f"ON interviews FOR EACH ROW WHEN ({interview_changed}) "
                   "EXECUTE FUNCTION loop_members_of_interview()")
        op.execute("CREATE TRIGGER trg_loop_members_interview_delete AFTER DELETE ON interviews FOR EACH ROW "
                   "EXECUTE FUNCTION loop_members_of_interview()")
    else:
        op.execute("CREATE TRIGGER trg_loop_members_loop_insert AFTER INSERT ON loops FOR EACH ROW "
                   f"BEGIN {refresh('NEW.id')} END")
        op.execute(f"CREATE TRIGGER trg_loop_members_loop_update AFTER UPDATE OF {of_loop} ON loops FOR EACH ROW "
                   f"WHEN {loop_changed} BEGIN {refresh('NEW.id')} END")
        op.execute("CREATE TRIGGER trg_loop_members_interview_insert AFTER INSERT ON interviews FOR EACH ROW "
                   f"BEGIN {refresh('NEW.loop_id')} END")
        op.execute("CREATE TRIGGER trg_loop_members_interview_update AFTER UPDATE OF interviewer_id, loop_id "
                   f"ON interviews FOR EACH ROW WHEN {interview_changed} "
                   f"BEGIN {refresh('NEW.loop_id')} {refresh('OLD.loop_id')} END")
        op.execute("CREATE TRIGGER trg_loop_members_interview_delete AFTER DELETE ON interviews FOR EACH ROW "
                   f"BEGIN {refresh('OLD.loop_id')} END")


TRIGGERS = [("trg_loop_members_loop_insert", "loops"), ("trg_loop_members_loop_update", "loops"),
            ("trg_loop_members_interview_insert", "interviews"), ("trg_loop_members_interview_update", "interviews"),
            ("trg_loop_members_interview_delete", "interviews")]


def upgrade():
    op.create_table(
        "loop_members",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("loop_id", sa.Integer(), nullable=False),
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("step_entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'hired', 'not_hired', 'rejected', 'withdrawn')",
                           name=op.f("ck_loop_members_status_valid")),
        sa.ForeignKeyConstraint(["loop_id"], ["loops.id"], name="fk_loop_members_loop_id_loops", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["users.id"], name="fk_loop_members_person_id_users",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requisition_id"], ["requisitions.id"],
                                name="fk_loop_members_requisition_id_requisitions", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "loop_id", name="pk_loop_members"),
    )
    # Rows first, indexes after: one sort per index instead of a tree grown row by row.
    op.execute(f"INSERT INTO loop_members ({COLUMNS}) " + MEMBERS.format(loops="true", interviews="true"))
    for name, columns in INDEXES:
        op.create_index(name, "loop_members", columns, unique=False)
    create_triggers()


def downgrade():
    for name, table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if postgres() else f"DROP TRIGGER IF EXISTS {name}")
    if postgres():
        op.execute("DROP FUNCTION IF EXISTS loop_members_of_loop()")
        op.execute("DROP FUNCTION IF EXISTS loop_members_of_interview()")
    op.drop_table("loop_members")
