"""Sign-in forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.validators import EmailAddress


class LoginForm(FlaskForm):
    email = StringField(
        "E-mail", validators=[DataRequired("Enter your e-mail."), EmailAddress(),
                              Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Sign in")
