"""Loops: list the token's person's loops, read one, start one against an approved requisition, read its outcome.

The outcome answers what the debrief PDF and page show of the decision (Hire
or No hire, concur or veto, when), under the same rule as the debrief page;
never feedback, ratings, votes or rationales.
"""

import marshmallow as ma
from flask import url_for
from sqlalchemy import select

from app import permissions
from app.api.auth import acting_user, commit_write
from app.api.common import AUTH_RESPONSES, Id, Strict, get_or_field_error, refusal, resource_blueprint, run
from app.api.etags import respond, respond_page
from app.api.pagination import PageArgs, page_schema, paginate
from app.candidates.models import Candidate
from app.debrief.models import Outcome, Verdict
from app.loops import services
from app.loops.models import Loop, LoopStatus, Step
from app.people.models import User
from app.requisitions.models import Requisition

bp = resource_blueprint("api_loops", "/api/v1/loops", "Loops: one candidate for one requisition, step by step.")


class LoopSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    requisition_id = ma.fields.Integer(required=True)
    candidate_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": [s.value for s in LoopStatus]})
    step = ma.fields.Integer(required=True, metadata={"minimum": 2, "maximum": 8})
    step_label = ma.fields.String(required=True)
    recruiter_id = ma.fields.Integer(required=True)
    hiring_manager_id = ma.fields.Integer(required=True)
    bar_raiser_id = ma.fields.Integer(allow_none=True)
    shadow_id = ma.fields.Integer(allow_none=True)
    is_reverse_shadow = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)
    step_entered_at = ma.fields.DateTime(required=True)
    closed_at = ma.fields.DateTime(allow_none=True)


class LoopCreate(Strict):
    requisition_id = ma.fields.Integer(required=True, strict=True, validate=Id)
    candidate_id = ma.fields.Integer(required=True, strict=True, validate=Id)
    recruiter_id = ma.fields.Integer(strict=True, validate=Id,
                                     metadata={"description": "Defaults to the token's person."})
    hiring_manager_id = ma.fields.Integer(strict=True, validate=Id,
                                          metadata={"description": "Defaults to the requisition's."})
    bar_raiser_id = ma.fields.Integer(strict=True, validate=Id, allow_none=True)
    shadow_id = ma.fields.Integer(strict=True, validate=Id, allow_none=True)
    reverse_shadow = ma.fields.Boolean(load_default=False)


class LoopListArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in LoopStatus]))
    step = ma.fields.Integer(validate=ma.validate.Range(Step.RESUME_REVIEW, Step.OFFER))
    requisition_id = ma.fields.Integer(validate=Id)
    candidate_id = ma.fields.Integer(validate=Id)


class OutcomeSchema(ma.Schema):
    loop_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": [s.value for s in LoopStatus]})
    outcome = ma.fields.String(required=True, metadata={
        "enum": ["pending", "hire", "no_hire", "vetoed"],
        "description": "hire once the bar raiser concurs; vetoed when they veto; pending until then."})
    decision = ma.fields.String(allow_none=True, metadata={"enum": [o.value for o in Outcome] + [None]})
    decided_at = ma.fields.DateTime(allow_none=True)
    verdict = ma.fields.String(allow_none=True, metadata={"enum": [v.value for v in Verdict] + [None]})
    verdict_at = ma.fields.DateTime(allow_none=True)


def dump(loop: Loop) -> dict:
    return {
        "id": loop.id, "requisition_id": loop.requisition_id, "candidate_id": loop.candidate_id,
        "status": LoopStatus(loop.status).value, "step": int(loop.step), "step_label": Step(loop.step).label,
        "recruiter_id": loop.recruiter_id, "hiring_manager_id": loop.hiring_manager_id,
        "bar_raiser_id": loop.bar_raiser_id, "shadow_id": loop.shadow_id, "is_reverse_shadow": loop.is_reverse_shadow,
        "created_at": loop.created_at.isoformat(), "step_entered_at": loop.step_entered_at.isoformat(),
        "closed_at": loop.closed_at and loop.closed_at.isoformat(),
    }


