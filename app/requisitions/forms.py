"""Requisition forms."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms_common import CheckboxListField, PersonField, options
from app.integers import coerce_int


class RequisitionForm(FlaskForm):
    title = StringField("Job title", validators=[DataRequired("Enter the job title."), Length(max=200)])
    level = StringField("Level", validators=[DataRequired("Enter the level, e.g. L6."), Length(max=40)])
    org_unit_id = SelectField("Org unit", coerce=coerce_int)
    location = StringField("Location", validators=[Optional(), Length(max=120)])
    hiring_manager_id = PersonField("Hiring manager")
    recruiter_id = PersonField("Recruiter")
    submit = SubmitField("Open requisition")


class JobDescriptionForm(FlaskForm):
    job_description = TextAreaField(
        "Job description", validators=[Length(max=20000)],
        description="What the person will own, the bar for the level, and what success looks like in a year.",
    )
    principle_ids = CheckboxListField("Target leadership principles", coerce=coerce_int,
                                      description="Pick the principles this role needs most; three to six is typical.")
    submit = SubmitField("Save draft")


class CloseRequisitionForm(FlaskForm):
    open_loops = RadioField(
        "Open loops", choices=options([("keep", "Let them finish"), ("reject", "Reject them")]), default="keep",
    )
    reason = StringField("Reason", validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Close requisition")
