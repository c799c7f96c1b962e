"""The application factory."""

import logging
import os
import sqlite3

from flask import Flask, abort, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import csrf, db, limiter, login_manager, migrate
from config import Config

SAFE_METHODS = frozenset({"GET", "HEAD"})


def create_app(config_class: type = Config) -> Flask:
    """Build the app from a config class."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    app.config.from_object(config_class)
    if hasattr(config_class, "check"):
        config_class.check()
    os.makedirs(app.instance_path, exist_ok=True)
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_sign_in_gate(app)
    register_errorhandlers(app)
    register_input_checks(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    configure_logging(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table known before migrations run)

    db.init_app(app)
    from app.metrics.rollups import listen as keep_metrics_rollups

    keep_metrics_rollups()
    migrate.init_app(
        app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from app.auth import oidc
    from app.auth.services import load_user

    login_manager.user_loader(load_user)
    oidc.init_app(app)

    @app.after_request
    def end_reads_with_commit(response):
        """End a successful read's transaction with COMMIT rather than the pool's ROLLBACK.

        The two are the same to the database when the session wrote nothing, but
        psycopg forgets its prepared statements on every ROLLBACK, and PostgreSQL
        would then plan each query of each page afresh. Anything that wrote, or
        failed, ends the usual way: the session rolls back when the request ends.
        """
        session = db.session()
        if (request.method in SAFE_METHODS and response.status_code < 400 and session.in_transaction()
                and not session.info.get("wrote")
                and not (session.new or session.dirty or session.deleted)):
            session.expire_on_commit = False  # the page is rendered; nothing reads these objects again
            session.commit()
        return response


@event.listens_for(Session, "after_flush")
def _note_flush(session, flush_context):
    session.info["wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state):
    """Any statement but a SELECT (UPDATE, DELETE, raw SQL) counts as a write."""
    if not state.is_select:
        state.session.info["wrote"] = True


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")  # erased text leaves no copy in the file's free space
        cursor.close()


def register_url_converters(app: Flask) -> None:
    """Read every `<int:...>` of a route as a bounded id: out of the database's range is 404, not 500."""
    from app.integers import IdConverter

    app.url_map.converters["int"] = IdConverter


