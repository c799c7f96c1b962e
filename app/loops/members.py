"""Who takes part in which loop, kept as rows the loop list walks by index (`loop_members`).

Migration 0017's triggers on loops and interviews keep the rows in the same
transaction as every change, on both databases, whoever writes (a service, a
bulk statement, a hand in psql): a loop's members are worked out again from
its row and its interviews (with this module's `PEOPLE`, narrowed to the
loop) whenever its people, requisition, status, step or interviews change.
`rebuild` makes the whole table again, set-based; `flask
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
# Constants only, no value from outside: the same text as migration 0017's backfill and triggers.
MEMBERS_OF_PEOPLE = ("SELECT p.person_id, l.id, l.requisition_id, l.status, l.step, l.step_entered_at "
                     "FROM ({people}) p JOIN loops l ON l.id = p.loop_id")
MEMBERS = MEMBERS_OF_PEOPLE.replace("{people}", PEOPLE)


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
