"""The home page and the health check."""

from datetime import timedelta

from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import or_, select, text
from sqlalchemy.orm import selectinload

from app.db_types import utcnow
from app.extensions import db
from app.interviews.models import Interview, InterviewKind
from app.loops.models import Loop, LoopStatus

bp = Blueprint("main", __name__)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a 500 page
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.route("/")
@login_required
def home():
    user = current_user
    loops = db.session.scalars(
        select(Loop)
        .where(
            Loop.status == LoopStatus.OPEN,
            or_(
                Loop.recruiter_id == user.id,
                Loop.hiring_manager_id == user.id,
                Loop.bar_raiser_id == user.id,
                Loop.shadow_id == user.id,
                Loop.id.in_(select(Interview.loop_id).where(Interview.interviewer_id == user.id)),
            ),
        )
        .options(selectinload(Loop.candidate), selectinload(Loop.requisition))
        .order_by(Loop.step_entered_at)
        .limit(50)
    ).all()
    upcoming = db.session.scalars(
        select(Interview)
        .join(Interview.loop)
        .where(
            Interview.interviewer_id == user.id,
            Interview.starts_at >= utcnow() - timedelta(hours=2),
            Loop.status == LoopStatus.OPEN,
        )
        .options(selectinload(Interview.principles), selectinload(Interview.loop).selectinload(Loop.candidate))
        .order_by(Interview.starts_at)
        .limit(20)
    ).all()
    return render_template("main/home.html", loops=loops, upcoming=upcoming, InterviewKind=InterviewKind)
