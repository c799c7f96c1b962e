"""Who takes part in which loop, kept as rows the loop list walks by index (`loop_members`).

Migration 0017's triggers on loops and interviews keep the rows in the same
transaction as every change, on both databases, whoever writes (a service, a
bulk statement, a hand in psql): a loop's members are worked out again from
its row and its interviews whenever its people, status, step or interviews
change. `rebuild` makes the whole table again, set-based; `flask
rebuild-loop-members` runs it (the bench runs it after writing its rows
around the triggers).
"""

import time

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.extensions import db

# Everyone taking part in a loop, as `Loop.roles_of` counts: the four seats and every interviewer.
# `{loops}` and `{interviews}` narrow the loops (a WHERE on loops `l`, on interviews `i`) or are `true`.
PEOPLE = (
    "SELECT l.id AS loop_id, l.recruiter_id AS person_id FROM loops l WHERE {loops} "
    "UNION SELECT l.id, l.hiring_manager_id FROM loops l WHERE {loops} "
    "UNION SELECT l.id, l.bar_raiser_id FROM loops l WHERE {loops} AND l.bar_raiser_id IS NOT NULL "
    "UNION SELECT l.id, l.shadow_id FROM loops l WHERE {loops} AND l.shadow_id IS NOT NULL "
    "UNION SELECT i.loop_id, i.interviewer_id FROM interviews i WHERE {interviews}"
)
COLUMNS = "person_id, loop_id, requisition_id, status, step, step_entered_at"
MEMBERS = (
    f"SELECT p.person_id, l.id, l.requisition_id, l.status, l.step, l.step_entered_at "
    f"FROM ({PEOPLE}) p JOIN loops l ON l.id = p.loop_id"
)


def members_of(loop: str) -> str:
    """The member rows of one loop, `loop` being an SQL expression of its id (NEW.id in a trigger)."""
    return MEMBERS.format(loops=f"l.id = {loop}", interviews=f"i.loop_id = {loop}") + f" WHERE l.id = {loop}"


def refresh_statements(loop: str, dialect: str) -> list[str]:
    """The statements that make one loop's member rows right again: drop who left, write who takes part."""
    people = PEOPLE.format(loops=f"l.id = {loop}", interviews=f"i.loop_id = {loop}")
    drop = (f"DELETE FROM loop_members WHERE loop_id = {loop} "
            f"AND person_id NOT IN (SELECT person_id FROM ({people}) p)")
    if dialect == "postgresql":
        write = (f"INSERT INTO loop_members ({COLUMNS}) {members_of(loop)} ON CONFLICT (person_id, loop_id) "
                 "DO UPDATE SET requisition_id = EXCLUDED.requisition_id, status = EXCLUDED.status, "
                 "step = EXCLUDED.step, step_entered_at = EXCLUDED.step_entered_at")
    else:
        write = f"INSERT OR REPLACE INTO loop_members ({COLUMNS}) {members_of(loop)}"
    return [drop, write]


def rebuild(connection) -> int:
    """Make every member row again from the loops and interviews; return how many there are."""
    connection.execute(sa.text("DELETE FROM loop_members"))
    connection.execute(sa.text(f"INSERT INTO loop_members ({COLUMNS}) "
                               + MEMBERS.format(loops="true", interviews="true")))
    return connection.execute(sa.text("SELECT count(*) FROM loop_members")).scalar()


@click.command("rebuild-loop-members")
@with_appcontext
def rebuild_loop_members():
    """Work out again who takes part in every loop, in one transaction; safe to run again at any time."""
    started = time.monotonic()
    rows = rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"Rebuilt {rows:,} loop member row(s) in {time.monotonic() - started:.1f}s.")
