"""`flask verify-audit`: walk the audit trail's hash chain."""

import click
from flask.cli import with_appcontext

from app.audit import chain
from app.extensions import db


@click.command("verify-audit")
@with_appcontext
def verify_audit():
    """Check the audit trail's hash chain; report the first edited, deleted or inserted entry."""
    verdict = chain.verify(db.session)
    db.session.rollback()
    if not verdict.is_intact:
        click.echo(f"Audit trail BROKEN after {verdict.checked} intact entries: {verdict.problem}", err=True)
        raise SystemExit(1)
    click.echo(f"Audit trail intact: {verdict.checked} entries, head {verdict.head_hash}.")
