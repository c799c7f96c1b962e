"""/scim/v2: the SCIM 2.0 endpoints an identity provider calls (RFC 7644), with a bearer token.

Not a page for people: no cookie signs anyone in here (every view is public to
the sign-in gate and the token is checked first), no CSRF token is asked (a
bearer token is not sent by a browser on its own), and every answer, errors
included, is application/scim+json.
"""

import json

from flask import Blueprint, current_app, g, request, url_for
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    InvalidFilterException,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    Meta,
    NotFoundException,
    PatchOp,
    PayloadTooLargeException,
    ResourceType,
    Schema,
    SCIMException,
    SearchRequest,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.auth.gate import public
from app.extensions import csrf, db, limiter
from app.scim import schemas, services
from app.scim.schemas import MEDIA_TYPE, PROVIDER, ScimUser

bp = Blueprint("scim", __name__)
csrf.exempt(bp)
limiter.limit(lambda: current_app.config["SCIM_RATE_LIMIT"])(bp)

JSON_TYPES = frozenset({MEDIA_TYPE, "application/json"})
MAX_DEPTH = 8  # the deepest a provider sends: a PatchOp's operation's value's emails' entry's value, seven
MAX_FILTER_LENGTH = 1000  # Okta and Entra ID send one comparison; this bounds the parser's work
SEARCH_PARAMETERS = ("filter", "startIndex", "count", "attributes", "excludedAttributes")
HTTP_DETAILS = {
    404: "There is nothing at this address.",
    405: "This address does not take that method.",
    429: "Too many requests; wait a little and try again.",
}


def answer(body: dict | None, status: int = 200, headers: dict | None = None):
    text = json.dumps(body) if body is not None else ""
    response = current_app.response_class(text, status=status, mimetype=MEDIA_TYPE)
    response.headers.update(headers or {})
    return response


def refusal(status: int, detail: str, scim_type: str | None = None, headers: dict | None = None):
    """Roll back whatever the request did, and answer a SCIM error."""
    db.session.rollback()
    return answer(schemas.error_body(status, detail, scim_type), status, headers)


