"""Sign in and sign out."""

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import services
from app.auth.forms import LoginForm
from app.auth.gate import public
from app.extensions import db, limiter

bp = Blueprint("auth", __name__)


@bp.before_app_request
def end_stale_sessions():
    """Sign out a session idle too long or older than its lifetime, on the server's clock."""
    if "_user_id" not in session:
        return None
    now = int(time.time())
    config = current_app.config
    idle_limit = config["SESSION_IDLE_MINUTES"] * 60
    absolute_limit = config["PERMANENT_SESSION_LIFETIME"]
    absolute_limit = absolute_limit if isinstance(absolute_limit, int) else int(absolute_limit.total_seconds())
    seen, started = session.get("seen_at", 0), session.get("signed_in_at", 0)
    if now - seen > idle_limit or now - started > absolute_limit:
        logout_user()
        session.clear()
        flash("Your session ended; please sign in again.", "info")
        return None
    if now - seen > 60:  # refresh at most once a minute, so the cookie is not rewritten on every request
        session["seen_at"] = now
    return None

FAILED_SIGN_IN = "That e-mail and password do not match an active account."


def safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else the home page."""
    # Browsers read "/\\host" as "//host", so a backslash is never local.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.home")


def attempted_account() -> str:
    """Key sign-in attempts by the account they target."""
    return "account:" + services.normalize_email(request.form.get("email", ""))[:254]


def failed(response) -> bool:
    """Only failed sign-ins use up the allowance."""
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=failed)
@limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=attempted_account,
               deduct_when=failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session at sign-in: no fixation
            login_user(user)
            session.permanent = True
            session["signed_in_at"] = session["seen_at"] = int(time.time())
            services.note_sign_in(user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(FAILED_SIGN_IN)
        services.note_failed_sign_in(form.email.data, request.remote_addr)
        db.session.commit()
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    services.sign_out_everywhere(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/session/keepalive", methods=["POST"])
def keepalive():
    """Count a press of "Stay signed in" as activity: the idle limit starts again (the absolute one does not)."""
    session["seen_at"] = int(time.time())
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    return jsonify(idle_seconds=idle)
