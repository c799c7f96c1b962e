"""The per-org-unit and per-bar-raiser rollup rows keep their counts in columns.

The loops' metrics page lists every org unit and bar raiser with their loops,
open loops, verdicts and vetoes for the period shown. A long period of a big
company reads a few thousand of those rows (a dozen per bar raiser), and the
database spent more time parsing their JSON to sum four numbers than reading
them. The rows of grains `unit` and `bar_raiser` now keep those four counts
in integer columns too (0 on every other grain), which the page sums. This
revision fills them from the rows' JSON. The downgrade drops them.

Revision ID: 0027
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

# Each column, and the count of the rows' JSON it keeps.
COLUMNS = {"loops": "loops", "open_loops": "open", "verdicts": "verdicts", "vetoes": "vetoes"}

ROLLUPS = sa.table("metric_rollups", sa.column("grain", sa.String()), sa.column("data", sa.JSON()),
                   *(sa.column(name, sa.Integer()) for name in COLUMNS))


def upgrade():
    with op.batch_alter_table("metric_rollups") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch.create_check_constraint("breakdown", "loops >= 0 AND open_loops >= 0 AND verdicts >= 0 AND vetoes >= 0 "
                                                   "AND (grain IN ('unit', 'bar_raiser') OR loops + open_loops + "
                                                   "verdicts + vetoes = 0)")
    op.get_bind().execute(ROLLUPS.update().where(ROLLUPS.c.grain.in_(("unit", "bar_raiser"))).values(
        {name: sa.func.coalesce(ROLLUPS.c.data[("c", count)].as_integer(), 0) for name, count in COLUMNS.items()}))


def downgrade():
    with op.batch_alter_table("metric_rollups") as batch:
        batch.drop_constraint("breakdown", type_="check")
        for name in COLUMNS:
            batch.drop_column(name)
