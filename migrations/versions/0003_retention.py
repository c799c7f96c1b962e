"""Candidate data retention: mark anonymized candidates, and let the seals admit one redaction.

Submitted feedback stays sealed against every change but one: its evidence,
summary and amendment text may be replaced by the retention marker, and by
nothing else.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

REDACTED = "[removed under the retention policy]"
FEEDBACK_CONTENT = ("status", "vote", "raises_bar", "submitted_at", "interview_id", "author_id", "is_practice")


def feedback_sealed_condition(allow_redaction: bool) -> str:
    changes = [f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FEEDBACK_CONTENT]
    if allow_redaction:
        changes.append(f"(NEW.summary IS DISTINCT FROM OLD.summary AND NEW.summary <> '{REDACTED}')")
    else:
        changes.append("NEW.summary IS DISTINCT FROM OLD.summary")
    return "OLD.status = 'submitted' AND (" + " OR ".join(changes) + ")"


def rating_redaction(row_new: str = "NEW", row_old: str = "OLD") -> str:
    return (f"({row_new}.evidence = '{REDACTED}' AND {row_new}.rating IS NOT DISTINCT FROM {row_old}.rating"
            f" AND {row_new}.principle_id = {row_old}.principle_id AND {row_new}.feedback_id = {row_old}.feedback_id)")


def replace_seals(allow_redaction: bool) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    condition = feedback_sealed_condition(allow_redaction)
    if postgres:
        op.execute("DROP TRIGGER trg_feedback_sealed ON feedback")
        op.execute("CREATE TRIGGER trg_feedback_sealed BEFORE UPDATE ON feedback FOR EACH ROW "
                   f"WHEN ({condition}) EXECUTE FUNCTION refuse_change('submitted feedback is sealed')")
        exception = (f"IF TG_OP = 'UPDATE' AND {rating_redaction()} THEN RETURN NEW; END IF; "
                     if allow_redaction else "")
        op.execute(
            "CREATE OR REPLACE FUNCTION refuse_sealed_rating() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            f"{exception}"
            "IF (SELECT status FROM feedback WHERE id = "
            "CASE WHEN TG_OP = 'INSERT' THEN NEW.feedback_id ELSE OLD.feedback_id END) = 'submitted' THEN "
            "RAISE EXCEPTION 'submitted feedback is sealed' USING ERRCODE = 'integrity_constraint_violation'; "
            "END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; "
            "END $$"
        )
    else:
        op.execute("DROP TRIGGER trg_feedback_sealed")
        op.execute(f"CREATE TRIGGER trg_feedback_sealed BEFORE UPDATE ON feedback FOR EACH ROW WHEN ({condition}) "
                   "BEGIN SELECT RAISE(ABORT, 'submitted feedback is sealed'); END")
        sealed = "(SELECT status FROM feedback WHERE id = OLD.feedback_id) = 'submitted'"
        when = f"{sealed} AND NOT {rating_redaction()}" if allow_redaction else sealed
        op.execute("DROP TRIGGER trg_ratings_sealed_update")
        op.execute(f"CREATE TRIGGER trg_ratings_sealed_update BEFORE UPDATE ON feedback_ratings FOR EACH ROW "
                   f"WHEN ({when}) BEGIN SELECT RAISE(ABORT, 'submitted feedback is sealed'); END")


def upgrade():
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymized_at", sa.DateTime(timezone=True), nullable=True))
    replace_seals(allow_redaction=True)


def downgrade():
    replace_seals(allow_redaction=False)
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("anonymized_at")
