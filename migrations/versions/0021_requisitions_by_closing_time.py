"""Requisitions by closing time: the metrics filter offers the most recently closed ones.

A big company closes a thousand requisitions a year; the filter lists the open
ones and the latest closed, read from the end of this index rather than from
every requisition's loops.

Revision ID: 0021
Revises: 0020
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_requisitions_closed_at", "requisitions", ["closed_at"])


def downgrade():
    op.drop_index("ix_requisitions_closed_at", table_name="requisitions")
