"""The OpenAPI document and a reference page drawn from it on the server: nothing from a CDN, no script."""

from flask import Blueprint, current_app, json, render_template

from app.api import spec_of
from app.auth.gate import public_blueprint

bp = public_blueprint(Blueprint("api_docs", __name__, url_prefix="/api/v1"))

METHODS = ("get", "post", "put", "patch", "delete")


@bp.route("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document of the API, as the code declares it."""
    return current_app.response_class(json.dumps(spec_of(current_app).to_dict(), indent=2),
                                      mimetype="application/json")


def resolve(spec: dict, node):
    """Follow a local $ref ("#/components/schemas/X") to what it names."""
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def fields_of(spec: dict, schema) -> list[dict]:
    """A schema's properties as rows: name, type, required, description."""
    schema = resolve(spec, schema or {})
    required = set(schema.get("required", []))
    rows = []
    for name, prop in (schema.get("properties") or {}).items():
        prop = resolve(spec, prop)
        kind = prop.get("type", "object")
        kind = " or ".join(kind) if isinstance(kind, list) else kind
        if prop.get("enum"):
            kind += ": " + ", ".join(str(v) for v in prop["enum"] if v is not None)
        rows.append({"name": name, "type": kind, "required": name in required,
                     "description": prop.get("description", "")})
    return rows


@bp.route("/docs")
def reference():
    """The API's reference page: each operation with its parameters, body and answers."""
    spec = spec_of(current_app).to_dict()
    operations = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            responses = []
            for code, answer in sorted(op.get("responses", {}).items()):
                answer = resolve(spec, answer)
                schema = next(iter((answer.get("content") or {}).values()), {}).get("schema")
                responses.append({"code": code, "description": answer.get("description", ""),
                                  "fields": fields_of(spec, schema) if code.startswith("2") else []})
            parameters = [resolve(spec, p) for p in item.get("parameters", []) + op.get("parameters", [])]
            operations.append({
                "id": op.get("operationId") or f"{method}-{path}", "method": method.upper(), "path": path,
                "summary": op.get("summary", ""), "description": op.get("description", ""),
                "tag": (op.get("tags") or [""])[0], "parameters": parameters,
                "body": fields_of(spec, body) if body else [], "responses": responses,
            })
    return render_template("api/docs.html", spec=spec, operations=operations)
