"""A person's own account page: their personal access tokens for the JSON API."""

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.api import services as token_services
from app.api.models import PersonalAccessToken
from app.db_types import utcnow
from app.extensions import db
from app.formatting import viewer_zone
from app.forms_common import attempt
from app.loops.forms import ActionForm
from app.people.forms import TokenForm

bp = Blueprint("account", __name__)
DEFAULT_LIFETIME = timedelta(days=90)


def page(form: TokenForm, status: int = 200, plaintext: str | None = None, created=None):
    return render_template("people/account.html", form=form, tokens=token_services.tokens_of(current_user),
                           plaintext=plaintext, created=created, now=utcnow(),
                           revoke_form=ActionForm(formdata=None)), status


@bp.route("/")
def show():
    form = TokenForm(formdata=None)
    form.expires_on.data = (utcnow().astimezone(viewer_zone()) + DEFAULT_LIFETIME).date()
    return page(form)


def start_of_day(day) -> datetime:
    """The start of `day` in the viewer's zone, in UTC."""
    return datetime.combine(day, time.min, tzinfo=viewer_zone()).astimezone(UTC)


@bp.route("/tokens", methods=["POST"])
def create_token():
    """Make a token and show its secret on this answer only: it is never stored, so never shown again."""
    form = TokenForm()
    if not form.validate_on_submit():
        return page(form, 422)
    outcome = attempt(form, lambda: token_services.create_token(
        current_user, name=form.name.data, scope=form.scope.data, expires_at=start_of_day(form.expires_on.data)))
    if not outcome.ok:
        return page(form, outcome.status)
    db.session.commit()
    token, plaintext = outcome.value
    return page(TokenForm(formdata=None), 200, plaintext=plaintext, created=token)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    token = db.session.get(PersonalAccessToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)  # someone else's token is nothing of yours
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = attempt(None, lambda: token_services.revoke_token(token, current_user))
    if outcome.ok:
        db.session.commit()
        flash(f"Revoked “{token.name}”. Anything using it is refused from now on.", "success")
    return redirect(url_for("account.show"))
