"""The admin's retention page: policies, legal holds, and who is due for erasure in the next 30 days."""

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import permissions
from app.candidates.models import Candidate
from app.errors import ServiceError
from app.extensions import db
from app.forms_common import attempt, options
from app.integers import int_arg
from app.people.models import OrgUnit
from app.requisitions.models import Requisition
from app.retention import rules, services
from app.retention.forms import ConfirmForm, HoldForm, PolicyForm
from app.retention.models import KEEP_COLUMNS, LegalHold, RetentionPolicy

bp = Blueprint("retention", __name__)


@bp.before_request
def require_admin():
    permissions.require(permissions.can_manage_retention())


def unit_choices() -> list:
    units = db.session.execute(select(OrgUnit.id, OrgUnit.name).order_by(OrgUnit.name))
    return options([(0, "Choose an org unit")] + [(unit.id, unit.name) for unit in units])


def due_after() -> tuple[datetime, int] | None:
    """Where this page of the due list starts: the date and candidate the previous page ended at."""
    day, candidate_id = request.args.get("due_after", ""), int_arg(request.args, "due_candidate", minimum=1)
    try:
        at = datetime.fromisoformat(day)
    except ValueError:
        return None
    if candidate_id is None or at.tzinfo is None:
        return None
    return at, candidate_id


def page(policy_form: PolicyForm | None = None, hold_form: HoldForm | None = None, status: int = 200):
    policy_form = policy_form or PolicyForm(formdata=None)
    hold_form = hold_form or HoldForm(formdata=None)
    policy_form.org_unit_id.choices = hold_form.org_unit_id.choices = unit_choices()
    policies = sorted(db.session.scalars(select(RetentionPolicy).options(
                          selectinload(RetentionPolicy.org_unit), selectinload(RetentionPolicy.updated_by))),
                      key=lambda p: (p.scope != "default", p.scope, p.label))
    # What each hold names and who placed and released it come with the holds: not a query a row.
    holds = db.session.scalars(select(LegalHold).options(
        selectinload(LegalHold.candidate), selectinload(LegalHold.requisition), selectinload(LegalHold.org_unit),
        selectinload(LegalHold.placed_by), selectinload(LegalHold.released_by))
        .order_by(LegalHold.released_at.is_not(None), LegalHold.placed_at.desc()).limit(200)).all()
    due = rules.due_page(after=due_after())
    return render_template("retention/index.html", policies=policies, holds=holds, due=due.statuses,
                           due_next=due.next_after, due_later=request.args.get("due_after") is not None,
                           window=rules.DUE_WINDOW_DAYS, policy_form=policy_form, hold_form=hold_form,
                           confirm=ConfirmForm(formdata=None), statuses=KEEP_COLUMNS), status


@bp.route("/")
def index():
    return page()


@bp.route("/policies", methods=["POST"])
def set_policy():
    form = PolicyForm()
    form.org_unit_id.choices = unit_choices()
    if form.validate_on_submit():
        ok, policy = attempt(form, lambda: services.set_policy(
            current_user, scope=form.scope.data, org_unit=db.session.get(OrgUnit, form.org_unit_id.data),
            location=form.location.data or "",
            days={status: getattr(form, column).data for status, column in KEEP_COLUMNS.items()}))
        if ok:
            db.session.commit()
            flash(f"Saved: {policy.label}.", "success")
            return redirect(url_for("retention.index"))
    return page(policy_form=form, status=422)


@bp.route("/policies/<int:policy_id>/remove", methods=["POST"])
def remove_policy(policy_id: int):
    policy = db.session.get(RetentionPolicy, policy_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        label = policy.label
        services.remove_policy(current_user, policy)
        db.session.commit()
        flash(f"Removed: {label}.", "success")
    return redirect(url_for("retention.index"))


def hold_target(form: HoldForm) -> dict:
    """Load what the form names; refuse, beside the field, what does not exist."""
    kind = form.kind.data
    if kind == "candidate":
        candidate = form.candidate_id.data and db.session.get(Candidate, form.candidate_id.data)
        if not candidate:
            raise ServiceError("Enter the number of an existing candidate.", field="candidate_id")
        return {"candidate": candidate}
    if kind == "requisition":
        requisition = form.requisition_id.data and db.session.get(Requisition, form.requisition_id.data)
        if not requisition:
            raise ServiceError("Enter the number of an existing requisition.", field="requisition_id")
        return {"requisition": requisition}
    unit = form.org_unit_id.data and db.session.get(OrgUnit, form.org_unit_id.data)
    if not unit:
        raise ServiceError("Choose the org unit to hold.", field="org_unit_id")
    return {"org_unit": unit}


@bp.route("/holds", methods=["POST"])
def place_hold():
    form = HoldForm()
    form.org_unit_id.choices = unit_choices()
    if form.validate_on_submit():
        ok, hold = attempt(form, lambda: services.place_hold(current_user, reason=form.reason.data,
                                                             **hold_target(form)))
        if ok:
            db.session.commit()
            flash(f"Hold {hold.id} placed on {hold.target}: nothing under it is erased until it is released.",
                  "success")
            return redirect(url_for("retention.index"))
    return page(hold_form=form, status=422)


@bp.route("/holds/<int:hold_id>/release", methods=["POST"])
def release_hold(hold_id: int):
    hold = db.session.get(LegalHold, hold_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ok, _ = attempt(None, lambda: services.release_hold(current_user, hold))
    if not ok:
        return page(status=409)
    db.session.commit()
    flash(f"Hold {hold.id} released.", "success")
    return redirect(url_for("retention.index"))
