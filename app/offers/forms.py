"""Offer forms."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.forms_common import options


class ExtendOfferForm(FlaskForm):
    terms = TextAreaField("Terms", validators=[Optional(), Length(max=5000)],
                          description="Level, base, equity, start date: what was offered.")
    submit = SubmitField("Extend offer")


class ResolveOfferForm(FlaskForm):
    status = RadioField("The candidate", choices=options([
        ("accepted", "Accepted (hired)"), ("declined", "Declined"), ("rescinded", "We rescinded it")]),
        validators=[InputRequired("Choose what happened to the offer.")])
    reason = TextAreaField("Note", validators=[Optional(), Length(max=5000)],
                           description="Required when rescinding.")
    submit = SubmitField("Record")
