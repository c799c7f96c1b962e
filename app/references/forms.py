"""Reference form."""

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.forms_common import options
from app.references.models import ReferenceOutcome


class ReferenceForm(FlaskForm):
    name = StringField("Referee", validators=[Optional(), Length(max=200)])
    relation = StringField("Relationship", validators=[Optional(), Length(max=200)],
                           description="For example: former manager at Stripe, 2019–2022.")
    contacted_on = DateField("Contacted on", validators=[InputRequired("Enter the date you spoke.")],
                             invalid_value_message="Enter a date like 2026-11-20.")
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=20000)])
    outcome = RadioField("Outcome", choices=options((o.value, o.label) for o in ReferenceOutcome),
                         validators=[InputRequired("Choose supports or concerns.")])
    submit = SubmitField("Record reference")
