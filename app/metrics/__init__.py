"""Input metrics (what leads to good hiring) and CSV exports."""

from flask import Blueprint

bp = Blueprint("metrics", __name__)

from app.metrics import exports, views  # noqa: E402, F401  (their routes live on `bp`)
