"""Candidate forms."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.validators import EmailAddress


class CandidateForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the candidate's name."), Length(max=200)])
    email = StringField("E-mail", validators=[Optional(), EmailAddress(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    source = StringField("Source", validators=[Optional(), Length(max=120)],
                         description="Referral, job board, sourced on LinkedIn…")
    resume_pdf = FileField("Résumé (PDF)", description="A PDF file; it is shown only to the people on this "
                                                        "candidate's loops.")
    resume_url = StringField("…or a link to the résumé", validators=[Optional(), Length(max=2000)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=10000)])
    submit = SubmitField("Save candidate")
