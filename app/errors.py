"""The error a service raises when a rule refuses a change, and how a form view shows it."""

from app.extensions import db


class ServiceError(ValueError):
    """A change refused by a product rule; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def attach_to_form(form, error: ServiceError) -> None:
    """Show a service's refusal next to the field it is about, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def attempt(form, action):
    """Run one service call for a form: (True, its result), or on a refusal roll back,
    show the refusal on the form and return (False, None)."""
    try:
        return True, action()
    except ServiceError as error:
        db.session.rollback()
        attach_to_form(form, error)
        return False, None