def register_blueprints(app: Flask) -> None:
    from app.admin.views import bp as admin_bp
    from app.api import register_api
    from app.audit.views import bp as audit_bp
    from app.auth.views import bp as auth_bp
    from app.candidates.views import bp as candidates_bp
    from app.debrief.views import bp as debrief_bp
    from app.feedback.views import bp as feedback_bp
    from app.interviews.subscriptions import bp as calendar_bp
    from app.interviews.views import bp as interviews_bp
    from app.kits.views import bp as kits_bp
    from app.loops.views import bp as loops_bp
    from app.main.views import bp as main_bp
    from app.metrics import bp as metrics_bp
    from app.offers.views import bp as offers_bp
    from app.people.views import bp as account_bp
    from app.program.views import bp as program_bp
    from app.references.views import bp as references_bp
    from app.reports.views import bp as reports_bp
    from app.requisitions.views import bp as requisitions_bp
    from app.retention.views import bp as retention_bp
    from app.scim.admin import bp as scim_admin_bp
    from app.scim.views import bp as scim_bp
    from app.webhooks.views import bp as webhooks_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(audit_bp, url_prefix="/admin/audit")
    app.register_blueprint(retention_bp, url_prefix="/admin/retention")
    app.register_blueprint(requisitions_bp, url_prefix="/requisitions")
    app.register_blueprint(candidates_bp, url_prefix="/candidates")
    app.register_blueprint(loops_bp, url_prefix="/loops")
    app.register_blueprint(feedback_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(debrief_bp)
    app.register_blueprint(interviews_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(references_bp)
    app.register_blueprint(offers_bp)
    app.register_blueprint(metrics_bp)
    app.register_blueprint(kits_bp)
    app.register_blueprint(program_bp)
    app.register_blueprint(scim_bp, url_prefix="/scim/v2")
    app.register_blueprint(scim_admin_bp, url_prefix="/admin/scim")
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(account_bp, url_prefix="/account")
    register_api(app)


def register_sign_in_gate(app: Flask) -> None:
    """Every page needs a signed-in person but those marked public; after the blueprints' session checks."""
    from app.auth.gate import require_sign_in

    app.before_request(require_sign_in)


def register_errorhandlers(app: Flask) -> None:
    from app.api import problems

    def render_error(error: HTTPException):
        if problems.is_api_request():  # the JSON API answers problem details, never a page
            return problems.from_http_exception(error)
        code = error.code or 500
        # A description of our own (abort(400, description=...)) says what was wrong; Werkzeug's stock one does not.
        message = error.description if error.description != type(error).description else None
        return render_template(f"errors/{code}.html", error=error, message=message), code

    for code in (400, 404, 405, 409, 410, 413, 429):
        app.register_error_handler(code, render_error)

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        """Statuses without a page of their own (401, 412, 415, 422, 428...): a problem under the API."""
        return problems.from_http_exception(error) if problems.is_api_request() else error

    @app.errorhandler(403)
    def forbidden(error):
        note_refusal()
        return render_error(error)

    @app.errorhandler(StaleDataError)
    def conflict(error):
        db.session.rollback()
        if problems.is_api_request():
            return problems.problem(409, "Someone else changed this at the same moment; theirs stands.")
        return render_template("errors/409.html"), 409

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        if problems.is_api_request():
            return problems.problem(500, "Something went wrong on our side; nothing was saved.")
        try:
            return render_template("errors/500.html"), 500
        except Exception:  # noqa: BLE001 - the navigation reads the signed-in user, and the database may be down
            logging.getLogger(__name__).exception("could not render the error page's navigation")
            return render_template("errors/500.html", without_navigation=True), 500


def register_input_checks(app: Flask) -> None:
    """Refuse a query or form value holding a NUL character: nobody types one, and PostgreSQL cannot store it."""

    @app.before_request
    def refuse_nul_characters():
        if request.endpoint == "static":
            return
        for source, where in ((request.args, "address"), (request.form, "form")):
            for name, values in source.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    abort(400, description=f"The {where} holds a NUL character, which no field accepts.")


def note_refusal() -> None:
    """Audit a refused authorization; auditing must never turn a 403 into a 500."""
    from flask_login import current_user

    from app.audit.services import record

    db.session.rollback()
    try:
        user = current_user._get_current_object() if current_user.is_authenticated else None
        record("auth.refused", user, user, method=request.method, path=request.path[:500])
        db.session.commit()
    except Exception:  # noqa: BLE001 - the refusal stands even if the database is unwell
        db.session.rollback()
        logging.getLogger(__name__).exception("could not audit a refused request")


def register_template_helpers(app: Flask) -> None:
    from app import permissions
    from app.feedback.services import due_at, is_late
    from app.formatting import localtime
    from app.icons import icon

    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.globals.update(icon=icon, due_at=due_at, is_late=is_late)
    app.jinja_env.globals.update(
        {name: getattr(permissions, name) for name in permissions.TEMPLATE_PREDICATES}
    )


CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def register_security_headers(app: Flask) -> None:
    """Send the same protective headers with every response; pages about people are never cached."""

    @app.after_request
    def protect(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint != "static":
            headers.setdefault("Cache-Control", "no-store")
        return response


def register_commands(app: Flask) -> None:
    from app.audit.commands import verify_audit
    from app.commands import create_user, purge_candidates, seed_demo
    from app.loops.members import rebuild_loop_members
    from app.metrics.commands import rebuild_metrics
    from app.notifications.commands import send_reminders
    from app.reports.commands import verify_pdf
    from app.webhooks.commands import deliver_webhooks

    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(purge_candidates)
    app.cli.add_command(send_reminders)
    app.cli.add_command(verify_audit)
    app.cli.add_command(verify_pdf)
    app.cli.add_command(deliver_webhooks)
    app.cli.add_command(rebuild_metrics)
    app.cli.add_command(rebuild_loop_members)


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
