"""Requisitions and candidates: who sees them, who changes them, who reads a résumé."""

from flask import abort
from sqlalchemy import exists, select

from app.candidates.models import Candidate
from app.extensions import db
from app.loops.models import Loop
from app.people.models import User
from app.permissions.loops import participant_filter
from app.permissions.roles import _user, is_admin, is_recruiter
from app.requisitions.models import Requisition


def can_see_requisition(requisition: Requisition, user: User | None = None) -> bool:
    user = _user(user)
    return is_recruiter(user) or is_admin(user) or user.id == requisition.hiring_manager_id


def get_requisition_or_404(requisition_id: int) -> Requisition:
    requisition = db.session.get(Requisition, requisition_id)
    if requisition is None or not can_see_requisition(requisition):
        abort(404)
    return requisition


def can_see_candidate(candidate: Candidate, user: User | None = None) -> bool:
    """Recruiters see every candidate; others only those of loops they take part in."""
    user = _user(user)
    if is_recruiter(user):
        return True
    return bool(db.session.scalar(select(
        exists().where(Loop.candidate_id == candidate.id, participant_filter(user))
    )))


def can_read_resume(candidate: Candidate, user: User | None = None) -> bool:
    """A résumé is served to whoever added the candidate and to the participants of their loops."""
    user = _user(user)
    if candidate.created_by_id == user.id:
        return True
    return bool(db.session.scalar(select(
        exists().where(Loop.candidate_id == candidate.id, participant_filter(user))
    )))


def can_edit_candidate(candidate: Candidate, user: User | None = None) -> bool:
    """Recruiters edit a candidate, until retention erases them."""
    return is_recruiter(user) and not candidate.is_erased


def can_export_candidate_data(candidate: Candidate, user: User | None = None) -> bool:
    """An admin, or a recruiter of the candidate's loops (or who added them), makes their data export."""
    user = _user(user)
    if is_admin(user):
        return True
    if not is_recruiter(user):
        return False
    return candidate.created_by_id == user.id or bool(db.session.scalar(select(
        exists().where(Loop.candidate_id == candidate.id, Loop.recruiter_id == user.id))))


def get_candidate_or_404(candidate_id: int) -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or not can_see_candidate(candidate):
        abort(404)
    return candidate


def can_edit_requisition(requisition: Requisition, user: User | None = None) -> bool:
    """The hiring manager writes the job description and approves it."""
    return _user(user).id == requisition.hiring_manager_id


def can_close_requisition(requisition: Requisition, user: User | None = None) -> bool:
    """The requisition's recruiter or hiring manager closes it (the service refuses a second close)."""
    return _user(user).id in (requisition.recruiter_id, requisition.hiring_manager_id)
