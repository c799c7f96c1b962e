"""A loop's interviews: list, read, and schedule through the service the loop page uses.

Who has submitted feedback, and when, shows only to those the pages show it
to (the loop's recruiter, hiring manager and bar raiser; an interviewer for
their own interview); what the feedback says never shows here.
"""

import marshmallow as ma
from flask import url_for
from flask_smorest import abort
from sqlalchemy import select

from app import permissions
from app.api.auth import acting_user, commit_write
from app.api.common import Id, Strict, get_or_field_error, refusal, resource_blueprint, run
from app.api.etags import respond, respond_page
from app.api.pagination import page_schema
from app.extensions import db
from app.interviews import services
from app.interviews.models import Interview, InterviewKind
from app.people.models import User
from app.principles.models import Principle

bp = resource_blueprint("api_interviews", "/api/v1/loops/<int:loop_id>/interviews",
                        "A loop's interviews: the phone screen and the in-house ones.")


class InterviewSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    loop_id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": [k.value for k in InterviewKind]})
    interviewer = ma.fields.Dict(required=True, metadata={"description": "{id, name}"})
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    duration_minutes = ma.fields.Integer(required=True)
    location = ma.fields.String()
    principles = ma.fields.List(ma.fields.Dict(), metadata={"description": "[{id, name}] to probe"})
    feedback_submitted_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "When its feedback was submitted (null: not yet). Present only for the loop's recruiter, "
                       "hiring manager and bar raiser, and the interview's own interviewer."})


class InterviewCreate(Strict):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf([k.value for k in InterviewKind]))
    interviewer_id = ma.fields.Integer(required=True, strict=True, validate=Id)
    starts_at = ma.fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with its offset."})
    duration_minutes = ma.fields.Integer(load_default=60, strict=True, validate=ma.validate.Range(1, 10000))
    location = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    principle_ids = ma.fields.List(ma.fields.Integer(strict=True, validate=Id), load_default=list,
                                   validate=ma.validate.Length(max=16))


def dump(interview: Interview, loop, user) -> dict:
    data = {
        "id": interview.id, "loop_id": interview.loop_id, "kind": InterviewKind(interview.kind).value,
        "interviewer": {"id": interview.interviewer.id, "name": interview.interviewer.name},
        "starts_at": interview.starts_at.isoformat(), "ends_at": interview.ends_at.isoformat(),
        "duration_minutes": interview.duration_minutes, "location": interview.location,
        "principles": [{"id": p.id, "name": p.name} for p in interview.principles],
    }
    if permissions.can_see_submissions(loop, user) or interview.interviewer_id == user.id:
        submitted = interview.submitted_feedback
        data["feedback_submitted_at"] = submitted and submitted.submitted_at.isoformat()
    return data


@bp.route("", methods=["GET"])
@bp.response(200, page_schema(InterviewSchema, "InterviewList"))
@bp.alt_response(404, **refusal("No such loop, or not one the token's person takes part in."))
def list_interviews(loop_id: int):
    """List a loop's interviews in time order (a loop has a handful: one page, `next` is null)."""
    loop = permissions.get_loop_or_404(loop_id)
    user = acting_user()
    return respond_page([dump(i, loop, user) for i in loop.interviews], None)


@bp.route("/<int:interview_id>", methods=["GET"])
@bp.response(200, InterviewSchema, headers={"ETag": {"schema": {"type": "string"}}})
@bp.alt_response(404, **refusal("No such interview on a loop the token's person takes part in."))
def get_interview(loop_id: int, interview_id: int):
    """Read one interview of a loop."""
    loop = permissions.get_loop_or_404(loop_id)
    return respond(dump(permissions.get_interview_or_404(loop, interview_id), loop, acting_user()))


@bp.route("", methods=["POST"])
@bp.arguments(InterviewCreate)
@bp.response(201, InterviewSchema)
@bp.alt_response(403, **refusal("Only the loop's recruiter schedules, while the loop is open."))
@bp.alt_response(404, **refusal("No such loop, or not one the token's person takes part in."))
def schedule_interview(body, loop_id: int):
    """Schedule an interview on a loop (its recruiter), as the loop page does."""
    loop = permissions.get_loop_or_404(loop_id)
    permissions.require(permissions.can_manage_loop(loop))
    user = acting_user()
    interviewer = get_or_field_error(User, body["interviewer_id"], "interviewer_id", "person")
    ids = body["principle_ids"]
    chosen = list(db.session.scalars(select(Principle).where(Principle.id.in_(ids)).order_by(Principle.position)))
    if len(chosen) != len(set(ids)):
        abort(422, errors={"principle_ids": ["No such principle."]})
    interview = run(lambda: services.schedule_interview(
        loop, user, kind=body["kind"], interviewer=interviewer, starts_at=body["starts_at"],
        duration_minutes=body["duration_minutes"], location=body["location"], principles=chosen))
    commit_write()
    return respond(dump(interview, loop, user), 201,
                   location=url_for("api_interviews.get_interview", loop_id=loop.id, interview_id=interview.id))

