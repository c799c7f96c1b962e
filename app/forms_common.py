"""Form pieces several areas share: running a service for a form, people pickers, times in the viewer's zone."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import flash
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import IntegerField, SelectField, SelectMultipleField, ValidationError, widgets
from wtforms.fields.choices import SelectChoice

from app.errors import Conflict, ServiceError
from app.extensions import db
from app.formatting import viewer_zone
from app.integers import ID_MAX, coerce_int, parse_int
from app.people.models import OrgUnit, User
from app.principles.models import Principle

RACE_MESSAGE = "Someone else changed this at the same moment; theirs stands and nothing you sent was saved."


@dataclass(frozen=True)
class Attempt:
    """What came of one service call for a form: its result, or the refusal and the status to answer."""

    ok: bool
    value: Any = None
    error: ServiceError | None = None
    typed: bool = True  # whether the refused request carried a form the user filled in

    @property
    def status(self) -> int:
        """422 when what was typed is at fault; 409 when a race or the thing's state refused it."""
        if self.ok:
            return 200
        return self.error.status if self.typed else 409

    def __iter__(self):
        """Unpack as `ok, value = attempt(...)`."""
        return iter((self.ok, self.value))


def attach_to_form(form, error: ServiceError) -> None:
    """Show a refusal beside the field it names ("reason", "ratings-0-evidence"), above the form, or,
    with no form, as messages on the page (with the conditions still unmet, if it lists them)."""
    if form is None:
        flash(error.message, "error")
        for condition in getattr(error, "unmet", []):
            flash(condition, "error")
        return
    for name, message in getattr(error, "problems", None) or [(error.field, error.message)]:
        field = _field(form, name) if name else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def _field(form, name: str):
    """Find a field by its HTML name, inside field lists too."""
    head, _, rest = name.partition("-")
    field = getattr(form, head, None)
    if field is None or not rest:
        return field
    index, _, sub = rest.partition("-")
    entries = getattr(field, "entries", [])
    if not index.isdecimal() or int(index) >= len(entries):
        return None
    return _field(entries[int(index)].form, sub) if sub else entries[int(index)]


def is_unique_violation(error: IntegrityError) -> bool:
    """Return whether the database refused a duplicate: someone else wrote the same thing first."""
    state = getattr(error.orig, "sqlstate", None)  # PostgreSQL
    return state == "23505" or (state is None and "UNIQUE constraint failed" in str(error.orig))


def say_above(outcome: Attempt, *forms) -> None:
    """Move a refusal from the forms it was attached to into a message above the page."""
    error = outcome.error
    if not any(error.message in form.form_errors for form in forms if form is not None):
        return  # attached to a field, or already said above the page
    for form in forms:
        if form is not None and error.message in form.form_errors:
            form.form_errors.remove(error.message)
    attach_to_form(None, error)


def attempt(form, action, *, race_message: str = RACE_MESSAGE) -> Attempt:
    """Run one service call for a form and flush it.

    A refusal rolls back, is shown on the form (see `attach_to_form`) and comes
    back with the status to answer; a write that lost a race to someone else's
    (a stale version, a duplicate) is a `Conflict` (409) saying `race_message`.
    """
    try:
        value = action()
        db.session.flush()
    except StaleDataError:
        error = Conflict(race_message)
    except IntegrityError as integrity:
        if not is_unique_violation(integrity):
            raise  # a CHECK or a foreign key refused what the services let through: a bug, not a race
        error = Conflict(race_message)
    except ServiceError as refusal:
        error = refusal
    else:
        return Attempt(True, value)
    db.session.rollback()
    attach_to_form(form, error)
    return Attempt(False, error=error, typed=form is not None)


def options(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into the choices WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


def people_rows(query=None) -> list:
    """Return (id, name, unit, is_recruiter, certification) of the people `query` selects, by name.

    Plain rows, not User objects: a picker lists every active person, and
    building a few hundred ORM objects per page is what made such pages slow.
    """
    query = query if query is not None else select(User).where(User.active)
    return db.session.execute(
        query.with_only_columns(User.id, User.name, OrgUnit.name.label("unit"), User.is_recruiter,
                                User.certification)
        .join_from(User, OrgUnit, OrgUnit.id == User.org_unit_id, isouter=True)
        .order_by(User.name)
    ).all()


def people_options(rows, blank: str | None = None) -> list[SelectChoice]:
    """Turn people rows into choices labelled "Name (Org unit)"."""
    choices = [(p.id, f"{p.name} ({p.unit})" if p.unit else p.name) for p in rows]
    return options(([(0, blank)] if blank else []) + choices)


def people_choices(query=None, blank: str | None = None) -> list[SelectChoice]:
    return people_options(people_rows(query), blank)


class OnePassSelect(widgets.Select):
    """WTForms' select widget, writing its options in one pass: the same HTML, a fraction of the calls.

    A people picker has an option per active user; WTForms builds each one
    through `html_params`, which dominated the loop page's time.
    """

    def __call__(self, field, **kwargs):
        choices = field._choices_from_input(field.choices) or []
        if self.multiple or field.has_groups() or any(c.render_kw for c in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        html = [f"<select {widgets.html_params(name=field.name, **kwargs)}>"]
        coerce, data = field.coerce, field.data
        for choice in choices:
            value = choice.value
            if type(value) is not int:  # ints need no escaping; anything else is escaped as WTForms does
                value = escape(str(value) if isinstance(value, bool) else value).replace('"', "&quot;")
            selected = "selected " if coerce(choice.value) == data else ""
            html.append(f'<option {selected}value="{value}">{escape(choice.label or choice.value)}</option>')
        html.append("</select>")
        # Values and labels went through escape() above; the rest is our own markup.
        return Markup("".join(html))  # nosec


class PersonField(SelectField):
    """A select of people by id; 0 means nobody (where `blank` allows it)."""

    widget = OnePassSelect()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=coerce_int, **kwargs)


class WholeNumberField(IntegerField):
    """WTForms' IntegerField, reading ASCII digits only (not "²" or "١٢") within the database's integer range."""

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = parse_int(valuelist[0].strip(), minimum=-ID_MAX)
            if self.data is None:
                raise ValueError(self.gettext("Not a valid integer value."))


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def principle_choices(principles: list[Principle]) -> list[SelectChoice]:
    return options((p.id, p.name) for p in principles)


def to_utc(local: datetime) -> datetime:
    """Read a naive form time as the viewer's local time."""
    return local.replace(tzinfo=viewer_zone()).astimezone(UTC)


class DateRange:
    """For a filter form with `date_from` and `date_to` fields: plausible years, an end not before the start,
    and the range as UTC bounds of whole days in the viewer's zone."""

    MIN_YEAR, MAX_YEAR = 2000, 2999

    def _plausible(self, field) -> None:
        if field.data and not self.MIN_YEAR <= field.data.year <= self.MAX_YEAR:
            raise ValidationError(f"Choose a date between {self.MIN_YEAR} and {self.MAX_YEAR}.")

    def validate_date_from(self, field):
        self._plausible(field)

    def validate_date_to(self, field):
        self._plausible(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("Choose an end date on or after the start date.")

    def utc_bounds(self) -> tuple[datetime | None, datetime | None]:
        """Return (since, before): the start of the first day, and the start of the day after the last."""
        zone = viewer_zone()

        def start_of(day):
            return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC) if day else None

        last = self.date_to.data
        return start_of(self.date_from.data), start_of(last + timedelta(days=1)) if last else None
