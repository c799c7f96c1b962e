"""Erasure reaches the interview kits and the bar raiser's notes: their seals admit one redaction.

A question the interviewer wrote themselves is sealed with its feedback
(0005); a summary marked ready and a practice verdict never change (0006).
Each now admits one change, as feedback (0003), closed loops and decisions
(0007) already do: its free text replaced by the retention marker, and
nothing else. Deleting stays refused as before.

On PostgreSQL a trigger for both UPDATE and DELETE may not read NEW in its
WHEN, so the summary's and the practice verdict's guards become one trigger
per event there, named as SQLite's already are.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REDACTED = "[removed under the retention policy]"
ASKED_QUESTION_COLUMNS = ("id", "feedback_id", "principle_id", "question_id", "version_id")
BRIEF_COLUMNS = ("id", "loop_id", "author_id", "status", "ready_at", "updated_at", "version")
PRACTICE_COLUMNS = ("id", "loop_id", "trainee_id", "verdict", "recorded_at")
SEALED = "(SELECT status FROM feedback WHERE id = {row}.feedback_id) = 'submitted'"
FEEDBACK_SEALED = "submitted feedback is sealed"
BRIEF_FINAL = "a debrief summary marked ready is final"
PRACTICE_FINAL = "a practice verdict is recorded once"


def postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def same(column: str, row_new: str = "NEW") -> str:
    return f"{row_new}.{column} IS NOT DISTINCT FROM OLD.{column}"


def redaction(text_column: str, columns: tuple[str, ...], row_new: str = "NEW") -> str:
    """The one change a sealed row admits: its text, which had some, set to the marker; every other column kept."""
    return "(" + " AND ".join([f"OLD.{text_column} IS NOT NULL", f"{row_new}.{text_column} = '{REDACTED}'"]
                              + [same(c, row_new) for c in columns]) + ")"


def refuse(name: str, table: str, event: str, condition: str | None, message: str) -> None:
    """Create a trigger refusing `event` on `table` when `condition` holds (always, without one), as in 0007."""
    when = f" WHEN ({condition})" if condition else ""
    if postgres():
        op.execute(f"CREATE TRIGGER trg_{name} BEFORE {event} ON {table} FOR EACH ROW{when} "
                   f"EXECUTE FUNCTION refuse_change('{message}')")
    else:
        op.execute(f"CREATE TRIGGER trg_{name} BEFORE {event} ON {table} FOR EACH ROW{when} "
                   f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def drop_trigger(name: str, table: str) -> None:
    if postgres():
        op.execute(f"DROP TRIGGER IF EXISTS trg_{name} ON {table}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS trg_{name}")


def replace_asked_question_seal(allow_redaction: bool) -> None:
    """The seal of a submitted feedback's asked questions (0005), admitting the marker in `own_text` or not."""
    if postgres():
        # 0005's function serves INSERT, UPDATE and DELETE; the redaction is let through before its check.
        exception = (f"IF TG_OP = 'UPDATE' AND {redaction('own_text', ASKED_QUESTION_COLUMNS)} THEN RETURN NEW; "
                     "END IF; " if allow_redaction else "")
        op.execute(
            "CREATE OR REPLACE FUNCTION asked_questions_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "DECLARE ROW_ record; "
            "BEGIN "
            f"{exception}"
            "IF TG_OP = 'DELETE' THEN ROW_ := OLD; ELSE ROW_ := NEW; END IF; "
            f"IF {SEALED.format(row='ROW_')} THEN RAISE EXCEPTION '{FEEDBACK_SEALED}' "
            "USING ERRCODE = 'integrity_constraint_violation'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; "
            "END $$"
        )
    else:
        sealed = SEALED.format(row="NEW")
        condition = (f"{sealed} AND NOT {redaction('own_text', ASKED_QUESTION_COLUMNS)}"
                     if allow_redaction else sealed)
        drop_trigger("asked_questions_sealed_update_0", "asked_questions")
        refuse("asked_questions_sealed_update_0", "asked_questions", "UPDATE", condition, FEEDBACK_SEALED)


def replace_final_guard(name: str, table: str, condition: str | None, allowed: str, message: str,
                        allow_redaction: bool) -> None:
    """A guard refusing UPDATE or DELETE (when `condition` holds), split per event so UPDATE admits `allowed`.

    0006 made it one trigger for both events on PostgreSQL, and one per event on SQLite.
    """
    if allow_redaction:
        if postgres():
            drop_trigger(name, table)
        else:
            drop_trigger(f"{name}_update", table)
            drop_trigger(f"{name}_delete", table)
        update_condition = f"({condition}) AND NOT {allowed}" if condition else f"NOT {allowed}"
        refuse(f"{name}_update", table, "UPDATE", update_condition, message)
        refuse(f"{name}_delete", table, "DELETE", condition, message)
    else:
        drop_trigger(f"{name}_update", table)
        drop_trigger(f"{name}_delete", table)
        if postgres():
            refuse(name, table, "UPDATE OR DELETE", condition, message)
        else:
            refuse(f"{name}_update", table, "UPDATE", condition, message)
            refuse(f"{name}_delete", table, "DELETE", condition, message)


def replace_seals(allow_redaction: bool) -> None:
    replace_asked_question_seal(allow_redaction)
    replace_final_guard("brief_ready_is_final", "debrief_briefs", "OLD.status = 'ready'",
                        redaction("body", BRIEF_COLUMNS), BRIEF_FINAL, allow_redaction)
    replace_final_guard("practice_verdicts_final", "practice_verdicts", None,
                        redaction("rationale", PRACTICE_COLUMNS), PRACTICE_FINAL, allow_redaction)


def upgrade():
    replace_seals(allow_redaction=True)


def downgrade():
    replace_seals(allow_redaction=False)