@bp.before_request
def require_token():
    """Refuse a request without a live provisioning token (401), before its body is read."""
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    token = services.token_for(presented.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        return refusal(401, "Send a live provisioning token: Authorization: Bearer <token>.",
                       headers={"WWW-Authenticate": 'Bearer realm="scim"'})
    if db.session.is_modified(token):
        db.session.commit()  # when it was last used, written apart from whatever the request goes on to do
    g.scim_token = token
    return None


@bp.errorhandler(SCIMException)
def scim_refusal(error: SCIMException):
    body = error.to_error()
    return refusal(body.status or error.status, body.detail or str(error), body.scim_type)


@bp.errorhandler(ValidationError)
def invalid_payload(error: ValidationError):
    """The first thing scim2-models found wrong with a payload, as the SCIM error it stands for."""
    first = Error.from_validation_errors(error)[0]
    return refusal(first.status or 400, first.detail or "The request is not valid.", first.scim_type)


@bp.errorhandler(IntegrityError)
def uniqueness_race(error):
    """Another request took the same e-mail or externalId between our check and our write."""
    return refusal(409, "Another person already has this userName or externalId.", "uniqueness")


@bp.errorhandler(StaleDataError)
def version_race(error):
    return refusal(409, "The User changed at the same moment; read it again.")


# The app answers these codes with web pages; a handler by code is found before one by class, so SCIM names
# each of them too.
@bp.errorhandler(400)
@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(409)
@bp.errorhandler(410)
@bp.errorhandler(413)
@bp.errorhandler(429)
@bp.errorhandler(HTTPException)
def http_refusal(error: HTTPException):
    status = error.code or 500
    if status == 413:
        detail = f"The body is larger than {current_app.config['SCIM_MAX_BODY_BYTES']} bytes."
    else:
        detail = HTTP_DETAILS.get(status) or error.description or error.name
    return refusal(status, detail, "invalidSyntax" if status == 400 else None)


def payload() -> dict:
    """The request's JSON object; anything else is invalidSyntax (RFC 7644 §3.12)."""
    if request.mimetype not in JSON_TYPES:
        raise InvalidSyntaxException(detail=f"Send the body as {MEDIA_TYPE}.")
    limit = current_app.config["SCIM_MAX_BODY_BYTES"]
    # The app-wide MAX_CONTENT_LENGTH bounds what is read at all; SCIM's own limit is smaller.
    if (request.content_length or 0) > limit:
        raise PayloadTooLargeException(detail=f"The body is larger than {limit} bytes.")
    raw = request.get_data(cache=False)
    if len(raw) > limit:  # a body sent in chunks, without Content-Length
        raise PayloadTooLargeException(detail=f"The body is larger than {limit} bytes.")
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise InvalidSyntaxException(detail="The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise InvalidSyntaxException(detail="The body must be a JSON object.")
    depth, unstorable = _shape(data)
    if depth > MAX_DEPTH:
        raise InvalidSyntaxException(detail=f"The body nests deeper than {MAX_DEPTH} levels; no SCIM User does.")
    if unstorable:
        raise InvalidValueException(detail="A value holds a NUL character or half a surrogate pair, "
                                           "which no attribute accepts.")
    return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _shape(data) -> tuple[int, bool]:
    """How deep a parsed body nests, and whether any key or text is one the database cannot store (a NUL,
    or a lone surrogate JSON's \\u escapes can spell); walked without recursion."""
    deepest, unstorable, pending = 0, False, [(data, 1)]
    while pending:
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        if isinstance(value, str):
            unstorable = unstorable or not _storable(value)
        elif isinstance(value, dict) and depth <= MAX_DEPTH:
            unstorable = unstorable or not all(_storable(key) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list) and depth <= MAX_DEPTH:
            pending.extend((item, depth + 1) for item in value)
    return deepest, unstorable


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def location_of(person_id: int) -> str:
    return url_for("scim.user", user_id=str(person_id), _external=True)


def user_answer(person, status: int = 200, context: Context = Context.RESOURCE_QUERY_RESPONSE):
    resource = schemas.resource_of(person, location_of(person.id))
    headers = {"ETag": resource.meta.version}
    if status == 201:
        headers["Location"] = resource.meta.location
    return answer(resource.model_dump(scim_ctx=context), status, headers)


# --- Users ---------------------------------------------------------------------------------------------------

@bp.route("/Users", methods=["GET"])
@public
def users():
    """List people, filtered and paged (RFC 7644 §3.4.2)."""
    unknown = set(request.args) - set(SEARCH_PARAMETERS) - {"sortBy", "sortOrder"}
    if unknown:
        raise InvalidValueException(detail=f"Unknown query parameter: {sorted(unknown)[0]}.")
    if len(request.args.get("filter", "")) > MAX_FILTER_LENGTH:
        raise InvalidFilterException(detail=f"The filter is longer than {MAX_FILTER_LENGTH} characters.")
    with PROVIDER:
        search = SearchRequest[ScimUser].model_validate(
            {name: request.args[name] for name in SEARCH_PARAMETERS if name in request.args})
    total, page = services.search(search)
    resources = [schemas.resource_of(person, location_of(person.id)) for person in page]
    listing = ListResponse[ScimUser](total_results=total, start_index=search.start_index or 1,
                                     items_per_page=len(resources), resources=resources)
    return answer(listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search))


@bp.route("/Users", methods=["POST"])
@public
def create_user():
    """Provision a person (RFC 7644 §3.3)."""
    data = payload()
    # Attributes the User schema does not define are refused, not ignored: RFC 7644 §3.3 leaves a server free
    # to refuse what it cannot keep, and invalidSyntax is §3.12's word for a body the schema does not describe.
    with PROVIDER:
        resource = ScimUser.model_validate(data, scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    person = services.create_person(g.scim_token, resource)
    db.session.commit()
    return user_answer(person, 201, Context.RESOURCE_CREATION_RESPONSE)


@bp.route("/Users/<user_id>", methods=["GET"])
@public
def user(user_id: str):
    person = services.person_or_404(user_id)
    return user_answer(person)


@bp.route("/Users/<user_id>", methods=["PUT"])
@public
def replace_user(user_id: str):
    """Replace a person's attributes (RFC 7644 §3.5.1); active=false deactivates them."""
    data = payload()
    person = services.person_or_404(user_id, for_update=True)
    services.require_version(person, location_of(person.id), request.headers.get("If-Match"))
    with PROVIDER:
        # readOnly attributes a client sends back (id, meta) are ignored, as §3.5.1 says.
        resource = ScimUser.model_validate(data, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    services.replace_person(g.scim_token, person, resource)
    db.session.commit()
    return user_answer(person, context=Context.RESOURCE_REPLACEMENT_RESPONSE)


@bp.route("/Users/<user_id>", methods=["PATCH"])
@public
def patch_user(user_id: str):
    """Apply add/replace/remove operations (RFC 7644 §3.5.2), in Okta's and Entra ID's shapes alike."""
    data = payload()
    person = services.person_or_404(user_id, for_update=True)
    services.require_version(person, location_of(person.id), request.headers.get("If-Match"))
    with PROVIDER:
        patch = PatchOp[ScimUser].model_validate(data, scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        services.patch_person(g.scim_token, person, patch, location_of(person.id))
    db.session.commit()
    return user_answer(person, context=Context.RESOURCE_PATCH_RESPONSE)


@bp.route("/Users/<user_id>", methods=["DELETE"])
@public
def delete_user(user_id: str):
    """Deprovision a person: they are deactivated, never removed (RFC 7644 §3.6 lets a provider keep them)."""
    person = services.person_or_404(user_id, for_update=True)
    services.require_version(person, location_of(person.id), request.headers.get("If-Match"))
    services.deactivate_person(g.scim_token, person)
    db.session.commit()
    return answer(None, 204)


# --- Discovery (RFC 7644 §4) -----------------------------------------------------------------------------------

def discovery_listing(resources: list, model) -> dict:
    listing = ListResponse[model](total_results=len(resources), start_index=1, items_per_page=len(resources),
                                  resources=resources)
    return listing.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


def with_meta(resource, resource_type: str, location: str):
    resource = resource.model_copy()
    resource.meta = Meta(resource_type=resource_type, location=location)
    return resource


@bp.route("/ServiceProviderConfig", methods=["GET"])
@public
def service_provider_config():
    config = with_meta(PROVIDER.config, "ServiceProviderConfig",
                       url_for("scim.service_provider_config", _external=True))
    return answer(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def resource_types_list() -> list:
    return [with_meta(rt, "ResourceType", url_for("scim.resource_type", name=rt.name, _external=True))
            for rt in PROVIDER.resource_types]


def schemas_list() -> list:
    return [with_meta(schema, "Schema", url_for("scim.schema", schema_id=schema.id, _external=True))
            for schema in PROVIDER.schemas]


@bp.route("/ResourceTypes", methods=["GET"])
@public
def resource_types():
    return answer(discovery_listing(resource_types_list(), ResourceType))


@bp.route("/ResourceTypes/<name>", methods=["GET"])
@public
def resource_type(name: str):
    found = next((rt for rt in resource_types_list() if rt.name == name), None)
    if found is None:
        raise NotFoundException(detail=f"No resource type is called {name!r}.")
    return answer(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@bp.route("/Schemas", methods=["GET"])
@public
def schemas_index():
    return answer(discovery_listing(schemas_list(), Schema))


@bp.route("/Schemas/<schema_id>", methods=["GET"])
@public
def schema(schema_id: str):
    found = next((each for each in schemas_list() if each.id == schema_id), None)
    if found is None:
        raise NotFoundException(detail=f"No schema has the id {schema_id!r}.")
    return answer(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@public
def elsewhere(rest: str):
    """Anything else under /scim/v2 (Groups, Bulk, /Me) is not served: a SCIM 404, not a web page."""
    raise NotFoundException(detail=f"This service does not serve {request.method} /{rest}.")
