"""The demo company (filled in by app.demo.company)."""

# Public on purpose: the README lists it, and it only ever signs in to the demo company.
DEMO_PASSWORD = "raise-the-bar-demo"  # nosec B105


def seed():
    from app.demo.company import build

    return build()
