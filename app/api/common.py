"""What every resource module shares: the blueprint factory, schema base, id look-ups and running a service."""

import marshmallow as ma
from email_validator import EmailNotValidError, validate_email
from flask import abort as flask_abort
from flask import current_app
from flask_smorest import Blueprint, abort
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.api import ProblemSchema, auth
from app.api.problems import PROBLEM_TYPE, from_service_error
from app.auth.gate import public_blueprint
from app.errors import Conflict, ServiceError
from app.extensions import csrf, db, limiter
from app.forms_common import RACE_MESSAGE, is_unique_violation
from app.integers import ID_MAX

# Documented on every operation that reads or writes with a token.
AUTH_RESPONSES = {401: "No token, or one that is unknown, expired, revoked or of a deactivated account.",
                  429: "Too many requests with this token."}


def refusal(description: str) -> dict:
    """Document an error answer: problem details under their own media type."""
    return {"schema": ProblemSchema, "content_type": PROBLEM_TYPE, "description": description}


def resource_blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    """A blueprint of the API: bearer tokens only, rate-limited per token, outside the sign-in gate."""
    bp = Blueprint(name, __name__, url_prefix=url_prefix, description=description)
    bp.before_request(auth.authenticate)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=auth.rate_limit_key)(bp)
    public_blueprint(bp)  # the token, not the cookie, says who is calling
    csrf.exempt(bp)  # no cookie authenticates here, so no cross-site request can borrow one
    return bp


class Strict(ma.Schema):
    """Input schemas refuse unknown fields (marshmallow's default, said here so nobody changes it by accident)."""

    class Meta:
        unknown = ma.RAISE


Id = ma.validate.Range(1, ID_MAX, error="Not an id.")


def email_address(value: str) -> None:
    """The same check as the pages' e-mail fields: syntax only; reserved names such as .test pass."""
    if value:
        try:
            validate_email(value, check_deliverability=False, test_environment=True)
        except EmailNotValidError:
            raise ma.ValidationError("Enter a valid e-mail address.") from None


def get_or_field_error(model, object_id: int | None, field: str, what: str, *, where=None):
    """Load a row named by an id in the body; an unknown id is a 422 on its field."""
    if object_id is None:
        return None
    row = db.session.get(model, object_id)
    if row is None or (where is not None and not where(row)):
        abort(422, errors={field: [f"No such {what}."]})
    return row


def run(action):
    """Run one service call and flush; map its refusal to a problem (422/409), rolling back what it did."""
    try:
        value = action()
        db.session.flush()
    except StaleDataError:
        error = Conflict(RACE_MESSAGE)
    except IntegrityError as integrity:
        if not is_unique_violation(integrity):
            raise
        error = Conflict(RACE_MESSAGE)
    except ServiceError as refusal:
        error = refusal
    else:
        return value
    db.session.rollback()
    flask_abort(from_service_error(error))  # answered as it is: no error page, no second handler
