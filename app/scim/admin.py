"""Admin → SCIM: make provisioning tokens (each shown once), see when they were used, revoke them."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app import permissions
from app.extensions import db
from app.forms_common import attempt
from app.scim import services
from app.scim.forms import NewTokenForm, RevokeTokenForm
from app.scim.models import ScimToken

bp = Blueprint("scim_admin", __name__)


@bp.before_request
def require_admin():
    permissions.require_admin()


def page(status: int = 200, **context):
    context.setdefault("plaintext", None)
    return render_template("scim/tokens.html", tokens=services.tokens(), form=NewTokenForm(formdata=None),
                           revoke_form=RevokeTokenForm(formdata=None),
                           base_url=url_for("scim.users", _external=True).removesuffix("/Users"),
                           **context), status


@bp.route("/", methods=["GET"])
def index():
    return page()


@bp.route("/", methods=["POST"])
def create():
    """Make a token and show it on this answer only; it is never stored or shown again."""
    if not NewTokenForm().validate_on_submit():
        abort(400)
    token, plaintext = services.create_token(current_user)
    db.session.commit()
    return page(plaintext=plaintext, new_token=token)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    token = db.session.get(ScimToken, token_id)
    if token is None:
        abort(404)
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    ok, _ = attempt(None, lambda: services.revoke_token(token, current_user))
    if not ok:
        return page(409)
    db.session.commit()
    flash(f"Token {token.hint}… is revoked; the identity provider holding it is refused from now on.", "success")
    return redirect(url_for("scim_admin.index", _anchor=f"token-{token.id}"))
