"""Indexes that keep three pages off whole-table reads at PostgreSQL's default costs.

- `ix_interviews_starts_at`: the interviewer suggestions count each person's
  interviews in one week; the week's interviews are read by their start.
- `ix_loops_closed_at`: those interviews count when their loop is open or
  closed after the week began; the open loops are read by the status index and
  the recently closed ones by this one, never the loops closed long ago.
- `ix_requisitions_open_created_at`: the requisitions page lists the draft and
  approved requisitions; this index holds only those, however many have closed.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

OPEN_REQUISITIONS = sa.text("status IN ('draft', 'approved')")


def upgrade():
    op.create_index("ix_interviews_starts_at", "interviews", ["starts_at"], unique=False)
    op.create_index("ix_loops_closed_at", "loops", ["closed_at"], unique=False)
    op.create_index("ix_requisitions_open_created_at", "requisitions", ["created_at"], unique=False,
                    sqlite_where=OPEN_REQUISITIONS, postgresql_where=OPEN_REQUISITIONS)


def downgrade():
    op.drop_index("ix_requisitions_open_created_at", table_name="requisitions")
    op.drop_index("ix_loops_closed_at", table_name="loops")
    op.drop_index("ix_interviews_starts_at", table_name="interviews")
