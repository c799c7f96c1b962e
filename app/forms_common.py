"""Form pieces several areas share: people pickers and times in the viewer's zone."""

from datetime import UTC, datetime

from sqlalchemy import select
from wtforms import SelectField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice

from app.extensions import db
from app.formatting import viewer_zone
from app.people.models import User
from app.principles.models import Principle


def options(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into the choices WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


def people_choices(query=None, blank: str | None = None) -> list[SelectChoice]:
    query = query if query is not None else select(User).where(User.active)
    people = db.session.scalars(query.order_by(User.name)).all()
    choices = [(u.id, f"{u.name} ({u.org_unit.name})" if u.org_unit else u.name) for u in people]
    return options(([(0, blank)] if blank else []) + choices)


class PersonField(SelectField):
    """A select of people by id; 0 means nobody (where `blank` allows it)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=int, **kwargs)


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def principle_choices(principles: list[Principle]) -> list[SelectChoice]:
    return options((p.id, p.name) for p in principles)


def to_utc(local: datetime) -> datetime:
    """Read a naive form time as the viewer's local time."""
    return local.replace(tzinfo=viewer_zone()).astimezone(UTC)
