"""SCIM provisioning: the identity provider's id for a person, and the tokens it presents.

SQLite adds the column in place (ALTER TABLE ... ADD COLUMN with its CHECK), as
0006 does, rather than rebuilding `users`, which every other table references.

Revision ID: 0011
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

EXTERNAL_ID_NOT_BLANK = "external_id IS NULL OR length(trim(external_id)) > 0"


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.add_column("users", sa.Column("external_id", sa.String(length=255), nullable=True))
        op.create_check_constraint(op.f("ck_users_external_id_not_blank"), "users", EXTERNAL_ID_NOT_BLANK)
    else:
        op.execute("ALTER TABLE users ADD COLUMN external_id VARCHAR(255) "
                   f"CONSTRAINT ck_users_external_id_not_blank CHECK ({EXTERNAL_ID_NOT_BLANK})")
    op.create_index(op.f("ix_users_external_id"), "users", ["external_id"], unique=True)

    op.create_table(
        "scim_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("length(trim(hint)) > 0", name=op.f("ck_scim_tokens_hint_not_blank")),
        sa.CheckConstraint("length(digest) = 64", name=op.f("ck_scim_tokens_digest_length")),
        sa.CheckConstraint("(revoked_at IS NULL) = (revoked_by_id IS NULL)",
                           name=op.f("ck_scim_tokens_revoked_whole")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_scim_tokens_created_by_id_users"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"], name=op.f("fk_scim_tokens_revoked_by_id_users"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_scim_tokens_digest")),
    )
    op.create_index(op.f("ix_scim_tokens_created_by_id"), "scim_tokens", ["created_by_id"], unique=False)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_index(op.f("ix_scim_tokens_created_by_id"), table_name="scim_tokens")
    op.drop_table("scim_tokens")
    op.drop_index(op.f("ix_users_external_id"), table_name="users")
    if postgres:
        op.drop_constraint(op.f("ck_users_external_id_not_blank"), "users", type_="check")
        op.drop_column("users", "external_id")
    else:
        # SQLite (3.35+) drops a column whose only constraint is a CHECK on the column itself.
        op.execute("ALTER TABLE users DROP COLUMN external_id")
