"""The bar-raiser program: the certification path, sign-offs, levels and managers,
reverse-shadow loops, the bar raiser's debrief summary, agenda notes and practice verdicts.

Existing certifications keep their meaning: none stays none, in training stays
in training, certified stays certified; each non-none state counts from the
person's account creation, the best date the data holds.

SQLite cannot change a table's CHECK without rebuilding the table, and the
rebuild would drop `users` under the foreign keys that point at it. Widening a
CHECK changes nothing on disk, so there the constraint's text is rewritten in
the schema, the procedure SQLite documents for such changes
(https://www.sqlite.org/lang_altertable.html, "otherwise"). New columns come
with their constraints in ADD COLUMN.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 09:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

def states_check(states) -> str:
    return "certification IN (" + ", ".join(f"'{s}'" for s in states) + ")"


OLD_STATES = ("none", "in_training", "certified")
NEW_STATES = ("none", "nominated", "in_training", "shadowing", "reverse_shadow", "certified", "paused", "retired")
HAS_SINCE = "certification = 'none' OR certification_since IS NOT NULL"
SQLITE_NEW_USER_CONSTRAINTS = (
    f"CHECK ({states_check(NEW_STATES)}), CONSTRAINT ck_users_certification_has_since CHECK ({HAS_SINCE}), "
    "CONSTRAINT fk_users_manager_id_users FOREIGN KEY(manager_id) REFERENCES users (id) ON DELETE SET NULL")
REVERSE_SHADOW = "NOT is_reverse_shadow OR (shadow_id IS NOT NULL AND bar_raiser_id IS NOT NULL)"

# (name, table, events, condition on OLD/NEW or None, message), as in 0001.
GUARDS = [
    ("signoffs_append_only", "certification_signoffs", "UPDATE OR DELETE", None,
     "a sign-off is never changed or withdrawn"),
    ("practice_verdicts_final", "practice_verdicts", "UPDATE OR DELETE", None,
     "a practice verdict is recorded once"),
    ("brief_ready_is_final", "debrief_briefs", "UPDATE OR DELETE", "OLD.status = 'ready'",
     "a debrief summary marked ready is final"),
]


def sqlite_rewrite_table_sql(table: str, old: str, new: str) -> None:
    """Replace constraint text in a table's schema entry; only for changes that leave every row valid."""
    bind = op.get_bind()
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                       {"t": table}).scalar_one()
    if old not in sql:
        raise RuntimeError(f"{table}: expected constraint text not found: {old}")
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
                 {"sql": sql.replace(old, new), "t": table})
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))


def sqlite_trigger_name(name, events, event):
    return f"trg_{name}_{event.lower()}" if " OR " in events else f"trg_{name}"


def create_guards(postgres: bool) -> None:
    for name, table, events, condition, message in GUARDS:
        when = f" WHEN ({condition})" if condition else ""
        if postgres:
            op.execute(f"CREATE TRIGGER trg_{name} BEFORE {events} ON {table} FOR EACH ROW{when} "
                       f"EXECUTE FUNCTION refuse_change('{message}')")
        else:
            for event in events.split(" OR "):
                op.execute(f"CREATE TRIGGER {sqlite_trigger_name(name, events, event)} BEFORE {event} ON {table} "
                           f"FOR EACH ROW{when} BEGIN SELECT RAISE(ABORT, '{message}'); END")


