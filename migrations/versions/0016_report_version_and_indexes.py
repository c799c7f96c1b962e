"""A loop's report version, moved by the database whenever anything its debrief report shows changes; and indexes
that keep the pages from reading whole tables.

`loops.report_version` names one state of the loop's debrief report, so a
cached PDF is found by (loop, version, layout) without gathering the report's
data. Triggers move it, on both databases, for every table whose rows the
report shows: a change to any of them, by the app, a bulk statement or a hand
in psql, moves the version of every loop whose report shows the row. Renames
of the people, org units, principles, candidates and requisitions a report
names move the versions of the loops that name them. An audit entry moves it
too (the report's timeline is the loop's trail), except a download of the
report itself. A change to the loop's own row moves it, except the move itself.

The seal on a closed loop admits a change of the version alone.

Revision ID: 0016
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

REDACTED = "[removed under the retention policy]"
# (table, events, the loops its row `{r}` shows in, condition on the row or None).
# Events are INSERT, UPDATE, DELETE; a table named with UPDATE OF only reacts to those columns.
BY_LOOP = "SELECT {r}.loop_id"
BY_INTERVIEW = "SELECT loop_id FROM interviews WHERE id = {r}.interview_id"
BY_FEEDBACK = ("SELECT i.loop_id FROM interviews i JOIN feedback f ON f.interview_id = i.id "
               "WHERE f.id = {r}.feedback_id")
ALL = ("INSERT", "UPDATE", "DELETE")
SHOWN = [
    ("interviews", ALL, BY_LOOP, None),
    ("interview_principles", ALL, BY_INTERVIEW, None),
    ("feedback", ALL, BY_INTERVIEW, None),
    ("feedback_ratings", ALL, BY_FEEDBACK, None),
    ("amendments", ALL, BY_FEEDBACK, None),
    ("asked_questions", ALL, BY_FEEDBACK, None),
    ("planned_questions", ALL, BY_LOOP, None),
    ("screen_decisions", ALL, BY_LOOP, None),
    ("debrief_decisions", ALL, BY_LOOP, None),
    ("final_votes", ALL, BY_LOOP, None),
    ("debrief_briefs", ALL, BY_LOOP, None),
    ("agenda_notes", ALL, BY_LOOP, None),
    ("practice_verdicts", ALL, BY_LOOP, None),
    ("loop_references", ALL, BY_LOOP, None),
    ("offers", ALL, BY_LOOP, None),
    # The timeline: every entry of the loop's trail but the report's own downloads (app/audit/wording.NOT_HISTORY).
    ("audit_entries", ("INSERT",), BY_LOOP, "{r}.loop_id IS NOT NULL AND {r}.action <> 'report.downloaded'"),
    ("audit_personal_data", ("UPDATE",), "SELECT loop_id FROM audit_entries WHERE id = {r}.entry_id", None),
    ("candidates", ("UPDATE",), "SELECT id FROM loops WHERE candidate_id = {r}.id", None),
    ("requisitions", ("UPDATE",), "SELECT id FROM loops WHERE requisition_id = {r}.id", None),
    ("requisition_principles", ALL, "SELECT id FROM loops WHERE requisition_id = {r}.requisition_id", None),
    ("org_units", ("UPDATE OF name",),
     "SELECT l.id FROM loops l JOIN requisitions q ON q.id = l.requisition_id WHERE q.org_unit_id = {r}.id", None),
    ("principles", ("UPDATE OF name, position",),
     "SELECT l.id FROM loops l JOIN requisition_principles rp ON rp.requisition_id = l.requisition_id "
     "WHERE rp.principle_id = {r}.id UNION SELECT i.loop_id FROM interviews i JOIN interview_principles ip "
     "ON ip.interview_id = i.id WHERE ip.principle_id = {r}.id", None),
    # A person is named by the loops they take part in, interview on, or acted on (the timeline's actors).
    ("users", ("UPDATE OF name",),
     "SELECT id FROM loops WHERE recruiter_id = {r}.id OR hiring_manager_id = {r}.id OR bar_raiser_id = {r}.id "
     "OR shadow_id = {r}.id OR closed_by_id = {r}.id UNION SELECT loop_id FROM interviews "
     "WHERE interviewer_id = {r}.id UNION SELECT loop_id FROM audit_entries WHERE actor_id = {r}.id "
     "AND loop_id IS NOT NULL", "NOT ({r}.name = {o}.name)"),
]
BUMP = "UPDATE loops SET report_version = report_version + 1 WHERE id IN ({loops})"
# The closed loop's seal (0007), admitting a change of the report version alone besides the redaction it admitted.
LOOP_COLUMNS = ("requisition_id", "candidate_id", "recruiter_id", "hiring_manager_id", "bar_raiser_id", "shadow_id",
                "step", "status", "closed_at", "closed_by_id", "step_entered_at", "created_at")

INDEXES = [
    # (name, table, columns)
    ("ix_candidates_created_at", "candidates", ["created_at"]),
    ("ix_requisitions_created_at", "requisitions", ["created_at"]),
    ("ix_interview_principles_principle_id", "interview_principles", ["principle_id"]),
    ("ix_requisition_principles_principle_id", "requisition_principles", ["principle_id"]),
]


def postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def events_of(event: str) -> str:
    return event.split(" OF ")[0]


def rows_of(event: str) -> list[str]:
    return {"INSERT": ["NEW"], "UPDATE": ["NEW", "OLD"], "DELETE": ["OLD"]}[events_of(event)]


def loops_of(select: str, event: str) -> str:
    return " UNION ".join(select.format(r=row) for row in rows_of(event))


def when_of(condition: str | None, row: str) -> str:
    return f" WHEN ({condition.format(r=row, o='OLD')})" if condition else ""


def create_bumps() -> None:
    for table, events, select, condition in SHOWN:
        if postgres():
            # One function per table; TG_OP picks the rows that exist for the event.
            branches = []
            for event in events:
                kind = events_of(event)
                branches.append(f"IF TG_OP = '{kind}' THEN {BUMP.format(loops=loops_of(select, event))}; END IF;")
            op.execute(f"CREATE FUNCTION report_shows_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                       + " ".join(branches) + " RETURN NULL; END $$")
            distinct = condition.replace("NOT ({r}.name = {o}.name)", "{r}.name IS DISTINCT FROM {o}.name") \
                if condition else None
            for event in events:
                row = rows_of(event)[0]
                op.execute(f"CREATE TRIGGER trg_report_shows_{table}_{events_of(event).lower()} AFTER {event} "
                           f"ON {table} FOR EACH ROW{when_of(distinct, row)} "
                           f"EXECUTE FUNCTION report_shows_{table}()")
        else:
            for event in events:
                row = rows_of(event)[0]
                op.execute(f"CREATE TRIGGER trg_report_shows_{table}_{events_of(event).lower()} AFTER {event} "
                           f"ON {table} FOR EACH ROW{when_of(condition, row)} "
                           f"BEGIN {BUMP.format(loops=loops_of(select, event))}; END")
    # The loop's own row: any change but the version's moves the version.
    if postgres():
        op.execute("CREATE FUNCTION report_shows_loop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "NEW.report_version := OLD.report_version + 1; RETURN NEW; END $$")
        op.execute("CREATE TRIGGER trg_report_shows_loop BEFORE UPDATE ON loops FOR EACH ROW "
                   "WHEN (NEW.report_version = OLD.report_version) EXECUTE FUNCTION report_shows_loop()")
    else:
        op.execute("CREATE TRIGGER trg_report_shows_loop AFTER UPDATE ON loops FOR EACH ROW "
                   "WHEN NEW.report_version = OLD.report_version "
                   "BEGIN UPDATE loops SET report_version = report_version + 1 WHERE id = NEW.id; END")


def drop_bumps() -> None:
    for table, events, _select, _condition in SHOWN:
        for event in events:
            name = f"trg_report_shows_{table}_{events_of(event).lower()}"
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if postgres() else f"DROP TRIGGER IF EXISTS {name}")
        if postgres():
            op.execute(f"DROP FUNCTION IF EXISTS report_shows_{table}()")
    if postgres():
        op.execute("DROP TRIGGER IF EXISTS trg_report_shows_loop ON loops")
        op.execute("DROP FUNCTION IF EXISTS report_shows_loop()")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_report_shows_loop")


def same(column: str) -> str:
    return f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}"


def replace_closed_loop_seal(admit_version: bool) -> None:
    kept = " AND ".join(same(c) for c in LOOP_COLUMNS)
    if admit_version:
        condition = (f"OLD.status <> 'open' AND NOT ({kept} AND {same('is_reverse_shadow')} AND "
                     f"(NEW.close_reason = '{REDACTED}' OR ({same('close_reason')} AND {same('version')})))")
    else:
        condition = f"OLD.status <> 'open' AND NOT (NEW.close_reason = '{REDACTED}' AND {kept})"
    if postgres():
        op.execute("DROP TRIGGER IF EXISTS trg_closed_loop_read_only ON loops")
        op.execute(f"CREATE TRIGGER trg_closed_loop_read_only BEFORE UPDATE ON loops FOR EACH ROW WHEN ({condition}) "
                   "EXECUTE FUNCTION refuse_change('a closed loop is read-only')")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_closed_loop_read_only")
        op.execute(f"CREATE TRIGGER trg_closed_loop_read_only BEFORE UPDATE ON loops FOR EACH ROW WHEN ({condition}) "
                   "BEGIN SELECT RAISE(ABORT, 'a closed loop is read-only'); END")


def upgrade():
    op.add_column("loops", sa.Column("report_version", sa.Integer(), server_default="1", nullable=False))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    replace_closed_loop_seal(admit_version=True)
    create_bumps()


def downgrade():
    drop_bumps()
    replace_closed_loop_seal(admit_version=False)
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    # Not batch mode: on SQLite a batch would rebuild the table and lose its other triggers.
    op.execute("ALTER TABLE loops DROP COLUMN report_version")