def dump_outcome(loop: Loop) -> dict:
    decision = loop.decision
    if decision is None:
        outcome = "pending"
    elif decision.outcome == Outcome.NO_HIRE:
        outcome = "no_hire"
    elif decision.verdict == Verdict.VETO:
        outcome = "vetoed"
    elif decision.verdict == Verdict.CONCUR:
        outcome = "hire"
    else:
        outcome = "pending"
    return {
        "loop_id": loop.id, "status": LoopStatus(loop.status).value, "outcome": outcome,
        "decision": decision and Outcome(decision.outcome).value,
        "decided_at": decision and decision.decided_at.isoformat(),
        "verdict": decision and decision.verdict and Verdict(decision.verdict).value,
        "verdict_at": decision and decision.verdict_at and decision.verdict_at.isoformat(),
    }


@bp.route("", methods=["GET"])
@bp.arguments(LoopListArgs, location="query", as_kwargs=True, unknown=ma.RAISE)
@bp.response(200, page_schema(LoopSchema, "LoopPage"))
@bp.alt_response(401, **refusal(AUTH_RESPONSES[401]))
def list_loops(**args):
    """List the loops the token's person takes part in."""
    query = select(Loop).where(permissions.participant_filter(acting_user()))
    for name, column in (("status", Loop.status), ("step", Loop.step), ("requisition_id", Loop.requisition_id),
                         ("candidate_id", Loop.candidate_id)):
        if name in args:
            query = query.where(column == args[name])
    return respond_page(*paginate(query, Loop.id, args, dump))


@bp.route("/<int:loop_id>", methods=["GET"])
@bp.response(200, LoopSchema, headers={"ETag": {"schema": {"type": "string"}}})
@bp.alt_response(404, **refusal("No such loop, or not one the token's person takes part in."))
def get_loop(loop_id: int):
    """Read one loop: its status and step."""
    return respond(dump(permissions.get_loop_or_404(loop_id)))


@bp.route("/<int:loop_id>/outcome", methods=["GET"])
@bp.response(200, OutcomeSchema, headers={"ETag": {"schema": {"type": "string"}}})
@bp.alt_response(403, **refusal("The blind rule: the token's person may not read the debrief yet."))
@bp.alt_response(404, **refusal("No such loop, or not one the token's person takes part in."))
def get_outcome(loop_id: int):
    """Read the debrief's outcome: the decision and the verdict with their times, never feedback or votes.

    Before the debrief it is pending for every participant; from the debrief on, only those the debrief
    page admits (the blind rule: an interviewer once their own feedback is in) read it.
    """
    loop = permissions.get_loop_or_404(loop_id)
    if loop.step >= Step.DEBRIEF:
        permissions.require(permissions.can_open_debrief(loop))
    return respond(dump_outcome(loop))


@bp.route("", methods=["POST"])
@bp.arguments(LoopCreate)
@bp.response(201, LoopSchema)
@bp.alt_response(403, **refusal("Only recruiters start loops."))
@bp.alt_response(409, **refusal("The candidate already has an open loop for this requisition."))
def create_loop(body):
    """Start a loop against an approved requisition (recruiters); it starts at the résumé review."""
    user = acting_user()
    permissions.require_recruiter()
    requisition = get_or_field_error(Requisition, body["requisition_id"], "requisition_id", "requisition")
    candidate = get_or_field_error(Candidate, body["candidate_id"], "candidate_id", "candidate")
    recruiter = get_or_field_error(User, body.get("recruiter_id", user.id), "recruiter_id", "recruiter",
                                   where=lambda p: p.active and p.is_recruiter)
    hiring_manager, bar_raiser, shadow = (  # the pages offer active people only
        get_or_field_error(User, body.get(field), field, "person", where=lambda person: person.active)
        for field in ("hiring_manager_id", "bar_raiser_id", "shadow_id"))
    loop = run(lambda: services.create_loop(
        requisition, candidate, user, recruiter=recruiter, hiring_manager=hiring_manager, bar_raiser=bar_raiser,
        shadow=shadow, reverse_shadow=body["reverse_shadow"]))
    commit_write()
    return respond(dump(loop), 201, location=url_for("api_loops.get_loop", loop_id=loop.id))
