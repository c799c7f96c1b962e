"""Candidates: list (and find by external id or e-mail), read, add and update, as recruiters do on the pages."""

import marshmallow as ma
from flask import url_for
from sqlalchemy import select

from app import permissions
from app.api.auth import acting_user, commit_write
from app.api.common import AUTH_RESPONSES, Strict, email_address, refusal, resource_blueprint, run
from app.api.etags import etag_of, require_match, respond, respond_page
from app.api.pagination import PageArgs, page_schema, paginate
from app.candidates import services
from app.candidates.models import Candidate
from app.extensions import db

bp = resource_blueprint("api_candidates", "/api/v1/candidates", "Candidates, each with an optional external id.")


class CandidateSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    external_id = ma.fields.String(allow_none=True, metadata={"description": "The tracking system's own id."})
    name = ma.fields.String(required=True)
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    source = ma.fields.String(allow_none=True)
    resume_url = ma.fields.String(allow_none=True)
    has_resume_file = ma.fields.Boolean(required=True)
    notes = ma.fields.String()
    created_at = ma.fields.DateTime(required=True)
    erased_at = ma.fields.DateTime(allow_none=True, metadata={"description": "When retention erased their data."})


class CandidateFields(Strict):
    external_id = ma.fields.String(allow_none=True, validate=ma.validate.Length(1, 120))
    name = ma.fields.String(validate=ma.validate.Length(1, 200))
    email = ma.fields.String(allow_none=True, validate=[ma.validate.Length(max=254), email_address])
    phone = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    source = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=120))
    resume_url = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=2000))
    notes = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=10000))


class CandidateCreate(CandidateFields):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))


class CandidateUpdate(CandidateFields):
    @ma.validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("Send at least one field to change.", field_name="body")


class CandidateListArgs(PageArgs):
    external_id = ma.fields.String(validate=ma.validate.Length(1, 120),
                                   metadata={"description": "Find the candidate with this external id."})
    email = ma.fields.String(validate=ma.validate.Length(1, 254),
                             metadata={"description": "Find the candidates with this e-mail (any case)."})


def dump(candidate: Candidate) -> dict:
    return {
        "id": candidate.id, "external_id": candidate.external_id, "name": candidate.name,
        "email": candidate.email, "phone": candidate.phone, "source": candidate.source,
        "resume_url": candidate.resume_url, "has_resume_file": candidate.resume_file is not None,
        "notes": candidate.notes, "created_at": candidate.created_at.isoformat(),
        "erased_at": candidate.anonymized_at and candidate.anonymized_at.isoformat(),
    }


def save(candidate: Candidate | None, body: dict) -> Candidate:
    """Call the pages' service with the candidate's current values under what the body changes."""
    def value(name: str) -> str:
        if name in body:
            return body[name] or ""
        return (getattr(candidate, name) or "") if candidate is not None else ""

    return services.save_candidate(
        candidate, acting_user(), name=value("name"), email=value("email"), phone=value("phone"),
        source=value("source"), resume_url=value("resume_url"), notes=value("notes"),
        external_id=body["external_id"] or "" if "external_id" in body else None)


@bp.route("", methods=["GET"])
@bp.arguments(CandidateListArgs, location="query", as_kwargs=True, unknown=ma.RAISE)
@bp.response(200, page_schema(CandidateSchema, "CandidatePage"))
@bp.alt_response(401, **refusal(AUTH_RESPONSES[401]))
@bp.alt_response(403, **refusal("Only recruiters list candidates."))
def list_candidates(**args):
    """List candidates (recruiters), or find one by `external_id` or by `email`."""
    permissions.require_recruiter()
    query = select(Candidate)
    if "external_id" in args:
        query = query.where(Candidate.external_id == args["external_id"])
    if "email" in args:
        query = query.where(Candidate.email == args["email"].strip().lower())
    return respond_page(*paginate(query, Candidate.id, args, dump))


@bp.route("/<int:candidate_id>", methods=["GET"])
@bp.response(200, CandidateSchema, headers={"ETag": {"schema": {"type": "string"}}})
@bp.alt_response(404, **refusal("No such candidate, or not one the token's person sees."))
def get_candidate(candidate_id: int):
    """Read one candidate: recruiters read any, others those of the loops they take part in."""
    return respond(dump(permissions.get_candidate_or_404(candidate_id)))


@bp.route("", methods=["POST"])
@bp.arguments(CandidateCreate)
@bp.response(201, CandidateSchema)
@bp.alt_response(403, **refusal("Only recruiters add candidates."))
@bp.alt_response(409, **refusal("Another candidate has this external id."))
def create_candidate(body):
    """Add a candidate (recruiters)."""
    permissions.require_recruiter()
    candidate = run(lambda: save(None, body))
    commit_write()
    return respond(dump(candidate), 201, location=url_for("api_candidates.get_candidate", candidate_id=candidate.id))


@bp.route("/<int:candidate_id>", methods=["PATCH"])
@bp.arguments(CandidateUpdate)
@bp.response(200, CandidateSchema)
@bp.doc(parameters=[{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
                     "description": "The ETag of the version read."}])
@bp.alt_response(403, **refusal("Only recruiters edit candidates, and nobody an erased one."))
@bp.alt_response(404, **refusal("No such candidate, or not one the token's person sees."))
@bp.alt_response(409, **refusal("Another candidate has this external id, or the candidate was erased."))
@bp.alt_response(412, **refusal("Changed since it was read."))
@bp.alt_response(428, **refusal("If-Match is missing."))
def update_candidate(body, candidate_id: int):
    """Change a candidate's fields (recruiters), with the ETag of the version read."""
    candidate = permissions.get_candidate_or_404(candidate_id)
    permissions.require(permissions.can_edit_candidate(candidate))
    db.session.refresh(candidate, with_for_update=True)  # two updates with one ETag: the second waits, then 412s
    require_match(etag_of(dump(candidate)))
    run(lambda: save(candidate, body))
    commit_write()
    return respond(dump(candidate))
