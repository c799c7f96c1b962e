"""Pages: the admin's webhook endpoints and their delivery logs; a person's and a requisition's chat address."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import permissions
from app.extensions import db
from app.forms_common import attempt
from app.integers import parse_int
from app.webhooks import chat, services
from app.webhooks.delivery import retry_schedule
from app.webhooks.forms import ChatHookForm, ConfirmForm, EndpointForm
from app.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint

bp = Blueprint("webhooks", __name__)
PAGE_SIZE = 25


def require_admin_page() -> None:
    permissions.require_admin()


def get_endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    require_admin_page()
    return db.session.get(WebhookEndpoint, endpoint_id) or abort(404)


def waits_in_words() -> list[str]:
    words = []
    for wait in retry_schedule():
        hours, rest = divmod(int(wait.total_seconds()), 3600)
        minutes, seconds = divmod(rest, 60)
        parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "", f"{seconds} s" if seconds else ""]
        words.append(" ".join(part for part in parts if part))
    return words


@bp.route("/admin/webhooks/")
def endpoints():
    require_admin_page()
    rows = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.is_active.desc(),
                                                               WebhookEndpoint.id)).all()
    counts = dict(db.session.execute(
        select(WebhookDelivery.endpoint_id, func.count()).where(WebhookDelivery.endpoint_id.is_not(None),
                                                                WebhookDelivery.status == "failed")
        .group_by(WebhookDelivery.endpoint_id)).all())
    return render_template("webhooks/endpoints.html", endpoints=rows, failed=counts, waits=waits_in_words(),
                           EventType=EventType)


@bp.route("/admin/webhooks/new", methods=["GET", "POST"])
def new_endpoint():
    require_admin_page()
    form = EndpointForm()
    if request.method == "GET":
        form.events.data = [e.value for e in EventType]
    if form.validate_on_submit():
        ok, created = attempt(form, lambda: services.create_endpoint(
            current_user, url=form.url.data or "", description=form.description.data or "",
            events=form.events.data or [], is_active=form.is_active.data))
        if ok:
            db.session.commit()
            endpoint, secret = created
            return render_template("webhooks/secret.html", endpoint=endpoint, secret=secret, created=True)
    status = 422 if request.method == "POST" else 200
    return render_template("webhooks/endpoint_form.html", form=form, endpoint=None), status


@bp.route("/admin/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
def edit_endpoint(endpoint_id: int):
    endpoint = get_endpoint_or_404(endpoint_id)
    form = EndpointForm(obj=endpoint)
    if request.method == "GET":
        form.events.data = endpoint.events.split()
    if form.validate_on_submit():
        ok, _ = attempt(form, lambda: services.update_endpoint(
            endpoint, current_user, url=form.url.data or "", description=form.description.data or "",
            events=form.events.data or [], is_active=form.is_active.data))
        if ok:
            db.session.commit()
            flash("Endpoint saved.", "success")
            return redirect(url_for("webhooks.endpoints"))
        db.session.rollback()
    status = 422 if request.method == "POST" else 200
    return render_template("webhooks/endpoint_form.html", form=form, endpoint=endpoint,
                           confirm=ConfirmForm(formdata=None)), status


@bp.route("/admin/webhooks/<int:endpoint_id>/disable", methods=["POST"])
def disable_endpoint(endpoint_id: int):
    endpoint = get_endpoint_or_404(endpoint_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    outcome = attempt(None, lambda: services.disable_endpoint(endpoint, current_user))
    if outcome.ok:
        db.session.commit()
        flash("Endpoint disabled: nothing more is sent to it.", "success")
    return redirect(url_for("webhooks.endpoints")) if outcome.ok else (
        render_template("webhooks/endpoint_form.html", form=EndpointForm(obj=endpoint), endpoint=endpoint,
                        confirm=ConfirmForm(formdata=None)), outcome.status)


@bp.route("/admin/webhooks/<int:endpoint_id>/rotate", methods=["POST"])
def rotate_secret(endpoint_id: int):
    endpoint = get_endpoint_or_404(endpoint_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    secret = services.rotate_secret(endpoint, current_user)
    db.session.commit()
    return render_template("webhooks/secret.html", endpoint=endpoint, secret=secret, created=False)


@bp.route("/admin/webhooks/<int:endpoint_id>/deliveries")
def deliveries(endpoint_id: int):
    return deliveries_page(get_endpoint_or_404(endpoint_id))


def deliveries_page(endpoint: WebhookEndpoint, status: int = 200):
    """The endpoint's messages, newest first, a page at a time, each with its tries."""
    page = max(1, min(parse_int(request.args.get("page")) or 1, 100_000))
    query = (select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
             .options(selectinload(WebhookDelivery.event), selectinload(WebhookDelivery.tries))
             .order_by(WebhookDelivery.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    rows = db.session.scalars(query).all()
    return render_template("webhooks/deliveries.html", endpoint=endpoint, deliveries=rows[:PAGE_SIZE], page=page,
                           has_next=len(rows) > PAGE_SIZE, confirm=ConfirmForm(formdata=None)), status


@bp.route("/admin/webhooks/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
def redeliver(delivery_id: int):
    require_admin_page()
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    outcome = attempt(None, lambda: services.redeliver(delivery, current_user))
    if not outcome.ok:
        db.session.rollback()
        return deliveries_page(delivery.endpoint, outcome.status)
    db.session.commit()
    flash(f"Message {delivery.message_id} will be sent again.", "success")
    return redirect(url_for("webhooks.deliveries", endpoint_id=delivery.endpoint_id))


@bp.route("/account/chat", methods=["GET", "POST"])
def personal_chat():
    hook = chat.personal_hook(current_user)
    form = ChatHookForm()
    if form.validate_on_submit():
        ok, saved = attempt(form, lambda: chat.set_personal_hook(current_user, current_user, form.url.data or ""))
        if ok:
            db.session.commit()
            flash("Chat notices will go to that address." if saved else "Chat notices are off.", "success")
            return redirect(url_for("webhooks.personal_chat"))
        db.session.rollback()
    status = 422 if request.method == "POST" else 200
    return render_template("webhooks/chat.html", form=form, hook=hook, requisition=None), status


@bp.route("/requisitions/<int:requisition_id>/chat", methods=["GET", "POST"])
def requisition_chat(requisition_id: int):
    requisition = permissions.get_requisition_or_404(requisition_id)
    permissions.require(permissions.can_edit_requisition(requisition))
    hook = chat.requisition_hook(requisition)
    form = ChatHookForm()
    if form.validate_on_submit():
        ok, saved = attempt(form, lambda: chat.set_requisition_hook(requisition, current_user, form.url.data or ""))
        if ok:
            db.session.commit()
            flash("The requisition's channel will hear its loops' notices." if saved
                  else "The requisition's chat notices are off.", "success")
            return redirect(url_for("requisitions.show", requisition_id=requisition.id))
        db.session.rollback()
    status = 422 if request.method == "POST" else 200
    return render_template("webhooks/chat.html", form=form, hook=hook, requisition=requisition), status
