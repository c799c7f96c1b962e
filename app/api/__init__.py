"""The JSON API at /api/v1 for applicant-tracking systems, described by an OpenAPI 3.1 document made from the code.

flask-smorest (with apispec and marshmallow) reads the schemas and routes of
the resource modules into the document; the app keeps its own error pages,
and every error under /api/v1 is answered as problem details (`problems`).
"""

import marshmallow as ma
from flask import Flask
from flask_smorest import Api

API_TITLE = "Bar Raiser API"
API_VERSION = "1"


class ProblemSchema(ma.Schema):
    """Problem details (RFC 9457), as every error under /api/v1 answers."""

    type = ma.fields.String(metadata={"description": "Always about:blank: the status says what kind."})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(metadata={"description": "What went wrong, in words."})
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
                            metadata={"description": "Field name to its messages, for input at fault."})
    unmet = ma.fields.List(ma.fields.String(), metadata={"description": "The conditions a step still needs."})


class BarRaiserApi(Api):
    """flask-smorest's Api without its app-wide JSON error handler and its documentation blueprint.

    The pages keep their HTML error pages; the API's errors are answered in
    `problems`, and its document and reference page are served by `docs`.
    """

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass

    def _register_doc_blueprint(self):
        pass


def spec_of(app: Flask):
    """The app's OpenAPI document (an apispec APISpec)."""
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec


def register_api(app: Flask) -> None:
    """Register the API's blueprints and the document's security scheme."""
    from app.api import candidates, docs, interviews, loops, requisitions
    from app.api.problems import PROBLEM_TYPE

    app.config.setdefault("API_TITLE", API_TITLE)
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Personal access tokens act as their person and never more: every permission "
                                "and the blind-feedback rule of the pages apply. Errors are problem details "
                                "(RFC 9457)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
    })
    api = BarRaiserApi(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                                   "description": "A personal access token (hrt_pat_…)."})
    for module in (requisitions, candidates, loops, interviews):
        api.register_blueprint(module.bp)
    for response in api.spec.components.responses.values():  # flask-smorest's own 422 and default answers
        if "application/json" in response.get("content", {}):
            response["content"] = {PROBLEM_TYPE: response["content"]["application/json"]}
    app.register_blueprint(docs.bp)
