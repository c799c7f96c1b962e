"""Command-line tools: `flask create-user` and `flask seed-demo`."""

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.errors import ServiceError
from app.extensions import db
from app.people import services as accounts
from app.people.models import OrgUnit, User


@click.command("create-user")
@click.option("--email", prompt=True, help="Sign-in e-mail.")
@click.option("--name", prompt=True, help="Full name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 12 characters.")
@click.option("--org-unit", default=None, help="Org unit name (created if new).")
@click.option("--admin", "is_admin", is_flag=True, help="Grant the admin role.")
@click.option("--recruiter", "is_recruiter", is_flag=True, help="Grant the recruiter role.")
@with_appcontext
def create_user(email, name, password, org_unit, is_admin, is_recruiter):
    """Create a user who can sign in."""
    unit = None
    if org_unit:
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.name == org_unit.strip()))
        if unit is None:
            unit = OrgUnit(name=org_unit.strip())
            db.session.add(unit)
    try:
        user = accounts.create_user(email=email, name=name, password=password, org_unit=unit,
                                    is_admin=is_admin, is_recruiter=is_recruiter)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    roles = ", ".join(accounts.role_names(user)) or "no special roles"
    click.echo(f"Created {user.email} ({roles}).")


@click.command("purge-candidates")
@click.option("--older-than", "older_than", type=click.IntRange(min=1), default=None, metavar="DAYS",
              help="Instead of the retention policies: erase candidates whose loops all closed more than DAYS ago.")
@click.option("--dry-run", is_flag=True, help="List who would be erased and who is held; change nothing.")
@with_appcontext
def purge_candidates(older_than, dry_run):
    """Erase candidates whose retention ran out: every copy of their personal data; counts stay for the metrics.

    Each candidate is erased in their own transaction, so a run stopped half-way is finished by the next one.
    Candidates under a legal hold are listed and kept.
    """
    from app.retention import rules
    from app.retention.erasure import purge

    due_now = rules.due(0, older_than_days=older_than)
    held = [status for status in due_now if status.holds]
    basis = f"whose loops all closed more than {older_than} days ago" if older_than else "due under the policies"
    for status in held:
        click.echo(f"  #{status.candidate_id} held: " + " ".join(status.problems()))
    if dry_run:
        for status in due_now:
            if not status.holds:
                click.echo(f"  #{status.candidate_id} {status.name}")
        click.echo(f"Would erase {len(due_now) - len(held)} candidate(s) {basis}; {len(held)} held; "
                   "nothing changed (dry run).")
        return
    result = purge(older_than_days=older_than, echo=click.echo)
    click.echo(f"Erased {len(result.erased)} candidate(s) {basis}; {len(result.held)} held by a legal hold"
               + (f"; {len(result.failed)} failed (run again)." if result.failed else "."))
    if result.failed:
        raise SystemExit(1)


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Fill an empty database with the demo company."""
    from app.demo import DEMO_PASSWORD, seed

    if db.session.scalar(select(func.count()).select_from(User)):
        raise click.ClickException("The database already has users; seed-demo only fills an empty one.")
    people = seed()
    db.session.commit()
    click.echo(f"Demo company loaded. Every demo login uses the password {DEMO_PASSWORD!r}:")
    for user in people:
        click.echo(f"  {user.email:28} {user.name}")
