"""References (step 7), posted from the loop page."""

from flask import Blueprint
from flask_login import current_user

from app import permissions
from app.loops.models import Step
from app.loops.page import post_from_loop_page, shows_form
from app.references import services
from app.references.forms import ReferenceForm

bp = Blueprint("references", __name__)
shows_form("reference_form", lambda loop: loop.step >= Step.REFERENCE_CHECK, lambda: ReferenceForm(formdata=None))


@bp.route("/loops/<int:loop_id>/references", methods=["POST"])
def add(loop_id: int):
    form = ReferenceForm()
    return post_from_loop_page(
        loop_id, form, "reference_form", permissions.can_record_references,
        lambda loop: services.record_reference(
            loop, current_user, name=form.name.data or "", relation=form.relation.data or "",
            contacted_on=form.contacted_on.data, summary=form.summary.data or "", outcome=form.outcome.data),
        "Reference recorded.", "references", Step.REFERENCE_CHECK)
