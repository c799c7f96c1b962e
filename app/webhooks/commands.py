"""`flask deliver-webhooks`: send the webhook and chat deliveries that are due; meant for cron."""

import click
from flask.cli import with_appcontext

from app.webhooks.delivery import deliver_due


@click.command("deliver-webhooks")
@with_appcontext
def deliver_webhooks():
    """Send every webhook and chat message whose turn has come; each is claimed, so runs may overlap."""
    report = deliver_due()
    click.echo(f"Delivered {report.delivered}, retrying {report.retrying}, failed {report.failed}"
               + (f", skipped {report.skipped}." if report.skipped else "."))
