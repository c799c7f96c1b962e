"""The bar-raiser program: who sees it, who nominates, who signs off.

Who may move a person along the path is the path's own rule (each move names
whether certified bar raisers may make it, app/program/certification.py).
"""

from app.people.models import Certification, User
from app.permissions.roles import _user, is_active_user, is_admin


def is_certified_bar_raiser(user: User | None = None) -> bool:
    user = _user(user)
    return is_active_user(user) and user.is_certified_bar_raiser


def can_view_program(user: User | None = None) -> bool:
    """Admins and certified bar raisers see the whole bar-raiser program."""
    return is_admin(user) or is_certified_bar_raiser(user)


def is_on_path(user: User | None = None) -> bool:
    """Whether the user is somewhere on the certification path (nominated onwards): they see their own progress."""
    user = _user(user)
    return is_active_user(user) and user.certification != Certification.NONE


def can_open_program(user: User | None = None) -> bool:
    """The program's page is for its overseers, and shows a person on the path their own progress."""
    return can_view_program(user) or is_on_path(user)


def can_see_progress(person: User, user: User | None = None) -> bool:
    """A person sees their own progress on the path; the program's overseers see everyone's."""
    user = _user(user)
    return can_view_program(user) or (is_active_user(user) and user.id == person.id)


def can_nominate(user: User | None = None) -> bool:
    """A certified bar raiser or an admin nominates someone for the path."""
    return can_view_program(user)


def can_sign_off(person: User, user: User | None = None) -> bool:
    """Another certified bar raiser signs off a trainee in reverse shadow."""
    user = _user(user)
    return (is_certified_bar_raiser(user) and user.id != person.id
            and person.certification == Certification.REVERSE_SHADOW)
