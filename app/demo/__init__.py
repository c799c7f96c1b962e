"""The demo company (filled in by app.demo.company)."""

DEMO_PASSWORD = "raise-the-bar-demo"


def seed():
    from app.demo.company import build

    return build()
