"""Sign in and sign out."""

import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.auth import oidc, services
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
# With password sign-in off, a wrong password and an account that is not break-glass get the same answer.
BREAK_GLASS_ONLY = ("Password sign-in is turned off, except for break-glass accounts, and these details do "
                    "not match one. Sign in with {provider} instead.")


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


def refused(response) -> bool:
    """A refused answer from the provider uses up the address's allowance."""
    return 400 <= response.status_code < 500


def login_page_context() -> dict:
    config = current_app.config
    return {"single_sign_on": oidc.is_configured(), "provider_name": config["OIDC_PROVIDER_NAME"],
            "password_sign_in": config["PASSWORD_SIGN_IN"]}


def start_session(user, method: str) -> None:
    """Sign `user` in on a fresh session (no fixation), stamped for the idle and absolute limits."""
    session.clear()
    login_user(user)
    session.permanent = True
    session["signed_in_at"] = session["seen_at"] = int(time.time())
    services.note_sign_in(user, method)


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
        if user is not None and services.may_use_password(user):
            start_session(user, "password")
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        if user is not None:
            services.note_refused_sign_in("password_sign_in_off", user, request.remote_addr, method="password")
        else:
            services.note_failed_sign_in(form.email.data, request.remote_addr)
        if current_app.config["PASSWORD_SIGN_IN"]:
            form.password.errors.append(FAILED_SIGN_IN)
        else:
            form.password.errors.append(BREAK_GLASS_ONLY.format(provider=current_app.config["OIDC_PROVIDER_NAME"]))
        db.session.commit()
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, **login_page_context()), status


def provider_unreachable():
    db.session.rollback()
    return render_template("auth/sign_in_refused.html", heading="The sign-in provider did not answer",
                           message="Try again in a minute. If it stays down, an admin with a break-glass "
                                   "account can still sign in with a password."), 502


@bp.route("/login/oidc")
@public
def oidc_start():
    """Send the person to the sign-in provider, remembering where they were going."""
    if not oidc.is_configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    session["oidc_next"] = safe_next(request.args.get("next"))
    try:
        return oidc.start_sign_in()
    except oidc.ProviderUnreachable:
        return provider_unreachable()


@bp.route("/login/oidc/callback")
@public
@limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], deduct_when=refused)
def oidc_callback():
    """Take the provider's answer: verify it, then sign the person in, or say why not (audited either way)."""
    if not oidc.is_configured():
        abort(404)
    try:
        user = oidc.sign_in(request.args)
        target = session.get("oidc_next") or url_for("main.home")
        start_session(user, "oidc")
        db.session.commit()
    except oidc.SignInRefused as refusal:
        db.session.rollback()
        services.note_refused_sign_in(refusal.cause, refusal.user, request.remote_addr, method="oidc",
                                      **refusal.details)
        db.session.commit()
        return render_template("auth/sign_in_refused.html", heading="Sign-in refused",
                               message=refusal.message), refusal.status
    except oidc.ProviderUnreachable:
        return provider_unreachable()
    except IntegrityError:  # the same person's first sign-in, twice at once: the other one won
        db.session.rollback()
        logout_user()
        session.clear()
        return render_template("auth/sign_in_refused.html", heading="Sign-in interrupted",
                               message="This account was being set up by another sign-in at the same moment. "
                                       "Sign in again."), 409
    return redirect(target)


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
