"""References (step 7) and the offer (step 8), posted from the loop page."""

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required

from app import permissions
from app.errors import ServiceError, attach_to_form
from app.extensions import db
from app.loops.views import loop_page
from app.offers import services as offers
from app.offers.forms import ExtendOfferForm, ResolveOfferForm
from app.references import services as references
from app.references.forms import ReferenceForm

bp = Blueprint("offers", __name__)


@bp.before_request
@login_required
def signed_in():
    pass


def handle(loop_id: int, form, form_name: str, allowed, action, success: str, anchor: str):
    loop = permissions.get_loop_or_404(loop_id)
    permissions.require(allowed(loop))
    if not form.validate_on_submit():
        return loop_page(loop, 422, **{form_name: form})
    try:
        action(loop)
    except ServiceError as error:
        db.session.rollback()
        loop = permissions.get_loop_or_404(loop_id)
        attach_to_form(form, error)
        return loop_page(loop, 422, **{form_name: form})
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("loops.show", loop_id=loop_id, _anchor=anchor))


@bp.route("/loops/<int:loop_id>/references", methods=["POST"])
def add_reference(loop_id: int):
    form = ReferenceForm()
    return handle(
        loop_id, form, "reference_form", permissions.can_record_references,
        lambda loop: references.record_reference(
            loop, current_user, name=form.name.data or "", relation=form.relation.data or "",
            contacted_on=form.contacted_on.data, summary=form.summary.data or "", outcome=form.outcome.data),
        "Reference recorded.", "references")


@bp.route("/loops/<int:loop_id>/offer", methods=["POST"])
def extend(loop_id: int):
    form = ExtendOfferForm()
    return handle(loop_id, form, "offer_form", permissions.can_manage_offer,
                  lambda loop: offers.extend_offer(loop, current_user, form.terms.data or ""),
                  "Offer extended.", "offer")


@bp.route("/loops/<int:loop_id>/offer/resolve", methods=["POST"])
def resolve(loop_id: int):
    form = ResolveOfferForm()
    return handle(loop_id, form, "resolve_form", permissions.can_manage_offer,
                  lambda loop: offers.resolve_offer(loop, current_user, form.status.data, form.reason.data or ""),
                  "Offer recorded.", "offer")
