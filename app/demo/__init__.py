"""The demo company (filled in by app.demo.company)."""

# Public on purpose: the README lists it, and it only ever signs in to the demo company.
DEMO_PASSWORD = "raise-the-bar-demo"  # nosec B105


def seed():
    from app.demo.company import build
    from app.extensions import db
    from app.metrics.rollups import rebuild

    people = build()
    # The story sets its own dates on records it writes; the metrics count the finished company once.
    rebuild(db.session.connection())
    return people
