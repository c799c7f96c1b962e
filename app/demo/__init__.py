"""The demo company (filled in by app.demo.company)."""

# Public on purpose: the README lists it, and it only ever signs in to the demo company.
DEMO_PASSWORD = "raise-the-bar-demo"  # nosec B105


def seed():
    from app.candidates.models import Candidate
    from app.demo.company import build
    from app.extensions import db
    from app.metrics.rollups import rebuild
    from app.retention.rules import refresh_dates

    people = build()
    # The story sets its own dates on records it writes; the metrics and retention dates count the finished company.
    rebuild(db.session.connection())
    refresh_dates(list(db.session.scalars(db.select(Candidate.id))))
    return people
