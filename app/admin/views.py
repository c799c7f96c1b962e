"""Admin pages: users, org units and the principle catalogue."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import permissions
from app.admin.forms import (
    ActiveForm,
    BreakGlassForm,
    NewUserForm,
    OrgUnitForm,
    PasswordForm,
    PrincipleForm,
    UserForm,
)
from app.audit.models import AuditEntry
from app.extensions import db
from app.forms_common import attempt
from app.jobs.queue import RETRIES, clear_dead_letter, dead_letters
from app.people import services as people
from app.people.models import Certification, OrgUnit, User
from app.principles import services as catalogue
from app.principles.models import Principle

bp = Blueprint("admin", __name__)


@bp.before_request
def require_admin():
    permissions.require_admin()


def invalid(template: str, **context):
    """Render a form page again with its errors, as 422."""
    return render_template(template, **context), 422


def org_units() -> list[OrgUnit]:
    return list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.name)))


def get_or_404(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


@bp.route("/")
def index():
    return redirect(url_for("admin.users"))


@bp.route("/users")
def users():
    people_list = db.session.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("admin/users.html", users=people_list, Certification=Certification)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm(org_units=org_units())
    if form.validate_on_submit():
        ok, user = attempt(form, lambda: people.create_user(
                email=form.email.data, name=form.name.data, password=form.password.data,
                actor=current_user, org_unit=db.session.get(OrgUnit, form.org_unit_id.data),
                is_admin=form.is_admin.data, is_recruiter=form.is_recruiter.data,
                timezone=form.timezone.data,
            ))
        if ok:
            db.session.commit()
            flash(f"{user.name} can now sign in as {user.email}.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    if form.errors or form.form_errors:
        return invalid("admin/user_new.html", form=form)
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = get_or_404(User, user_id)
    form = UserForm(obj=user, org_units=org_units())
    if request.method == "GET":
        form.org_unit_id.data = user.org_unit_id or 0
        form.job_level.data, form.manager_id.data = user.job_level or 0, user.manager_id or 0
    elif form.validate_on_submit():
        ok, _ = attempt(form, lambda: people.update_user(
                user, current_user, name=form.name.data, email=form.email.data,
                org_unit=db.session.get(OrgUnit, form.org_unit_id.data),
                is_admin=form.is_admin.data, is_recruiter=form.is_recruiter.data,
                timezone=form.timezone.data, job_level=form.job_level.data or None,
                manager=db.session.get(User, form.manager_id.data or 0),
            ))
        if ok:
            db.session.commit()
            flash(f"Saved {user.name}.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    context = user_page_context(user, form=form)
    if form.errors or form.form_errors:
        return invalid("admin/user_edit.html", **context)
    return render_template("admin/user_edit.html", **context)


def user_page_context(user: User, **forms) -> dict:
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject_type == "User", AuditEntry.subject_id == user.id,
               AuditEntry.action.not_like("auth.%"))  # sign-ins would crowd out role changes
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(20)
    ).all()
    context = {
        "user": user,
        "form": UserForm(obj=user, org_units=org_units(), formdata=None),
        "password_form": PasswordForm(formdata=None),
        "active_form": ActiveForm(formdata=None),
        "break_glass_form": BreakGlassForm(obj=user, formdata=None),
        "history": history,
        "Certification": Certification,
    }
    context["form"].org_unit_id.data = user.org_unit_id or 0
    context["form"].job_level.data = user.job_level or 0
    context["form"].manager_id.data = user.manager_id or 0
    context.update(forms)
    return context


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def set_password(user_id: int):
    user = get_or_404(User, user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        ok, _ = attempt(form, lambda: people.change_password(user, form.password.data, current_user))
        if ok:
            db.session.commit()
            flash(f"New password set for {user.name}; their other sessions have ended.", "success")
            if user.id == current_user.id:
                return redirect(url_for("auth.login"))
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return invalid("admin/user_edit.html", **user_page_context(user, password_form=form))


@bp.route("/users/<int:user_id>/<any(activate, deactivate):action>", methods=["POST"])
def set_active(user_id: int, action: str):
    user = get_or_404(User, user_id)
    form = ActiveForm()
    if form.validate_on_submit():
        ok, _ = attempt(None, lambda: people.set_active(user, action == "activate", current_user))
        if not ok:
            return invalid("admin/user_edit.html", **user_page_context(user))
        db.session.commit()
        flash(f"{user.name} is {'active' if user.active else 'deactivated'}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/break-glass", methods=["POST"])
def set_break_glass(user_id: int):
    user = get_or_404(User, user_id)
    form = BreakGlassForm()
    if form.validate_on_submit():
        people.set_break_glass(user, form.is_break_glass.data, current_user)
        db.session.commit()
        flash(f"{user.name} {'may' if user.is_break_glass else 'may no longer'} sign in with a password "
              "while password sign-in is off.", "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return invalid("admin/user_edit.html", **user_page_context(user, break_glass_form=form))


@bp.route("/org-units", methods=["GET", "POST"])
def org_unit_list():
    form = OrgUnitForm()
    if form.validate_on_submit():
        ok, unit = attempt(form, lambda: people.create_org_unit(form.name.data, current_user))
        if ok:
            db.session.commit()
            flash(f"Added {unit.name}.", "success")
            return redirect(url_for("admin.org_unit_list"))
    counts = dict(db.session.execute(
        select(User.org_unit_id, db.func.count()).where(User.active).group_by(User.org_unit_id)
    ).all())
    context = {"form": form, "units": org_units(), "counts": counts}
    if form.errors or form.form_errors:
        return invalid("admin/org_units.html", **context)
    return render_template("admin/org_units.html", **context)


@bp.route("/org-units/<int:unit_id>", methods=["GET", "POST"])
def edit_org_unit(unit_id: int):
    unit = get_or_404(OrgUnit, unit_id)
    form = OrgUnitForm(obj=unit)
    if form.validate_on_submit():
        ok, _ = attempt(form, lambda: people.rename_org_unit(unit, form.name.data, current_user))
        if ok:
            db.session.commit()
            flash(f"Renamed to {unit.name}.", "success")
            return redirect(url_for("admin.org_unit_list"))
    if form.errors or form.form_errors:
        return invalid("admin/org_unit_edit.html", form=form, unit=unit)
    return render_template("admin/org_unit_edit.html", form=form, unit=unit)


@bp.route("/principles", methods=["GET", "POST"])
def principles():
    form = PrincipleForm()
    if form.validate_on_submit():
        ok, principle = attempt(
            form, lambda: catalogue.create_principle(form.name.data, form.description.data, current_user))
        if ok:
            db.session.commit()
            flash(f"Added “{principle.name}”.", "success")
            return redirect(url_for("admin.principles"))
    context = {"form": form, "principles": catalogue.ordered_principles(), "action_form": ActiveForm()}
    if form.errors or form.form_errors:
        return invalid("admin/principles.html", **context)
    return render_template("admin/principles.html", **context)


@bp.route("/principles/<int:principle_id>", methods=["GET", "POST"])
def edit_principle(principle_id: int):
    principle = get_or_404(Principle, principle_id)
    form = PrincipleForm(obj=principle)
    if form.validate_on_submit():
        ok, _ = attempt(
            form, lambda: catalogue.update_principle(principle, form.name.data, form.description.data, current_user))
        if ok:
            db.session.commit()
            flash(f"Saved “{principle.name}”.", "success")
            return redirect(url_for("admin.principles"))
    context = principle_page_context(principle, form)
    if form.errors or form.form_errors:
        return invalid("admin/principle_edit.html", **context)
    return render_template("admin/principle_edit.html", **context)


def principle_page_context(principle: Principle, form: PrincipleForm | None = None) -> dict:
    return {
        "form": form or PrincipleForm(obj=principle, formdata=None),
        "principle": principle,
        "in_use": catalogue.is_principle_in_use(principle),
        "action_form": ActiveForm(formdata=None),
    }


@bp.route("/principles/<int:principle_id>/<any(up, down, activate, deactivate, delete):action>",
          methods=["POST"])
def principle_action(principle_id: int, action: str):
    principle = get_or_404(Principle, principle_id)
    if not ActiveForm().validate_on_submit():
        abort(400)

    def act():
        if action in ("up", "down"):
            catalogue.move_principle(principle, -1 if action == "up" else 1, current_user)
            return None
        if action == "delete":
            catalogue.delete_principle(principle, current_user)
            return f"Deleted “{principle.name}”."
        catalogue.set_principle_active(principle, action == "activate", current_user)
        return f"“{principle.name}” is {'active' if principle.is_active else 'inactive'}."

    ok, done = attempt(None, act)
    if not ok:  # the catalogue's state refused it: a principle in use, the first one moved up
        return render_template("admin/principle_edit.html", **principle_page_context(principle)), 409
    db.session.commit()
    if done:
        flash(done, "success")
    return redirect(url_for("admin.principles"))


@bp.route("/jobs")
def jobs():
    """Background jobs that failed every try: what, with what, why, when."""
    return render_template("admin/jobs.html", letters=dead_letters(), retries=RETRIES)


@bp.route("/jobs/<job_id>/clear", methods=["POST"])
def clear_job(job_id: str):
    if not ActiveForm().validate_on_submit():
        abort(400)
    if not clear_dead_letter(job_id):
        abort(404)
    flash("Removed from the list.", "success")
    return redirect(url_for("admin.jobs"))
