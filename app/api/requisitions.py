"""Requisitions: list, read, open, and update (describe, approve, close) as the pages do."""

from collections import defaultdict

import marshmallow as ma
from flask import url_for
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import permissions
from app.api.auth import acting_user, commit_write
from app.api.common import AUTH_RESPONSES, Id, Strict, get_or_field_error, refusal, resource_blueprint, run
from app.api.etags import etag_of, require_match, respond, respond_page
from app.api.pagination import PageArgs, page_schema, paginate
from app.extensions import db
from app.people.models import OrgUnit, User
from app.principles.models import Principle
from app.requisitions import services
from app.requisitions.models import Requisition, RequisitionStatus, requisition_principles

bp = resource_blueprint("api_requisitions", "/api/v1/requisitions", "Requisitions: the roles loops are run for.")


class PersonRef(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class PrincipleRef(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class RequisitionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": [s.value for s in RequisitionStatus]})
    org_unit = ma.fields.Nested(PersonRef, required=True)
    hiring_manager = ma.fields.Nested(PersonRef, required=True)
    recruiter = ma.fields.Nested(PersonRef, required=True)
    location = ma.fields.String(allow_none=True)
    job_description = ma.fields.String()
    principles = ma.fields.List(ma.fields.Nested(PrincipleRef))
    created_at = ma.fields.DateTime(required=True)
    approved_at = ma.fields.DateTime(allow_none=True)
    closed_at = ma.fields.DateTime(allow_none=True)


class RequisitionCreate(Strict):
    title = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    level = ma.fields.String(required=True, validate=ma.validate.Length(1, 40))
    org_unit_id = ma.fields.Integer(required=True, strict=True, validate=Id)
    hiring_manager_id = ma.fields.Integer(required=True, strict=True, validate=Id)
    recruiter_id = ma.fields.Integer(strict=True, validate=Id,
                                     metadata={"description": "Defaults to the token's person."})
    location = ma.fields.String(validate=ma.validate.Length(max=120))


class RequisitionUpdate(Strict):
    job_description = ma.fields.String(validate=ma.validate.Length(max=20000),
                                       metadata={"description": "The hiring manager's, while a draft."})
    principle_ids = ma.fields.List(ma.fields.Integer(strict=True, validate=Id), validate=ma.validate.Length(max=16),
                                   metadata={"description": "Target principles (the hiring manager's, while a draft)."})
    status = ma.fields.String(validate=ma.validate.OneOf(["approved", "closed"]),
                              metadata={"description": "approved: the hiring manager approves the draft; closed: "
                                                       "its recruiter or hiring manager closes it."})
    open_loops = ma.fields.String(validate=ma.validate.OneOf(["keep", "reject"]),
                                  metadata={"description": "On closing: what happens to its open loops."})
    reason = ma.fields.String(validate=ma.validate.Length(max=2000),
                              metadata={"description": "On closing with open loops rejected: why."})

    @ma.validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("Send at least one field to change.", field_name="body")


class RequisitionListArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in RequisitionStatus]))


def dump(requisition: Requisition) -> dict:
    return {
        "id": requisition.id, "title": requisition.title, "level": requisition.level,
        "status": RequisitionStatus(requisition.status).value,
        "org_unit": {"id": requisition.org_unit.id, "name": requisition.org_unit.name},
        "hiring_manager": {"id": requisition.hiring_manager.id, "name": requisition.hiring_manager.name},
        "recruiter": {"id": requisition.recruiter.id, "name": requisition.recruiter.name},
        "location": requisition.location, "job_description": requisition.job_description,
        "principles": [{"id": p.id, "name": p.name} for p in requisition.principles],
        "created_at": requisition.created_at.isoformat(),
        "approved_at": requisition.approved_at and requisition.approved_at.isoformat(),
        "closed_at": requisition.closed_at and requisition.closed_at.isoformat(),
    }


@bp.route("", methods=["GET"])
@bp.arguments(RequisitionListArgs, location="query", as_kwargs=True, unknown=ma.RAISE)
@bp.response(200, page_schema(RequisitionSchema, "RequisitionPage"))
@bp.alt_response(401, **refusal(AUTH_RESPONSES[401]))
def list_requisitions(**args):
    """List the requisitions the token's person sees: all for recruiters and admins, else their own."""
    user = acting_user()
    query = select(Requisition).options(selectinload(Requisition.org_unit), selectinload(Requisition.hiring_manager),
                                        selectinload(Requisition.recruiter))
    if not (permissions.is_recruiter(user) or permissions.is_admin(user)):
        query = query.where(Requisition.hiring_manager_id == user.id)
    if args.get("status"):
        query = query.where(Requisition.status == args["status"])
    return respond_page(*paginate(query, Requisition.id, args, dump, load=load_principles))


