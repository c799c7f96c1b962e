"""Loop forms: people, decisions, closing, interviews."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms_common import CheckboxListField, PersonField, options
from app.interviews.models import InterviewKind


class LoopPeopleForm(FlaskForm):
    recruiter_id = PersonField("Recruiter")
    hiring_manager_id = PersonField("Hiring manager")
    bar_raiser_id = PersonField("Bar raiser", description="Certified, not the hiring manager or recruiter, and "
                                                          "from another org unit than the hiring manager.")
    shadow_id = PersonField("Shadow (optional)", description="A bar raiser in training who observes the loop.")
    submit = SubmitField("Save people")


class NewLoopForm(LoopPeopleForm):
    requisition_id = SelectField("Requisition", coerce=int)
    candidate_id = SelectField("Candidate", coerce=int)
    submit = SubmitField("Create loop")


class ScreenDecisionForm(FlaskForm):
    outcome = RadioField("Decision", choices=options([("advance", "Advance"), ("reject", "Reject")]),
                         validators=[InputRequired("Choose advance or reject.")])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=5000)],
                           description="Required when rejecting; the candidate's loop closes.")
    submit = SubmitField("Record decision")


class CloseLoopForm(FlaskForm):
    status = RadioField("Close as",
                        choices=options([("rejected", "Rejected"), ("withdrawn", "Withdrawn by the candidate")]),
                        validators=[InputRequired("Choose how the loop ends.")])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Close loop")


class InterviewForm(FlaskForm):
    kind = SelectField("Kind", choices=options((k.value, k.label) for k in InterviewKind))
    interviewer_id = PersonField("Interviewer")
    starts_at = DateTimeLocalField("Starts", format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired("Enter the start date and time.")],
                                   invalid_value_message="Enter a date and time, like 2026-12-01 14:30.",
                                   description="In your time zone.")
    duration_minutes = IntegerField("Minutes", default=60,
                                    validators=[InputRequired("Enter the length in minutes."),
                                                NumberRange(15, 480, "Between 15 and 480 minutes.")])
    location = StringField("Room or video link", validators=[Optional(), Length(max=500)])
    principle_ids = CheckboxListField("Principles to probe", coerce=int)
    submit = SubmitField("Schedule interview")


class ActionForm(FlaskForm):
    """A bare form for buttons: only the CSRF token."""

    submit = SubmitField("Go")
