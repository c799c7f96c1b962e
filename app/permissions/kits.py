"""Interview kits and the question bank: who curates the bank, who reads an interview's kit, who swaps its questions."""

from flask import abort

from app.interviews.models import Interview
from app.loops.models import Loop, LoopRole
from app.people.models import Certification, User
from app.permissions.loops import holds
from app.permissions.roles import _user, is_active_user

# PRODUCT.md, "Interview kits": an interview's kit is for its interviewer and these roles of its loop.
KIT_READERS = {LoopRole.BAR_RAISER, LoopRole.RECRUITER, LoopRole.HIRING_MANAGER}
# Who swaps a kit's question for another from the bank, while the loop is open.
KIT_EDITORS = {LoopRole.RECRUITER, LoopRole.BAR_RAISER}


def can_curate_questions(user: User | None = None) -> bool:
    """Admins and certified bar raisers curate the question bank (services ask this of the acting user)."""
    user = _user(user)
    return is_active_user(user) and (user.is_admin or user.certification == Certification.CERTIFIED)


def is_kit_open(interview: Interview) -> bool:
    """A kit changes while its loop is open and its interview's feedback is not sealed; then it stays as asked."""
    return interview.loop.is_open and interview.submitted_feedback is None


def require_curator() -> None:
    if not can_curate_questions():
        abort(403)


def can_view_kit(interview: Interview, user: User | None = None) -> bool:
    """An interview's kit is for its interviewer and the loop's bar raiser, recruiter and hiring manager."""
    user = _user(user)
    return interview.interviewer_id == user.id or bool(interview.loop.roles_of(user) & KIT_READERS)


def can_swap_questions(loop: Loop, user: User | None = None) -> bool:
    """The loop's recruiter and bar raiser swap kit questions while the loop is open."""
    return loop.is_open and holds(loop, KIT_EDITORS, user)