# A page whose ids span at most this many times its length is read as one range of the index.
DENSE_SPAN = 4


def load_principles(page: list[Requisition]) -> None:
    """Read the page's target principles in one statement, never every requisition's.

    The list is keyset by id: a dense page (the whole list, read on from a
    cursor) is read as its span of ids, one range of the link table's index,
    and rows of requisitions not on the page are let go; a sparse one (a
    filtered list) by its ids.
    """
    ids = [requisition.id for requisition in page]
    link = requisition_principles.c
    if ids[-1] - ids[0] < DENSE_SPAN * len(ids):
        on_page = link.requisition_id.between(ids[0], ids[-1])
    else:
        on_page = link.requisition_id.in_(ids)
    held = defaultdict(list)
    for requisition_id, principle in db.session.execute(
        select(link.requisition_id, Principle).join(Principle, Principle.id == link.principle_id)
        .where(on_page).order_by(Principle.position)
    ).all():
        held[requisition_id].append(principle)
    for requisition in page:
        set_committed_value(requisition, "principles", held[requisition.id])


@bp.route("/<int:requisition_id>", methods=["GET"])
@bp.response(200, RequisitionSchema, headers={"ETag": {"schema": {"type": "string"}}})
@bp.alt_response(404, **refusal("No such requisition, or not one the token's person sees."))
def get_requisition(requisition_id: int):
    """Read one requisition."""
    return respond(dump(permissions.get_requisition_or_404(requisition_id)))


@bp.route("", methods=["POST"])
@bp.arguments(RequisitionCreate)
@bp.response(201, RequisitionSchema)
@bp.alt_response(403, **refusal("Only recruiters open requisitions."))
@bp.alt_response(409, **refusal("A rule refused it."))
def create_requisition(body):
    """Open a draft requisition (recruiters), for its hiring manager to describe and approve."""
    user = acting_user()
    permissions.require(permissions.is_recruiter(user))
    org_unit = get_or_field_error(OrgUnit, body["org_unit_id"], "org_unit_id", "org unit")
    hiring_manager = get_or_field_error(User, body["hiring_manager_id"], "hiring_manager_id", "person")
    recruiter = get_or_field_error(User, body.get("recruiter_id", user.id), "recruiter_id", "person")
    requisition = run(lambda: services.open_requisition(
        user, title=body["title"], level=body["level"], org_unit=org_unit, hiring_manager=hiring_manager,
        recruiter=recruiter, location=body.get("location", "")))
    commit_write()
    return respond(dump(requisition), 201,
                   location=url_for("api_requisitions.get_requisition", requisition_id=requisition.id))


@bp.route("/<int:requisition_id>", methods=["PATCH"])
@bp.arguments(RequisitionUpdate)
@bp.response(200, RequisitionSchema)
@bp.doc(parameters=[{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
                     "description": "The ETag of the version read."}])
@bp.alt_response(403, **refusal("Not the hiring manager (describe, approve) or the recruiter (close)."))
@bp.alt_response(404, **refusal("No such requisition, or not one the token's person sees."))
@bp.alt_response(409, **refusal("The requisition's state refused it."))
@bp.alt_response(412, **refusal("Changed since it was read."))
@bp.alt_response(428, **refusal("If-Match is missing."))
def update_requisition(body, requisition_id: int):
    """Describe, approve or close a requisition, with the ETag of the version read."""
    user = acting_user()
    requisition = permissions.get_requisition_or_404(requisition_id)
    describes = "job_description" in body or "principle_ids" in body
    if describes or body.get("status") == "approved":
        permissions.require(permissions.can_edit_requisition(requisition, user))
    if body.get("status") == "closed":
        permissions.require(permissions.can_close_requisition(requisition, user))
    require_match(etag_of(dump(requisition)))
    if describes:
        ids = body.get("principle_ids")
        if ids is None:
            chosen = list(requisition.principles)
        else:
            chosen = list(db.session.scalars(select(Principle).where(Principle.id.in_(ids))
                                             .order_by(Principle.position)))
            if len(chosen) != len(set(ids)):
                abort(422, errors={"principle_ids": ["No such principle."]})
        run(lambda: services.write_job_description(
            requisition, user, job_description=body.get("job_description", requisition.job_description),
            principles=chosen))
    if body.get("status") == "approved":
        run(lambda: services.approve_requisition(requisition, user))
    elif body.get("status") == "closed":
        run(lambda: services.close_requisition(requisition, user, open_loops=body.get("open_loops", ""),
                                               reason=body.get("reason", "")))
    commit_write()
    return respond(dump(requisition))

