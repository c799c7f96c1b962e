"""Candidates and their résumés."""

import os
import secrets

from flask import current_app
from sqlalchemy import select

from app.audit.services import record
from app.candidates.models import Candidate
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.people.models import User


def same_email_candidates(candidate: Candidate) -> list[Candidate]:
    """Return other candidates with this e-mail: possibly the same person twice."""
    if not candidate.email:
        return []
    return list(db.session.scalars(
        select(Candidate).where(Candidate.email == candidate.email, Candidate.id != candidate.id)
        .order_by(Candidate.created_at)
    ))


def save_candidate(candidate: Candidate | None, actor: User, *, name: str, email: str, phone: str,
                   source: str, resume_url: str, notes: str, resume_pdf: bytes | None = None,
                   resume_filename: str | None = None, external_id: str | None = None) -> Candidate:
    """Create or update a candidate; a résumé upload must really be a PDF.

    `external_id` (a tracking system's id for them) is left as it is when None, cleared when empty.
    """
    if not actor.is_recruiter:
        raise ServiceError("Only recruiters add and edit candidates.")
    if candidate is not None and candidate.anonymized_at is not None:
        raise Conflict("This candidate's data was erased under the retention policy; nothing of it can be "
                       "written again.")
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Enter the candidate's name.", field="name")
    resume_url = resume_url.strip()
    if resume_url and not resume_url.lower().startswith(("https://", "http://")):
        raise ServiceError("A résumé link starts with https://.", field="resume_url")
    sets_external_id = external_id is not None
    if sets_external_id:
        external_id = external_id.strip() or None
        holder = external_id and db.session.scalar(select(Candidate).where(Candidate.external_id == external_id))
        if holder and holder is not candidate:
            raise Conflict(f"Candidate {holder.id} already has the external id “{external_id}”.",
                           field="external_id")
    is_new = candidate is None
    if is_new:
        candidate = Candidate(created_by=actor)
        db.session.add(candidate)
    candidate.name, candidate.email = name, (email.strip().lower() or None)
    candidate.phone, candidate.source = phone.strip() or None, source.strip() or None
    candidate.resume_url, candidate.notes = resume_url or None, notes.strip()
    if sets_external_id:
        candidate.external_id = external_id
    if resume_pdf is not None:
        store_resume(candidate, resume_pdf, resume_filename or "resume.pdf")
    db.session.flush()
    record("candidate.created" if is_new else "candidate.updated", candidate, actor, personal={"name": name})
    return candidate


def store_resume(candidate: Candidate, data: bytes, filename: str) -> None:
    """Keep an uploaded résumé outside the static folder, under a random name."""
    limit = current_app.config["RESUME_MAX_BYTES"]
    if len(data) > limit:
        raise ServiceError(f"The résumé is larger than {limit // (1024 * 1024)} MB.", field="resume_pdf")
    if not is_pdf(data):
        raise ServiceError("The résumé must be a PDF file.", field="resume_pdf")
    folder = current_app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.pdf"
    with open(os.path.join(folder, stored), "wb") as out:
        out.write(data)
    candidate.resume_file = stored
    candidate.resume_filename = os.path.basename(filename.replace("\\", "/"))[:255] or "resume.pdf"


def is_pdf(data: bytes) -> bool:
    """Judge by content: a PDF header at the start and an end-of-file marker near the end."""
    return data[:1024].lstrip().startswith(b"%PDF-") and b"%%EOF" in data[-2048:]


def resume_path(candidate: Candidate) -> str | None:
    if not candidate.resume_file:
        return None
    return os.path.join(current_app.config["UPLOAD_FOLDER"], candidate.resume_file)
