"""Program forms: moving a person along the path, nominating, signing off."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.forms_common import PersonField


class MoveForm(FlaskForm):
    to = HiddenField(validators=[InputRequired()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Move")


class NominateForm(FlaskForm):
    person_id = PersonField("Person")
    note = TextAreaField("Why this person would make a good bar raiser", validators=[Optional(), Length(max=2000)],
                         description="What you have seen them do: how they judge evidence, and how they disagree.")
    submit = SubmitField("Nominate")


class SignOffForm(FlaskForm):
    note = TextAreaField("Your sign-off note", validators=[Optional(), Length(max=2000)],
                         description="What you saw in their reverse-shadow loops that makes them ready.")
    submit = SubmitField("Sign off")