def drop_guards(postgres: bool) -> None:
    for name, table, events, _condition, _message in GUARDS:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{name} ON {table}")
        else:
            for event in events.split(" OR "):
                op.execute(f"DROP TRIGGER IF EXISTS {sqlite_trigger_name(name, events, event)}")


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"

    # People: the path's states, since when, a job level and a manager.
    if postgres:
        with op.batch_alter_table('users', schema=None) as batch_op:
            batch_op.add_column(sa.Column('certification_since', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('job_level', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('manager_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f('fk_users_manager_id_users'), 'users', ['manager_id'], ['id'],
                                        ondelete='SET NULL')
            batch_op.create_check_constraint(batch_op.f('ck_users_job_level_range'), 'job_level BETWEEN 1 AND 12')
            batch_op.create_check_constraint(batch_op.f('ck_users_not_own_manager'), 'manager_id <> id')
            batch_op.drop_constraint(batch_op.f('ck_users_certification_valid'), type_='check')
            batch_op.create_check_constraint(batch_op.f('ck_users_certification_valid'), states_check(NEW_STATES))
        op.execute("UPDATE users SET certification_since = created_at WHERE certification <> 'none'")
        op.create_check_constraint(op.f('ck_users_certification_has_since'), 'users', HAS_SINCE)
    else:
        op.execute("ALTER TABLE users ADD COLUMN certification_since DATETIME")
        op.execute("ALTER TABLE users ADD COLUMN job_level INTEGER "
                   "CONSTRAINT ck_users_job_level_range CHECK (job_level BETWEEN 1 AND 12)")
        op.execute("ALTER TABLE users ADD COLUMN manager_id INTEGER "
                   "CONSTRAINT ck_users_not_own_manager CHECK (manager_id <> id)")
        op.execute("UPDATE users SET certification_since = created_at WHERE certification <> 'none'")
        # The foreign key goes in as a table constraint, where reflection finds its name; every
        # manager_id is still NULL, so no row can break it.
        sqlite_rewrite_table_sql("users", f"CHECK ({states_check(OLD_STATES)})", SQLITE_NEW_USER_CONSTRAINTS)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_manager_id'), ['manager_id'], unique=False)

    # Requisitions: whether the new hire will manage the hiring manager's people.
    with op.batch_alter_table('requisitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manages_people', sa.Boolean(), nullable=False, server_default=sa.false()))

    # Loops: a shadow who acts as the bar raiser under the certified one's supervision.
    if postgres:
        op.add_column('loops', sa.Column('is_reverse_shadow', sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
        op.create_check_constraint(op.f('ck_loops_reverse_shadow_has_people'), 'loops', REVERSE_SHADOW)
    else:
        op.execute("ALTER TABLE loops ADD COLUMN is_reverse_shadow BOOLEAN NOT NULL DEFAULT 0 "
                   f"CONSTRAINT ck_loops_reverse_shadow_has_people CHECK ({REVERSE_SHADOW})")

    op.create_table('certification_signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('round_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(note)) > 0', name=op.f('ck_certification_signoffs_note_not_blank')),
    sa.CheckConstraint('trainee_id <> signer_id', name=op.f('ck_certification_signoffs_not_self')),
    sa.ForeignKeyConstraint(['signer_id'], ['users.id'], name=op.f('fk_certification_signoffs_signer_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_certification_signoffs_trainee_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_signoffs')),
    sa.UniqueConstraint('trainee_id', 'signer_id', 'round_started_at', name=op.f('uq_certification_signoffs_trainee_id_signer_id_round_started_at'))
    )
    with op.batch_alter_table('certification_signoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_signoffs_signer_id'), ['signer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certification_signoffs_trainee_id'), ['trainee_id'], unique=False)

    op.create_table('debrief_briefs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loop_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(status = 'ready') = (ready_at IS NOT NULL)", name=op.f('ck_debrief_briefs_ready_has_time')),
    sa.CheckConstraint("status <> 'ready' OR length(trim(body)) > 0", name=op.f('ck_debrief_briefs_ready_has_body')),
    sa.CheckConstraint("status IN ('draft', 'ready')", name=op.f('ck_debrief_briefs_status_valid')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_debrief_briefs_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['loop_id'], ['loops.id'], name=op.f('fk_debrief_briefs_loop_id_loops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debrief_briefs')),
    sa.UniqueConstraint('loop_id', name=op.f('uq_debrief_briefs_loop_id'))
    )
    op.create_table('agenda_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loop_id', sa.Integer(), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(trim(body)) > 0', name=op.f('ck_agenda_notes_body_not_blank')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_agenda_notes_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['loop_id'], ['loops.id'], name=op.f('fk_agenda_notes_loop_id_loops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['principle_id'], ['principles.id'], name=op.f('fk_agenda_notes_principle_id_principles'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_notes')),
    sa.UniqueConstraint('loop_id', 'principle_id', name=op.f('uq_agenda_notes_loop_id_principle_id'))
    )
    op.create_table('practice_verdicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loop_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("verdict IN ('concur', 'veto')", name=op.f('ck_practice_verdicts_verdict_valid')),
    sa.CheckConstraint('length(trim(rationale)) > 0', name=op.f('ck_practice_verdicts_rationale_not_blank')),
    sa.ForeignKeyConstraint(['loop_id'], ['loops.id'], name=op.f('fk_practice_verdicts_loop_id_loops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_practice_verdicts_trainee_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_verdicts')),
    sa.UniqueConstraint('loop_id', name=op.f('uq_practice_verdicts_loop_id'))
    )
    with op.batch_alter_table('practice_verdicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_verdicts_trainee_id'), ['trainee_id'], unique=False)

    create_guards(postgres)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    drop_guards(postgres)
    with op.batch_alter_table('practice_verdicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_verdicts_trainee_id'))
    op.drop_table('practice_verdicts')
    op.drop_table('agenda_notes')
    op.drop_table('debrief_briefs')
    with op.batch_alter_table('certification_signoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certification_signoffs_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_certification_signoffs_signer_id'))
    op.drop_table('certification_signoffs')

    # Back to three states: those certified keep it, everyone else on the path was in training.
    op.execute("UPDATE users SET certification = 'in_training' "
                "WHERE certification IN ('nominated', 'shadowing', 'reverse_shadow')")
    op.execute("UPDATE users SET certification = 'none' WHERE certification IN ('paused', 'retired')")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_manager_id'))
    if postgres:
        op.drop_constraint(op.f('ck_loops_reverse_shadow_has_people'), 'loops', type_='check')
        op.drop_column('loops', 'is_reverse_shadow')
        op.drop_constraint(op.f('ck_users_certification_has_since'), 'users', type_='check')
        with op.batch_alter_table('users', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_users_certification_valid'), type_='check')
            batch_op.create_check_constraint(batch_op.f('ck_users_certification_valid'), states_check(OLD_STATES))
            batch_op.drop_constraint(batch_op.f('ck_users_not_own_manager'), type_='check')
            batch_op.drop_constraint(batch_op.f('ck_users_job_level_range'), type_='check')
            batch_op.drop_constraint(batch_op.f('fk_users_manager_id_users'), type_='foreignkey')
            batch_op.drop_column('manager_id')
            batch_op.drop_column('job_level')
            batch_op.drop_column('certification_since')
    else:
        # SQLite drops a column only when no constraint names it: take the constraints out of the schema first.
        sqlite_rewrite_table_sql(
            "loops", f" CONSTRAINT ck_loops_reverse_shadow_has_people CHECK ({REVERSE_SHADOW})", "")
        op.execute("ALTER TABLE loops DROP COLUMN is_reverse_shadow")
        sqlite_rewrite_table_sql("users", SQLITE_NEW_USER_CONSTRAINTS, f"CHECK ({states_check(OLD_STATES)})")
        sqlite_rewrite_table_sql("users", " CONSTRAINT ck_users_not_own_manager CHECK (manager_id <> id)", "")
        sqlite_rewrite_table_sql(
            "users", " CONSTRAINT ck_users_job_level_range CHECK (job_level BETWEEN 1 AND 12)", "")
        for column in ("manager_id", "job_level", "certification_since"):
            op.execute(f"ALTER TABLE users DROP COLUMN {column}")
    with op.batch_alter_table('requisitions', schema=None) as batch_op:
        batch_op.drop_column('manages_people')
