"""The app as gunicorn serves it, plus one bench-only route: a bare template, no database, no sign-in.

Run as `gunicorn bench.wsgi:app` with BENCH_APP_DATABASE_URL set; the route lives
here, never in app/, so production has no such page.
"""

import os

from flask import Blueprint, render_template

from app import create_app
from app.auth.gate import public
from app.serving import settle
from config import Config

bare = Blueprint("bench_bare", __name__, template_folder="templates")


@bare.route("/bench/bare")
@public
def bare_page():
    return render_template("bench/bare.html")


def make_app(database_url: str, **settings):
    """Build the real app on `database_url` with the bare route registered beside it."""
    config = type("BenchRunConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings})
    app = create_app(config)
    app.register_blueprint(bare)
    settle()  # as wsgi.py does: the garbage collector kept out of requests' way
    return app


if os.environ.get("BENCH_APP_DATABASE_URL"):
    app = make_app(os.environ["BENCH_APP_DATABASE_URL"])
