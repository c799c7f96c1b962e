"""Admin forms: users, org units, principles."""

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.forms_common import PersonField, options, people_choices
from app.integers import coerce_int
from app.people.models import LEVEL_RANGE
from app.validators import EmailAddress

COMMON_ZONES = ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago",
                "America/Los_Angeles", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo",
                "Australia/Sydney"]


def zone_choices() -> list[SelectChoice]:
    rest = sorted(available_timezones() - set(COMMON_ZONES))
    return options((zone, zone) for zone in COMMON_ZONES + rest)


class NoneIsZero:
    """A select whose empty value is 0, also when the object it edits holds None (not recorded)."""

    def process_data(self, value):
        super().process_data(value or 0)


class LevelField(NoneIsZero, SelectField):
    pass


class ManagerField(NoneIsZero, PersonField):
    pass


class UserForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the person's name."), Length(max=120)])
    email = StringField(
        "E-mail",
        validators=[DataRequired("Enter an e-mail address."), EmailAddress(),
                    Length(max=254)],
    )
    org_unit_id = SelectField("Org unit", coerce=coerce_int, validate_choice=True)
    timezone = SelectField("Time zone", default="UTC")
    is_recruiter = BooleanField("Recruiter")
    is_admin = BooleanField("Admin")
    job_level = LevelField("Job level", coerce=coerce_int, validate_choice=True, default=0,
                            choices=options([(0, "— not recorded —")] + [(n, f"L{n}") for n in range(
                                LEVEL_RANGE[0], LEVEL_RANGE[1] + 1)]))
    manager_id = ManagerField("Manager", default=0)
    submit = SubmitField("Save")

    def __init__(self, *args, org_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.org_unit_id.choices = options([(0, "— none —")] + [(unit.id, unit.name) for unit in org_units])
        self.timezone.choices = zone_choices()
        self.manager_id.choices = people_choices(blank="— none —")


class NewUserForm(UserForm):
    password = PasswordField(
        "Initial password",
        validators=[DataRequired("Enter an initial password."), Length(max=1024)],
        description="At least 12 characters. Share it with the person privately.",
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Create user")


class PasswordForm(FlaskForm):
    password = PasswordField(
        "New password", validators=[DataRequired("Enter a new password."), Length(max=1024)],
        description="At least 12 characters. Their current sessions end.",
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set password")


class BreakGlassForm(FlaskForm):
    is_break_glass = BooleanField(
        "Break-glass account",
        description="May sign in with a password while password sign-in is turned off, for when the "
                    "sign-in provider is unavailable. Keep this to one or two admins.")
    submit = SubmitField("Save")


class ActiveForm(FlaskForm):
    submit = SubmitField("Save")


class OrgUnitForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=120)])
    submit = SubmitField("Save")


class PrincipleForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the principle's name."), Length(max=120)])
    description = TextAreaField(
        "One-line description",
        validators=[DataRequired("Enter a one-line description."), Length(max=1000)],
    )
    submit = SubmitField("Save")
