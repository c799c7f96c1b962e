"""Sign-in with OpenID Connect: a person's identity at the provider, and break-glass accounts.

- `oidc_issuer` and `oidc_subject` name the person at the sign-in provider; both or neither, and
  one account per (issuer, subject).
- `is_break_glass` marks an account that signs in with a password while password sign-in is off.

SQLite adds each column with its constraint in ADD COLUMN, as in 0006, rather than rebuilding
`users` under the foreign keys that point at it.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

IDENTITY_WHOLE = "(oidc_issuer IS NULL) = (oidc_subject IS NULL)"


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.add_column("users", sa.Column("oidc_issuer", sa.String(length=255), nullable=True))
        op.add_column("users", sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        op.add_column("users", sa.Column("is_break_glass", sa.Boolean(), nullable=False, server_default=sa.false()))
        op.create_check_constraint(op.f("ck_users_oidc_identity_whole"), "users", IDENTITY_WHOLE)
    else:
        op.execute("ALTER TABLE users ADD COLUMN oidc_issuer VARCHAR(255)")
        op.execute("ALTER TABLE users ADD COLUMN oidc_subject VARCHAR(255) "
                   f"CONSTRAINT ck_users_oidc_identity_whole CHECK ({IDENTITY_WHOLE})")
        op.execute("ALTER TABLE users ADD COLUMN is_break_glass BOOLEAN NOT NULL DEFAULT 0")
    op.create_index("uq_users_oidc_issuer_oidc_subject", "users", ["oidc_issuer", "oidc_subject"], unique=True)


def downgrade():
    op.drop_index("uq_users_oidc_issuer_oidc_subject", table_name="users")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_users_oidc_identity_whole"), "users", type_="check")
        for column in ("is_break_glass", "oidc_subject", "oidc_issuer"):
            op.drop_column("users", column)
    else:
        # SQLite drops a column only when no constraint names it; the CHECK goes with its column.
        for column in ("is_break_glass", "oidc_subject", "oidc_issuer"):
            op.execute(f"ALTER TABLE users DROP COLUMN {column}")
