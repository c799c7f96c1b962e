"""Entry point for `flask --app wsgi` and for gunicorn (`wsgi:app`)."""

import gc
import os

from app import create_app
from config import Config, ProductionConfig

app = create_app(ProductionConfig if os.environ.get("APP_ENV") == "production" else Config)
# What the process loaded to start (modules, templates, mappers: a few hundred thousand objects) lives as long as
# it does. Frozen, it is out of the garbage collector's sight, so a full collection reads only what requests left
# behind: a pause of about 10 ms instead of 200 ms in the middle of some request.
gc.freeze()
