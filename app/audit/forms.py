"""The audit page's filter: a GET form, so a filtered view can be bookmarked and exported as it stands."""


from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

from app.audit.queries import AuditFilter
from app.extensions import db
from app.forms_common import DateRange, OnePassSelect, WholeNumberField, options
from app.integers import ID_MAX, coerce_int
from app.people.models import User


def actor_choice(value) -> int:
    """A person's id, or -1 for entries the system made."""
    return -1 if value in (-1, "-1") else coerce_int(value)


class AuditFilterForm(DateRange, FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    actor = SelectField("Who", coerce=actor_choice, default=0, widget=OnePassSelect())
    action = StringField("What", description="An action or its start, such as loop. or debrief.vetoed.",
                         validators=[Optional()])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    loop = WholeNumberField("Loop", validators=[Optional(), NumberRange(min=1, max=ID_MAX,
                                                                    message="Enter a loop's number.")])

    def validate_action(self, field):
        if field.data and (len(field.data) > 64 or not all(c.isalnum() or c in "._" for c in field.data)):
            raise ValidationError("Enter an action such as loop.closed, or its start such as loop.")

    def fill_choices(self) -> None:
        people = db.session.execute(select(User.id, User.name, User.email).order_by(User.name))
        self.actor.choices = options([(0, "Anyone"), (-1, "The system")]
                                     + [(u.id, f"{u.name} ({u.email})") for u in people])

    def filters(self) -> AuditFilter:
        """Read the validated form; dates are whole days in the viewer's zone, both ends included."""
        since, before = self.utc_bounds()
        return AuditFilter(
            actor_id=self.actor.data or None,
            action=(self.action.data or "").strip() or None,
            since=since,
            before=before,
            loop_id=self.loop.data or None,
        )
