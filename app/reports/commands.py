"""`flask verify-pdf FILE`: is this debrief PDF as this instance signed it?"""

import click
from flask.cli import with_appcontext

from app.reports.signing import check_pdf


@click.command("verify-pdf")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def verify_pdf(file):
    """Check a debrief PDF's signature: valid, or altered since it was signed."""
    result = check_pdf(file.read())
    if not result.is_valid:
        click.echo(f"NOT VALID: {result.message}", err=True)
        raise SystemExit(1)
    click.echo(f"Valid: {result.message}")
