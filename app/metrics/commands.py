"""`flask rebuild-metrics`: make the metrics rollups again from the records."""

import time

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.metrics.rollups import rebuild


@click.command("rebuild-metrics")
@with_appcontext
def rebuild_metrics():
    """Recount every loop into the metrics rollups, in one transaction; safe to run again at any time."""
    started = time.monotonic()
    loops = rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"Rebuilt the metrics rollups from {loops:,} loop(s) in {time.monotonic() - started:.1f}s.")
