"""Entry point for `flask --app wsgi` and for gunicorn (`wsgi:app`)."""

import os

from app import create_app
from config import Config, ProductionConfig

app = create_app(ProductionConfig if os.environ.get("APP_ENV") == "production" else Config)
