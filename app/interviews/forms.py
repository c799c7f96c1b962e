"""The form that schedules an interview."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.forms_common import (
    CheckboxListField,
    PersonField,
    WholeNumberField,
    options,
    people_options,
    people_rows,
    principle_choices,
)
from app.integers import coerce_int
from app.interviews.models import Interview, InterviewKind
from app.interviews.services import why_cannot_interview
from app.loops.models import Loop, Step


class InterviewForm(FlaskForm):
    kind = SelectField("Kind", choices=options((k.value, k.label) for k in InterviewKind))
    interviewer_id = PersonField("Interviewer")
    starts_at = DateTimeLocalField("Starts", format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired("Enter the start date and time.")],
                                   invalid_value_message="Enter a date and time, like 2026-12-01 14:30.",
                                   description="In your time zone.")
    duration_minutes = WholeNumberField("Minutes", default=60,
                                        validators=[InputRequired("Enter the length in minutes."),
                                                    NumberRange(15, 480, "Between 15 and 480 minutes.")])
    location = StringField("Room or video link", validators=[Optional(), Length(max=500)])
    principle_ids = CheckboxListField("Principles to probe", coerce=coerce_int)
    submit = SubmitField("Schedule interview")


class RescheduleForm(FlaskForm):
    starts_at = DateTimeLocalField("Starts", format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired("Enter the start date and time.")],
                                   invalid_value_message="Enter a date and time, like 2026-12-01 14:30.")
    duration_minutes = WholeNumberField("Minutes", validators=[InputRequired("Enter the length in minutes."),
                                                               NumberRange(15, 480, "Between 15 and 480 minutes.")])
    location = StringField("Room or video link", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Save and send the update")

    def validate_starts_at(self, field):
        if field.data and not 2000 <= field.data.year <= 2999:
            raise ValidationError("Choose a date between 2000 and 2999.")


def reschedule_form(interview: Interview, zone, formdata=None) -> RescheduleForm:
    """The reschedule form, filled with the interview as it stands (its time in the viewer's zone)."""
    form = RescheduleForm(formdata=formdata)
    if formdata is None:
        form.starts_at.data = interview.starts_at.astimezone(zone).replace(tzinfo=None)
        form.duration_minutes.data = interview.duration_minutes
        form.location.data = interview.location
    return form


def interview_form(loop: Loop, formdata=None) -> InterviewForm:
    """Build the scheduling form for the loop: its people and the requisition's principles."""
    form = InterviewForm(formdata=formdata)
    form.principle_ids.choices = principle_choices(loop.requisition.principles)
    kind = InterviewKind.PHONE_SCREEN if loop.step <= Step.PHONE_SCREEN else InterviewKind.IN_HOUSE
    form.interviewer_id.choices = interviewer_choices(loop, form.kind.data or kind)
    if formdata is None:
        form.kind.data = kind
        form.duration_minutes.data = 60
        if loop.step <= Step.PHONE_SCREEN:
            form.interviewer_id.data = loop.hiring_manager_id
    return form


def interviewer_choices(loop: Loop, kind: str) -> list[SelectChoice]:
    """The people who can take an interview of `kind` on the loop, then those who cannot, greyed out with why."""
    can, cannot = [], []
    for choice in people_options(people_rows()):
        reason = why_cannot_interview(loop, choice.value, kind)
        if reason is None:
            can.append(SelectChoice(choice.value, choice.label, optgroup="Can interview"))
        else:
            cannot.append(SelectChoice(choice.value, f"{choice.label}: {reason}", render_kw={"disabled": True},
                                       optgroup="Cannot interview"))
    return can + cannot
