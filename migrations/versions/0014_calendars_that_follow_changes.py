"""Calendars that follow changes: each interview's event identity and sequence, what calendars keep of a
cancelled interview, private calendar feeds, and the mails that update and cancel an event.

Interviews scheduled before this keep the UID their invitations already carry
(`interview-<id>@bar-raiser`), so an update reaches the event people have.

SQLite cannot change a table's CHECK without rebuilding it; widening the
notification kinds changes nothing on disk, so there the constraint's text is
rewritten in the schema, as 0006 does for `users`.

Revision ID: 0014
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OLD_KINDS = ("interview_assigned", "feedback_reminder", "feedback_escalation", "debrief_ready", "decision_recorded")
NEW_KINDS = OLD_KINDS + ("interview_rescheduled", "interview_cancelled")
OLD_INTERVIEW_KINDS = ("interview_assigned", "feedback_reminder", "feedback_escalation")
NEW_INTERVIEW_KINDS = OLD_INTERVIEW_KINDS + ("interview_rescheduled",)
# A cancellation names the interview (its loop closed first) or what is kept of it (it was cancelled).
CANCELLATION_NAMES = ("(kind = 'interview_cancelled' AND (interview_id IS NULL) <> (cancelled_interview_id IS NULL)) "
                      "OR (kind <> 'interview_cancelled' AND cancelled_interview_id IS NULL)")
SEQUENCE_CHECK = "calendar_sequence >= 0"


def quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def kinds_check(kinds) -> str:
    return f"kind IN ({quoted(kinds)})"


def interview_kinds_check(kinds) -> str:
    return f"kind NOT IN ({quoted(kinds)}) OR interview_id IS NOT NULL"


def sqlite_rewrite_table_sql(table: str, old: str, new: str) -> None:
    """Replace constraint text in a table's schema entry; only for changes that leave every row valid."""
    bind = op.get_bind()
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                       {"t": table}).scalar_one()
    if old not in sql:
        raise RuntimeError(f"{table}: expected constraint text not found: {old}")
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
                 {"sql": sql.replace(old, new), "t": table})
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))


def sqlite_notification_constraints(kinds, interview_kinds) -> str:
    return (f"CONSTRAINT ck_notifications_kind_valid CHECK ({kinds_check(kinds)})",
            f"CONSTRAINT ck_notifications_interview_kinds_name_interview CHECK ({interview_kinds_check(interview_kinds)})")


