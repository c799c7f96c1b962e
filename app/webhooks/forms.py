"""Forms: a webhook endpoint, a chat address, and the confirmations of the admin's buttons."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Length

from app.forms_common import CheckboxListField, options
from app.webhooks.models import EventType


class EndpointForm(FlaskForm):
    url = StringField("Address", description="Where to POST the events: an https:// address on the public "
                                             "internet.")
    description = StringField("Description", validators=[Length(max=200)],
                              description="What receives these events, for whoever reads this list later.")
    events = CheckboxListField("Events", choices=options((e.value, f"{e.value}: {e.label}") for e in EventType),
                               validate_choice=False)
    is_active = BooleanField("Active", default=True, description="Only active endpoints are sent events.")
    submit = SubmitField("Save")


class ChatHookForm(FlaskForm):
    url = StringField("Incoming-webhook address",
                      description="A Slack-compatible incoming-webhook address (https://hooks.slack.com/services/…). "
                                  "Leave it empty to stop chat notices.")
    submit = SubmitField("Save")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm")
