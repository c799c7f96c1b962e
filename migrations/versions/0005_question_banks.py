"""Question banks per principle, each interview's kit, the questions feedback cites, and coaching flags.

Triggers keep what no CHECK can: a question version is never changed (an
edit adds a version, so feedback always cites the words that were asked); a
planned question belongs to its interview's loop, and a cited version to its
question; and the questions and coaching flags of submitted feedback are
sealed with it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 09:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_questions_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['principle_id'], ['principles.id'], name=op.f('fk_questions_principle_id_principles'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_principle_id'), ['principle_id'], unique=False)

    op.create_table('question_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('probes', sa.Text(), nullable=False),
    sa.Column('strong_evidence', sa.Text(), nullable=False),
    sa.Column('weak_evidence', sa.Text(), nullable=False),
    sa.Column('levels', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('number >= 1', name=op.f('ck_question_versions_number_positive')),
    sa.CheckConstraint('length(trim(text)) > 0', name=op.f('ck_question_versions_text_not_blank')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_question_versions_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_versions_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_versions')),
    sa.UniqueConstraint('question_id', 'number', name=op.f('uq_question_versions_question_id_number'))
    )
    op.create_table('planned_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loop_id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('chosen_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chosen_by_id'], ['users.id'], name=op.f('fk_planned_questions_chosen_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], name=op.f('fk_planned_questions_interview_id_interviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['loop_id'], ['loops.id'], name=op.f('fk_planned_questions_loop_id_loops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['principle_id'], ['principles.id'], name=op.f('fk_planned_questions_principle_id_principles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_planned_questions_question_id_questions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_planned_questions_version_id_question_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_questions')),
    sa.UniqueConstraint('loop_id', 'question_id', name=op.f('uq_planned_questions_loop_id_question_id'))
    )
    with op.batch_alter_table('planned_questions', schema=None) as batch_op:
        batch_op.create_index('ix_planned_questions_interview_principle', ['interview_id', 'principle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planned_questions_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planned_questions_version_id'), ['version_id'], unique=False)

    op.create_table('asked_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('own_text', sa.Text(), nullable=True),
    sa.CheckConstraint('(question_id IS NULL) = (version_id IS NULL)', name=op.f('ck_asked_questions_bank_question_has_version')),
    sa.CheckConstraint('(version_id IS NULL) = (own_text IS NOT NULL)', name=op.f('ck_asked_questions_bank_or_own')),
    sa.CheckConstraint('own_text IS NULL OR length(trim(own_text)) > 0', name=op.f('ck_asked_questions_own_text_not_blank')),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_asked_questions_feedback_id_feedback'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['principle_id'], ['principles.id'], name=op.f('fk_asked_questions_principle_id_principles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_asked_questions_question_id_questions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_asked_questions_version_id_question_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asked_questions')),
    sa.UniqueConstraint('feedback_id', 'question_id', name=op.f('uq_asked_questions_feedback_id_question_id'))
    )
    with op.batch_alter_table('asked_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asked_questions_feedback_id'), ['feedback_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asked_questions_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asked_questions_version_id'), ['version_id'], unique=False)

    op.create_table('coaching_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.CheckConstraint("rule IN ('too_short', 'extreme_without_example', 'opinion_only', 'protected_characteristic')", name=op.f('ck_coaching_flags_rule_valid')),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_coaching_flags_feedback_id_feedback'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['principle_id'], ['principles.id'], name=op.f('fk_coaching_flags_principle_id_principles'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_flags'))
    )
    with op.batch_alter_table('coaching_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_flags_feedback_id'), ['feedback_id'], unique=False)

    create_guards()


def downgrade():
    drop_guards()
    with op.batch_alter_table('coaching_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_flags_feedback_id'))
    op.drop_table('coaching_flags')
    with op.batch_alter_table('asked_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asked_questions_version_id'))
        batch_op.drop_index(batch_op.f('ix_asked_questions_question_id'))
        batch_op.drop_index(batch_op.f('ix_asked_questions_feedback_id'))
    op.drop_table('asked_questions')
    with op.batch_alter_table('planned_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planned_questions_version_id'))
        batch_op.drop_index(batch_op.f('ix_planned_questions_question_id'))
        batch_op.drop_index('ix_planned_questions_interview_principle')
    op.drop_table('planned_questions')
    op.drop_table('question_versions')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_principle_id'))
    op.drop_table('questions')


# Conditions on a row (NEW or OLD) that refuse the change, with the message each gives.
VERSION_OF_QUESTION = "(SELECT question_id FROM question_versions WHERE id = {row}.version_id) <> {row}.question_id"
LOOP_OF_INTERVIEW = "(SELECT loop_id FROM interviews WHERE id = {row}.interview_id) <> {row}.loop_id"
PRINCIPLE_OF_QUESTION = "(SELECT principle_id FROM questions WHERE id = {row}.question_id) <> {row}.principle_id"
SEALED = "(SELECT status FROM feedback WHERE id = {row}.feedback_id) = 'submitted'"
KIT_SEALED = ("EXISTS (SELECT 1 FROM feedback WHERE interview_id = {row}.interview_id AND status = 'submitted' "
              "AND NOT is_practice)")

# (trigger name, table, events, [(condition, message)]): every condition is tested on each event's row.
GUARDS = [
    ("planned_question_fits", "planned_questions", ("INSERT", "UPDATE"), [
        (LOOP_OF_INTERVIEW, "a planned question belongs to the loop of its interview"),
        (VERSION_OF_QUESTION, "a planned question cites a version of that question"),
        (PRINCIPLE_OF_QUESTION, "a planned question is of the principle of its question"),
        (KIT_SEALED, "a kit stays as it was asked once its feedback is submitted"),
    ]),
    ("asked_question_fits", "asked_questions", ("INSERT", "UPDATE"), [
        (VERSION_OF_QUESTION, "an asked question cites a version of that question"),
        (PRINCIPLE_OF_QUESTION, "an asked question is of the principle of its question"),
    ]),
    ("asked_questions_sealed", "asked_questions", ("INSERT", "UPDATE", "DELETE"), [
        (SEALED, "submitted feedback is sealed"),
    ]),
    ("coaching_flags_sealed", "coaching_flags", ("INSERT", "UPDATE", "DELETE"), [
        (SEALED, "submitted feedback is sealed"),
    ]),
]
VERSION_NEVER_CHANGES = "a question version is never changed; an edit adds a new version"


def row_of(event):
    return "OLD" if event == "DELETE" else "NEW"


def create_guards():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        # refuse_change() comes from 0001. PostgreSQL allows no subquery in a trigger's WHEN, so the
        # row checks run in a function of their own per trigger.
        op.execute("CREATE TRIGGER trg_question_versions_never_change BEFORE UPDATE ON question_versions "
                   f"FOR EACH ROW EXECUTE FUNCTION refuse_change('{VERSION_NEVER_CHANGES}')")
        for name, table, events, checks in GUARDS:
            body = "".join(
                f"IF {condition.format(row='ROW_')} THEN RAISE EXCEPTION '{message}' "
                "USING ERRCODE = 'integrity_constraint_violation'; END IF; "
                for condition, message in checks
            )
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "DECLARE ROW_ record; "
                "BEGIN "
                "IF TG_OP = 'DELETE' THEN ROW_ := OLD; ELSE ROW_ := NEW; END IF; "
                f"{body}"
                "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; "
                "END $$"
            )
            op.execute(f"CREATE TRIGGER trg_{name} BEFORE {' OR '.join(events)} ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {name}()")
    else:
        op.execute("CREATE TRIGGER trg_question_versions_never_change BEFORE UPDATE ON question_versions "
                   f"FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{VERSION_NEVER_CHANGES}'); END")
        for name, table, events, checks in GUARDS:
            for event in events:
                for index, (condition, message) in enumerate(checks):
                    op.execute(
                        f"CREATE TRIGGER trg_{name}_{event.lower()}_{index} BEFORE {event} ON {table} "
                        f"FOR EACH ROW WHEN ({condition.format(row=row_of(event))}) "
                        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                    )


def drop_guards():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS trg_question_versions_never_change ON question_versions")
        for name, table, _events, _checks in GUARDS:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_question_versions_never_change")
        for name, _table, events, checks in GUARDS:
            for event in events:
                for index in range(len(checks)):
                    op.execute(f"DROP TRIGGER IF EXISTS trg_{name}_{event.lower()}_{index}")