SQLITE_CANCELLATION_CONSTRAINTS = (
    f", CONSTRAINT ck_notifications_cancellations_name_their_event CHECK ({CANCELLATION_NAMES}), "
    "CONSTRAINT fk_notifications_cancelled_interview_id_cancelled_interviews FOREIGN KEY(cancelled_interview_id) "
    "REFERENCES cancelled_interviews (id) ON DELETE CASCADE")


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"

    # Interviews: the event's UID, its sequence, and when it last changed.
    if postgres:
        op.add_column("interviews", sa.Column("calendar_uid", sa.String(length=255), nullable=True))
        op.add_column("interviews", sa.Column("calendar_sequence", sa.Integer(), nullable=False,
                                              server_default=sa.text("0")))
        op.add_column("interviews", sa.Column("calendar_changed_at", sa.DateTime(timezone=True), nullable=True))
        op.execute("UPDATE interviews SET calendar_uid = 'interview-' || id || '@bar-raiser'")
        op.alter_column("interviews", "calendar_uid", nullable=False)
        op.create_check_constraint(op.f("ck_interviews_calendar_sequence_not_negative"), "interviews",
                                   SEQUENCE_CHECK)
    else:
        op.execute("ALTER TABLE interviews ADD COLUMN calendar_uid VARCHAR(255) NOT NULL DEFAULT ''")
        op.execute("ALTER TABLE interviews ADD COLUMN calendar_sequence INTEGER NOT NULL DEFAULT 0 "
                   f"CONSTRAINT ck_interviews_calendar_sequence_not_negative CHECK ({SEQUENCE_CHECK})")
        op.execute("ALTER TABLE interviews ADD COLUMN calendar_changed_at DATETIME")
        op.execute("UPDATE interviews SET calendar_uid = 'interview-' || id || '@bar-raiser'")
    op.create_index("uq_interviews_calendar_uid", "interviews", ["calendar_uid"], unique=True)

    op.create_table(
        "cancelled_interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loop_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("calendar_uid", sa.String(length=255), nullable=False),
        sa.Column("calendar_sequence", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('phone_screen', 'in_house')", name=op.f("ck_cancelled_interviews_kind_valid")),
        sa.CheckConstraint("duration_minutes BETWEEN 15 AND 480", name=op.f("ck_cancelled_interviews_duration_range")),
        sa.CheckConstraint("calendar_sequence > 0", name=op.f("ck_cancelled_interviews_calendar_sequence_positive")),
        sa.ForeignKeyConstraint(["loop_id"], ["loops.id"], name=op.f("fk_cancelled_interviews_loop_id_loops"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["interviewer_id"], ["users.id"],
                                name=op.f("fk_cancelled_interviews_interviewer_id_users"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["cancelled_by_id"], ["users.id"],
                                name=op.f("fk_cancelled_interviews_cancelled_by_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cancelled_interviews")),
        sa.UniqueConstraint("calendar_uid", name=op.f("uq_cancelled_interviews_calendar_uid")),
    )
    op.create_index(op.f("ix_cancelled_interviews_loop_id"), "cancelled_interviews", ["loop_id"], unique=False)
    op.create_index("ix_cancelled_interviews_interviewer_starts", "cancelled_interviews",
                    ["interviewer_id", "starts_at"], unique=False)

    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("token_hint", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(token_digest) = 64", name=op.f("ck_calendar_feeds_token_digest_length")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_calendar_feeds_token_digest")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )

    # Notifications: an updated invitation names its interview; a cancellation names what is kept of it.
    if postgres:
        op.add_column("notifications", sa.Column("cancelled_interview_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_notifications_cancelled_interview_id_cancelled_interviews"), "notifications",
                              "cancelled_interviews", ["cancelled_interview_id"], ["id"], ondelete="CASCADE")
        op.drop_constraint(op.f("ck_notifications_kind_valid"), "notifications", type_="check")
        op.create_check_constraint(op.f("ck_notifications_kind_valid"), "notifications", kinds_check(NEW_KINDS))
        op.drop_constraint(op.f("ck_notifications_interview_kinds_name_interview"), "notifications", type_="check")
        op.create_check_constraint(op.f("ck_notifications_interview_kinds_name_interview"), "notifications",
                                   interview_kinds_check(NEW_INTERVIEW_KINDS))
        op.create_check_constraint(op.f("ck_notifications_cancellations_name_their_event"), "notifications",
                                   CANCELLATION_NAMES)
    else:
        op.execute("ALTER TABLE notifications ADD COLUMN cancelled_interview_id INTEGER")
        old_kinds, old_interview = sqlite_notification_constraints(OLD_KINDS, OLD_INTERVIEW_KINDS)
        new_kinds, new_interview = sqlite_notification_constraints(NEW_KINDS, NEW_INTERVIEW_KINDS)
        sqlite_rewrite_table_sql("notifications", old_kinds, new_kinds)
        sqlite_rewrite_table_sql("notifications", old_interview, new_interview + SQLITE_CANCELLATION_CONSTRAINTS)
    op.create_index(op.f("ix_notifications_cancelled_interview_id"), "notifications", ["cancelled_interview_id"],
                    unique=False)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute("DELETE FROM notifications WHERE kind IN ('interview_rescheduled', 'interview_cancelled')")
    op.drop_index(op.f("ix_notifications_cancelled_interview_id"), table_name="notifications")
    if postgres:
        op.drop_constraint(op.f("ck_notifications_cancellations_name_their_event"), "notifications",
                           type_="check")
        op.drop_constraint(op.f("ck_notifications_interview_kinds_name_interview"), "notifications", type_="check")
        op.create_check_constraint(op.f("ck_notifications_interview_kinds_name_interview"), "notifications",
                                   interview_kinds_check(OLD_INTERVIEW_KINDS))
        op.drop_constraint(op.f("ck_notifications_kind_valid"), "notifications", type_="check")
        op.create_check_constraint(op.f("ck_notifications_kind_valid"), "notifications", kinds_check(OLD_KINDS))
        op.drop_constraint(op.f("fk_notifications_cancelled_interview_id_cancelled_interviews"), "notifications",
                           type_="foreignkey")
        op.drop_column("notifications", "cancelled_interview_id")
    else:
        # SQLite drops a column only when no constraint names it: take the constraints out of the schema first.
        old_kinds, old_interview = sqlite_notification_constraints(OLD_KINDS, OLD_INTERVIEW_KINDS)
        new_kinds, new_interview = sqlite_notification_constraints(NEW_KINDS, NEW_INTERVIEW_KINDS)
        sqlite_rewrite_table_sql("notifications", new_interview + SQLITE_CANCELLATION_CONSTRAINTS, old_interview)
        sqlite_rewrite_table_sql("notifications", new_kinds, old_kinds)
        op.execute("ALTER TABLE notifications DROP COLUMN cancelled_interview_id")

    op.drop_table("calendar_feeds")
    op.drop_index("ix_cancelled_interviews_interviewer_starts", table_name="cancelled_interviews")
    op.drop_index(op.f("ix_cancelled_interviews_loop_id"), table_name="cancelled_interviews")
    op.drop_table("cancelled_interviews")

    op.drop_index("uq_interviews_calendar_uid", table_name="interviews")
    if postgres:
        op.drop_constraint(op.f("ck_interviews_calendar_sequence_not_negative"), "interviews", type_="check")
        op.drop_column("interviews", "calendar_changed_at")
        op.drop_column("interviews", "calendar_sequence")
        op.drop_column("interviews", "calendar_uid")
    else:
        sqlite_rewrite_table_sql(
            "interviews", f" CONSTRAINT ck_interviews_calendar_sequence_not_negative CHECK ({SEQUENCE_CHECK})", "")
        op.execute("ALTER TABLE interviews DROP COLUMN calendar_changed_at")
        op.execute("ALTER TABLE interviews DROP COLUMN calendar_sequence")
        op.execute("ALTER TABLE interviews DROP COLUMN calendar_uid")
