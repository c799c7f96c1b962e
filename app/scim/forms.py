"""The token page's forms: buttons only, each with its CSRF token."""

from flask_wtf import FlaskForm
from wtforms import SubmitField


class NewTokenForm(FlaskForm):
    submit = SubmitField("Make a token")


class RevokeTokenForm(FlaskForm):
    submit = SubmitField("Revoke")
