"""Changes to the principle catalogue; each one is audited."""

from sqlalchemy import exists, func, select

from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.feedback.models import FeedbackRating
from app.interviews.models import interview_principles
from app.people.models import User
from app.principles.models import Principle
from app.requisitions.models import requisition_principles


class PrincipleError(ServiceError):
    """A change to the catalogue was refused."""


def ordered_principles(active_only: bool = False) -> list[Principle]:
    query = select(Principle).order_by(Principle.position, Principle.id)
    if active_only:
        query = query.where(Principle.is_active)
    return list(db.session.scalars(query))


def create_principle(name: str, description: str, actor: User) -> Principle:
    name, description = _checked(name, description)
    last = db.session.scalar(select(func.max(Principle.position))) or 0
    principle = Principle(name=name, description=description, position=last + 1)
    db.session.add(principle)
    db.session.flush()
    record("principle.created", principle, actor, name=name)
    return principle


def update_principle(principle: Principle, name: str, description: str, actor: User) -> None:
    name, description = _checked(name, description, exclude=principle)
    changes = {}
    if name != principle.name:
        changes["name"] = [principle.name, name]
    if description != principle.description:
        changes["description"] = [principle.description, description]
    principle.name, principle.description = name, description
    if changes:
        record("principle.updated", principle, actor, changes=changes)


def set_principle_active(principle: Principle, active: bool, actor: User) -> None:
    if principle.is_active != active:
        principle.is_active = active
        record("principle.activated" if active else "principle.deactivated", principle, actor)


def move_principle(principle: Principle, offset: int, actor: User) -> None:
    """Move a principle up (-1) or down (+1) in the catalogue's order."""
    principles = ordered_principles()
    index = principles.index(principle)
    target = index + offset
    if not 0 <= target < len(principles):
        return
    principles[index], principles[target] = principles[target], principles[index]
    for position, item in enumerate(principles, start=1):
        item.position = position
    record("principle.moved", principle, actor, from_state=index + 1, to_state=target + 1)


def is_principle_in_use(principle: Principle) -> bool:
    """Return whether any requisition, interview or feedback refers to the principle."""
    return bool(db.session.scalar(select(
        exists().where(requisition_principles.c.principle_id == principle.id)
        | exists().where(interview_principles.c.principle_id == principle.id)
        | exists().where(FeedbackRating.principle_id == principle.id)
    )))


def delete_principle(principle: Principle, actor: User) -> None:
    """Delete a principle nothing refers to; one in use can only be deactivated."""
    if is_principle_in_use(principle):
        raise PrincipleError(
            f"“{principle.name}” is used by requisitions or interviews; deactivate it instead."
        )
    record("principle.deleted", principle, actor, name=principle.name)
    db.session.delete(principle)


def _checked(name: str, description: str, exclude: Principle | None = None) -> tuple[str, str]:
    name, description = " ".join(name.split()), description.strip()
    if not name:
        raise PrincipleError("Enter the principle's name.", field="name")
    if not description:
        raise PrincipleError("Enter a one-line description.", field="description")
    query = select(func.count()).select_from(Principle).where(func.lower(Principle.name) == name.lower())
    if exclude is not None:
        query = query.where(Principle.id != exclude.id)
    if db.session.scalar(query):
        raise PrincipleError("A principle with this name already exists.", field="name")
    return name, description
