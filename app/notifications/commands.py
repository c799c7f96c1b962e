"""`flask send-reminders`: queue due reminders and escalations, then deliver the outbox. Meant for cron."""

import click
from flask.cli import with_appcontext

from app.db_types import utcnow
from app.extensions import db
from app.notifications.delivery import deliver_pending
from app.notifications.reminders import queue_feedback_reminders


@click.command("send-reminders")
@with_appcontext
def send_reminders():
    """Queue feedback reminders and escalations, then send every waiting e-mail."""
    queued = queue_feedback_reminders(utcnow())
    db.session.commit()
    report = deliver_pending()
    summary = f"Queued {queued}, sent {report.sent}, failed {report.failed}"
    click.echo(summary + (f", skipped {report.skipped}." if report.skipped else "."))
