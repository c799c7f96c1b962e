"""Indexes for the filters the pages use as the company's history grows.

The metrics page filters loops by when they were created; its time in each step
reads each loop's moves from the audit trail.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('loops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loops_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('loops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loops_created_at'))
