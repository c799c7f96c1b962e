"""A person's own account page: personal access tokens."""

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from app.api.models import TokenScope
from app.forms_common import options


class TokenForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Name the token after what will use it."), Length(max=100)],
                       description="What will use it, e.g. “Greenhouse sync”.")
    scope = RadioField("Access", choices=options((s.value, s.label) for s in TokenScope),
                       validators=[InputRequired("Choose read or write.")], default=TokenScope.READ.value)
    expires_on = DateField("Expires on", validators=[InputRequired("Choose when the token expires.")],
                           description="At most a year from today. It stops working at the start of that day.")
    submit = SubmitField("Create token")
