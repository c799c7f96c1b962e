"""Entry point for `flask --app wsgi` and for gunicorn (`wsgi:app`)."""

import os

from app import create_app
from app.serving import settle
from config import Config, ProductionConfig

app = create_app(ProductionConfig if os.environ.get("APP_ENV") == "production" else Config)
settle()  # the garbage collector kept out of requests' way (app/serving.py)
