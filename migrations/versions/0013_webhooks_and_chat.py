"""Signed webhooks and chat notices: endpoints, events, and the outbox that delivers both.

An event is written in the transaction of the change it announces, with one
delivery row per endpoint that wants it; a chat notice is one delivery row per
channel and topic. A delivery is claimed by a conditional UPDATE (claim and
its lease go together), tried with backoff, and every try is kept.

Revision ID: 0013
Revises: 0009
Create Date: 2026-11-30 12:10:35.066562

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('webhook_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("type IN ('loop.created', 'loop.moved', 'loop.closed', 'debrief.decided', 'offer.resolved', 'interview.scheduled', 'interview.cancelled')", name=op.f('ck_webhook_events_type_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_events'))
    )
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_events_type'), ['type'], unique=False)

    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('events', sa.String(length=400), nullable=False),
    sa.Column('secret_ciphertext', sa.Text(), nullable=False),
    sa.Column('secret_hint', sa.String(length=16), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('secret_rotated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(events)) > 0', name=op.f('ck_webhook_endpoints_events_not_blank')),
    sa.CheckConstraint('length(trim(secret_ciphertext)) > 0', name=op.f('ck_webhook_endpoints_secret_ciphertext_not_blank')),
    sa.CheckConstraint('length(trim(url)) > 0', name=op.f('ck_webhook_endpoints_url_not_blank')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_webhook_endpoints_created_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_table('chat_hooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('requisition_id', sa.Integer(), nullable=True),
    sa.Column('url_ciphertext', sa.Text(), nullable=False),
    sa.Column('url_hint', sa.String(length=80), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(user_id IS NULL) <> (requisition_id IS NULL)', name=op.f('ck_chat_hooks_one_owner')),
    sa.CheckConstraint('length(trim(url_ciphertext)) > 0', name=op.f('ck_chat_hooks_url_ciphertext_not_blank')),
    sa.ForeignKeyConstraint(['requisition_id'], ['requisitions.id'], name=op.f('fk_chat_hooks_requisition_id_requisitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_chat_hooks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_hooks')),
    sa.UniqueConstraint('requisition_id', name=op.f('uq_chat_hooks_requisition_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_chat_hooks_user_id'))
    )
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=40), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('endpoint_id', sa.Integer(), nullable=True),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('chat_hook_id', sa.Integer(), nullable=True),
    sa.Column('topic', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'delivered') = (delivered_at IS NOT NULL)", name=op.f('ck_webhook_deliveries_delivered_has_time')),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed', 'skipped')", name=op.f('ck_webhook_deliveries_status_valid')),
    sa.CheckConstraint("status NOT IN ('failed', 'skipped') OR last_error IS NOT NULL", name=op.f('ck_webhook_deliveries_failed_has_error')),
    sa.CheckConstraint('(claim IS NULL) = (claimed_until IS NULL)', name=op.f('ck_webhook_deliveries_claim_has_lease')),
    sa.CheckConstraint('(event_id IS NOT NULL AND endpoint_id IS NOT NULL AND notification_id IS NULL AND chat_hook_id IS NULL AND topic IS NULL) OR (event_id IS NULL AND endpoint_id IS NULL AND notification_id IS NOT NULL AND chat_hook_id IS NOT NULL AND topic IS NOT NULL)', name=op.f('ck_webhook_deliveries_event_or_chat')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_webhook_deliveries_attempts_not_negative')),
    sa.ForeignKeyConstraint(['chat_hook_id'], ['chat_hooks.id'], name=op.f('fk_webhook_deliveries_chat_hook_id_chat_hooks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['webhook_events.id'], name=op.f('fk_webhook_deliveries_event_id_webhook_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_webhook_deliveries_notification_id_notifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('chat_hook_id', 'topic', name=op.f('uq_webhook_deliveries_chat_hook_id_topic')),
    sa.UniqueConstraint('event_id', 'endpoint_id', name=op.f('uq_webhook_deliveries_event_id_endpoint_id')),
    sa.UniqueConstraint('message_id', name=op.f('uq_webhook_deliveries_message_id'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_chat_hook_id'), ['chat_hook_id'], unique=False)
        batch_op.create_index('ix_webhook_deliveries_endpoint_id_id', ['endpoint_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_status'), ['status'], unique=False)

    op.create_table('webhook_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.CheckConstraint('duration_ms >= 0', name=op.f('ck_webhook_attempts_duration_not_negative')),
    sa.CheckConstraint('status_code IS NOT NULL OR error IS NOT NULL', name=op.f('ck_webhook_attempts_answer_or_error')),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts'))
    )
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_attempts_delivery_id'), ['delivery_id'], unique=False)



def downgrade():
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_attempts_delivery_id'))

    op.drop_table('webhook_attempts')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_status'))
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_notification_id'))
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_event_id'))
        batch_op.drop_index('ix_webhook_deliveries_endpoint_id_id')
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_chat_hook_id'))

    op.drop_table('webhook_deliveries')
    op.drop_table('chat_hooks')
    op.drop_table('webhook_endpoints')
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_events_type'))

    op.drop_table('webhook_events')
