"""Candidate pages and résumé downloads."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import permissions
from app.candidates import queries, services
from app.candidates.forms import CandidateForm
from app.candidates.models import Candidate
from app.db_types import utcnow
from app.downloads import content_disposition, file_name
from app.extensions import db
from app.formatting import viewer_zone
from app.forms_common import attempt
from app.loops.models import Loop
from app.requisitions.models import Requisition, RequisitionStatus
from app.retention import rules
from app.retention.export import CandidateErased, archive

bp = Blueprint("candidates", __name__)


@bp.route("/")
def index():
    permissions.require_recruiter()
    search = queries.search_term(request.args.get("q"))
    found = queries.search(search)
    return render_template("candidates/index.html", found=found, candidates=found.candidates, search=search,
                           shown=queries.SHOWN), 422 if found.problem else 200


def save(candidate: Candidate | None, form: CandidateForm):
    upload = form.resume_pdf.data
    # Read one byte past the limit so the service can tell "too large" apart.
    limit = current_app.config["RESUME_MAX_BYTES"]
    data = upload.read(limit + 1) if upload and getattr(upload, "filename", "") else None
    return services.save_candidate(
        candidate, current_user, name=form.name.data, email=form.email.data or "", phone=form.phone.data or "",
        source=form.source.data or "", resume_url=form.resume_url.data or "", notes=form.notes.data or "",
        resume_pdf=data, resume_filename=upload.filename if data is not None else None,
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    permissions.require_recruiter()
    form = CandidateForm()
    if form.validate_on_submit():
        ok, candidate = attempt(form, lambda: save(None, form))
        if ok:
            db.session.commit()
            if services.same_email_candidates(candidate):
                flash("Another candidate already has this e-mail; check they are not the same person.", "warning")
            else:
                flash(f"Added {candidate.name}.", "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id))
    status = 422 if form.is_submitted() else 200
    return render_template("candidates/form.html", form=form, candidate=None), status


@bp.route("/<int:candidate_id>")
def show(candidate_id: int):
    candidate = permissions.get_candidate_or_404(candidate_id)
    loops = db.session.scalars(
        select(Loop).where(Loop.candidate_id == candidate.id, permissions.participant_filter(current_user))
        .options(selectinload(Loop.requisition)).order_by(Loop.created_at.desc())
    ).all()
    # A loop starts from here with its requisition chosen, so the new-loop page can suggest bar raisers.
    requisitions = db.session.execute(
        select(Requisition.id, Requisition.title, Requisition.level)
        .where(Requisition.status == RequisitionStatus.APPROVED).order_by(Requisition.title)
    ).all() if permissions.is_recruiter() else []
    return render_template("candidates/show.html", candidate=candidate, loops=loops, requisitions=requisitions,
                           duplicates=services.same_email_candidates(candidate),
                           resume_name=file_name(*resume_name_parts(candidate), extension=".pdf"),
                           erasure=rules.status_of(candidate))


def resume_name_parts(candidate: Candidate) -> tuple[str, str]:
    """Name a résumé after its candidate: the uploader's own file name and extension are never shown or sent."""
    return "resume", candidate.name


@bp.route("/<int:candidate_id>/edit", methods=["GET", "POST"])
def edit(candidate_id: int):
    candidate = permissions.get_candidate_or_404(candidate_id)
    permissions.require(permissions.can_edit_candidate(candidate))
    form = CandidateForm(obj=candidate)
    if form.validate_on_submit():
        ok, _ = attempt(form, lambda: save(candidate, form))
        if ok:
            db.session.commit()
            flash("Saved.", "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id))
    status = 422 if form.is_submitted() else 200
    return render_template("candidates/form.html", form=form, candidate=candidate), status


@bp.route("/<int:candidate_id>/export.zip")
def export(candidate_id: int):
    """Send everything held about the candidate as one archive; audited."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        abort(404)
    if not permissions.can_export_candidate_data(candidate):
        abort(403 if permissions.can_see_candidate(candidate) else 404)
    try:
        data = archive(candidate, current_user, viewer_zone())
    except CandidateErased as erased:
        db.session.rollback()
        abort(410, description=erased.message)
    db.session.commit()
    response = Response(data, mimetype="application/zip")
    day = utcnow().date().isoformat()
    response.headers["Content-Disposition"] = content_disposition("candidate", str(candidate.id), "data", day,
                                                                  extension=".zip")
    return response


@bp.route("/<int:candidate_id>/resume.pdf")
def resume(candidate_id: int):
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or not permissions.can_read_resume(candidate):
        abort(404)
    path = services.resume_path(candidate)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pdf", max_age=0)
    response.headers["Content-Disposition"] = content_disposition(*resume_name_parts(candidate), extension=".pdf",
                                                                  inline=True)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
