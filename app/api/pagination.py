"""Cursor pagination: lists are read in id order after an opaque, signed cursor, `limit` at a time.

The cursor is the last id a page held, signed with itsdangerous so a client
can hand it back but not forge or edit it; a page answers the items and a
`next` link (null on the last page), also sent as a `Link: rel="next"` header.
A list never costs more than `limit` rows whatever the history.
"""

import marshmallow as ma
from flask import current_app, request, url_for
from flask_smorest import abort
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select

from app.extensions import db
from app.integers import ID_MAX

DEFAULT_LIMIT, MAX_LIMIT = 25, 100


class PageArgs(ma.Schema):
    """The query arguments every list takes."""

    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=ma.validate.Range(1, MAX_LIMIT),
                              metadata={"description": f"Items per page, 1 to {MAX_LIMIT}."})
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200),
                              metadata={"description": "The `next` link's cursor, as it was given."})


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page of `item_schema` items, for the OpenAPI document."""
    return ma.Schema.from_dict({
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "next": ma.fields.String(allow_none=True, required=True,
                                 metadata={"description": "The next page's address, or null on the last page."}),
    }, name=name)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api-cursor")


def after_id(cursor: str | None) -> int:
    """Read a cursor back to the id it stands after; a forged or garbled one is a 422 on `cursor`."""
    if cursor is None:
        return 0
    try:
        value = _serializer().loads(cursor)
    except BadSignature:
        value = None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= ID_MAX:
        abort(422, errors={"cursor": ["This cursor is not one this API gave out; start from the first page."]})
    return value


def paginate(query: Select, id_column, args: dict, dump, load=None):
    """Run `query` for one page after the cursor; return (items as dumped, next link or None).

    `load`, if given, is handed the page's rows (in ascending id) before they are dumped, to read what they
    hold in one statement of its own.
    """
    limit = args["limit"]
    rows = db.session.scalars(query.where(id_column > after_id(args.get("cursor")))
                              .order_by(id_column).limit(limit + 1)).unique().all()
    if load is not None and rows[:limit]:
        load(rows[:limit])
    items = [dump(row) for row in rows[:limit]]
    next_link = None
    if len(rows) > limit:
        query_args = {k: v for k, v in request.args.items() if k != "cursor"}
        query_args["cursor"] = _serializer().dumps(rows[limit - 1].id)
        next_link = url_for(request.endpoint, **(request.view_args or {}), **query_args, _external=True)
    return items, next_link
