"""Forms of the retention page: a policy, a legal hold."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms_common import WholeNumberField, options
from app.integers import ID_MAX, coerce_int
from app.retention.models import MAX_DAYS

DAYS = [InputRequired("Enter a number of days."), NumberRange(min=0, max=MAX_DAYS,
                                                              message=f"Enter a number of days from 0 to {MAX_DAYS}.")]


class PolicyForm(FlaskForm):
    scope = SelectField("Covers", choices=options([("default", "Every loop (the default policy)"),
                                                   ("org_unit", "One org unit"), ("location", "One location")]),
                        default="default")
    org_unit_id = SelectField("Org unit", coerce=coerce_int, default=0)
    location = StringField("Location", validators=[Optional(), Length(max=120)])
    hired_days = WholeNumberField("Hired", validators=DAYS, description="Days kept after the loop closed as hired.")
    not_hired_days = WholeNumberField("Not hired", validators=DAYS)
    rejected_days = WholeNumberField("Rejected", validators=DAYS)
    withdrawn_days = WholeNumberField("Withdrawn", validators=DAYS)
    submit = SubmitField("Save policy")


class HoldForm(FlaskForm):
    kind = RadioField("Hold", choices=options([("candidate", "A candidate"), ("requisition", "A requisition"),
                                               ("org_unit", "An org unit")]), default="candidate")
    candidate_id = WholeNumberField("Candidate number", validators=[Optional(), NumberRange(min=1, max=ID_MAX)])
    requisition_id = WholeNumberField("Requisition number", validators=[Optional(), NumberRange(min=1, max=ID_MAX)])
    org_unit_id = SelectField("Org unit", coerce=coerce_int, default=0)
    reason = TextAreaField("Reason", validators=[InputRequired("Say why the records are held."), Length(max=2000)],
                           description="The claim, audit or request the hold answers.")
    submit = SubmitField("Place hold")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm")
