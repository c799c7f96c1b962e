"""The home page and the health check."""

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from app.auth.gate import public
from app.extensions import db
from app.interviews.models import InterviewKind
from app.loops.models import Step
from app.main.dashboard import my_work

bp = Blueprint("main", __name__)


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a 500 page
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.route("/")
def home():
    work = my_work(current_user)
    return render_template("main/home.html", work=work, loops=work.loops, upcoming=work.upcoming,
                           InterviewKind=InterviewKind, Step=Step)
