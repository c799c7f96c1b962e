"""The admin's audit page: the trail filtered by who, what, when and which loop, and its export."""

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user

from app import permissions
from app.audit import chain, queries
from app.audit.forms import AuditFilterForm
from app.audit.services import record
from app.db_types import utcnow
from app.downloads import content_disposition
from app.extensions import db
from app.integers import int_arg

bp = Blueprint("audit", __name__)


@bp.before_request
def require_reader():
    permissions.require(permissions.can_read_audit_trail())


def filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.fill_choices()
    return form


@bp.route("/")
def index():
    form = filter_form()
    if not form.validate():
        return render_template("audit/index.html", form=form, entries=[], next_seq=None, head=None,
                               filtered=True, args={}), 400
    after = int_arg(request.args, "after", minimum=1)
    entries, next_seq = queries.page(form.filters(), after_seq=after)
    args = {key: value for key, value in request.args.items() if key != "after" and value}
    return render_template("audit/index.html", form=form, entries=entries, next_seq=next_seq,
                           head=chain.head(db.session), filtered=form.filters().is_filtered, args=args,
                           subject_words=queries.subject_words)


@bp.route("/export.jsonl")
def export():
    """Send the filtered trail as JSON Lines with the chain's head hash; the export itself is audited."""
    form = filter_form()
    if not form.validate():
        return render_template("audit/index.html", form=form, entries=[], next_seq=None, head=None,
                               filtered=True, args={}), 400
    audit_filter = form.filters()
    length, head_hash = chain.head(db.session)
    record("audit.exported", None, current_user, length=length, head_hash=head_hash,
           filters={key: value for key, value in request.args.items() if value})
    db.session.commit()
    day = utcnow().date().isoformat()
    lines = stream_with_context(queries.export_lines(audit_filter, length, head_hash))
    response = Response(lines, mimetype="application/x-ndjson")
    response.headers["Content-Disposition"] = content_disposition("audit-trail", day, extension=".jsonl")
    response.headers["X-Audit-Chain-Head"] = head_hash
    return response

