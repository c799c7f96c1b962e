"""The offer (step 8), posted from the loop page."""

from flask import Blueprint
from flask_login import current_user

from app import permissions
from app.loops.models import Step
from app.loops.page import post_from_loop_page, shows_form
from app.offers import services
from app.offers.forms import ExtendOfferForm, ResolveOfferForm

bp = Blueprint("offers", __name__)
shows_form("offer_form", lambda loop: loop.step == Step.OFFER, lambda: ExtendOfferForm(formdata=None))
shows_form("resolve_form", lambda loop: loop.step == Step.OFFER, lambda: ResolveOfferForm(formdata=None))


@bp.route("/loops/<int:loop_id>/offer", methods=["POST"])
def extend(loop_id: int):
    form = ExtendOfferForm()
    return post_from_loop_page(loop_id, form, "offer_form", permissions.can_manage_offer,
                               lambda loop: services.extend_offer(loop, current_user, form.terms.data or ""),
                               "Offer extended.", "offer", Step.OFFER)


@bp.route("/loops/<int:loop_id>/offer/resolve", methods=["POST"])
def resolve(loop_id: int):
    form = ResolveOfferForm()
    return post_from_loop_page(
        loop_id, form, "resolve_form", permissions.can_manage_offer,
        lambda loop: services.resolve_offer(loop, current_user, form.status.data, form.reason.data or ""),
        "Offer recorded.", "offer", Step.OFFER)
