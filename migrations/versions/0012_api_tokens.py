"""The JSON API: personal access tokens, and a candidate's id in an applicant-tracking system.

A token is kept only as the SHA-256 digest of its secret (unique), with a
short hint for lists; it has a name, a scope (read or write), an expiry after
its creation, and may be revoked. It goes with its person's account.

`candidates.external_id` is added as a plain column with a unique index of its
own (no table rebuild on SQLite, which would drop the candidates' triggers).

Revision ID: 0012
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "personal_access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_personal_access_tokens_name_not_blank")),
        sa.CheckConstraint("scope IN ('read', 'write')", name=op.f("ck_personal_access_tokens_scope_valid")),
        sa.CheckConstraint("expires_at > created_at",
                           name=op.f("ck_personal_access_tokens_expires_after_creation")),
        sa.CheckConstraint("revoked_at IS NULL OR revoked_at >= created_at",
                           name=op.f("ck_personal_access_tokens_revoked_after_creation")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_personal_access_tokens_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_access_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_personal_access_tokens_digest")),
    )
    op.create_index(op.f("ix_personal_access_tokens_user_id"), "personal_access_tokens", ["user_id"])
    op.add_column("candidates", sa.Column("external_id", sa.String(length=120), nullable=True))
    op.create_index("uq_candidates_external_id", "candidates", ["external_id"], unique=True)


def downgrade():
    op.drop_index("uq_candidates_external_id", table_name="candidates")
    op.drop_column("candidates", "external_id")  # in place: a batch rebuild would drop the table's triggers
    op.drop_index(op.f("ix_personal_access_tokens_user_id"), table_name="personal_access_tokens")
    op.drop_table("personal_access_tokens")
