"""The e-mail outbox: one row per message, queued with the change it announces.

`dedupe_key` is unique so that queueing the same message twice (a cron run
repeated, two requests racing) adds nothing; `flask send-reminders` delivers
the pending and failed rows and marks each sent, failed or skipped.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 15:24:55.551712

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('loop_id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('interview_assigned', 'feedback_reminder', 'feedback_escalation', 'debrief_ready', 'decision_recorded')", name=op.f('ck_notifications_kind_valid')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed', 'skipped')", name=op.f('ck_notifications_status_valid')),
    sa.CheckConstraint('length(trim(dedupe_key)) > 0', name=op.f('ck_notifications_dedupe_key_not_blank')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_notifications_attempts_not_negative')),
    sa.CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name=op.f('ck_notifications_sent_has_time')),
    sa.CheckConstraint("status <> 'failed' OR last_error IS NOT NULL", name=op.f('ck_notifications_failed_has_error')),
    sa.CheckConstraint("kind NOT IN ('interview_assigned', 'feedback_reminder', 'feedback_escalation') OR interview_id IS NOT NULL", name=op.f('ck_notifications_interview_kinds_name_interview')),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_notifications_recipient_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['loop_id'], ['loops.id'], name=op.f('fk_notifications_loop_id_loops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], name=op.f('fk_notifications_interview_id_interviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key'))
    )
    op.create_index(op.f('ix_notifications_recipient_id'), 'notifications', ['recipient_id'], unique=False)
    op.create_index(op.f('ix_notifications_loop_id'), 'notifications', ['loop_id'], unique=False)
    op.create_index(op.f('ix_notifications_interview_id'), 'notifications', ['interview_id'], unique=False)
    op.create_index(op.f('ix_notifications_status'), 'notifications', ['status'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_notifications_status'), table_name='notifications')
    op.drop_index(op.f('ix_notifications_interview_id'), table_name='notifications')
    op.drop_index(op.f('ix_notifications_loop_id'), table_name='notifications')
    op.drop_index(op.f('ix_notifications_recipient_id'), table_name='notifications')
    op.drop_table('notifications')
