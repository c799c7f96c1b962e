"""Loop forms: people, decisions, closing, interviews."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.forms_common import PersonField, options
from app.integers import coerce_int


class LoopPeopleForm(FlaskForm):
    recruiter_id = PersonField("Recruiter")
    hiring_manager_id = PersonField("Hiring manager")
    bar_raiser_id = PersonField("Bar raiser", description="Certified, not the hiring manager or recruiter, and "
                                                          "from another org unit than the hiring manager.")
    shadow_id = PersonField("Shadow (optional)", description="A bar raiser in training who observes the loop.")
    reverse_shadow = BooleanField("The shadow runs this loop as reverse shadow",
                                  description="A trainee in reverse shadow acts as the bar raiser: writes the "
                                              "summary, runs the agenda and records a practice verdict. The bar "
                                              "raiser above supervises and holds the real veto.")
    submit = SubmitField("Save people")


class NewLoopForm(LoopPeopleForm):
    requisition_id = SelectField("Requisition", coerce=coerce_int)
    candidate_id = SelectField("Candidate", coerce=coerce_int)
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


class ActionForm(FlaskForm):
    """A bare form for buttons: only the CSRF token."""

    submit = SubmitField("Go")
