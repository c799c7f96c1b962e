"""A SCIM filter, parsed by scim2-models, turned into a SQL condition on people.

The library parses the filter and checks it against the User schema; this
visitor only maps the attributes the app keeps onto its columns. An attribute
the app does not keep (title, phoneNumbers, ...) or a comparison it cannot make
is refused as invalidFilter rather than silently matching nothing.
"""

from scim2_models import InvalidFilterException
from scim2_models.path import FilterVisitor
from scim2_models.path.expressions import CompareOperator, LogicalOperator
from sqlalchemy import and_, false, func, not_, or_, true

from app.integers import parse_int
from app.people.models import User

# attribute path (case folded) -> (column, kind); strings that are not caseExact are compared lower-cased.
ATTRIBUTES = {
    "username": (User.email, "text"),
    "emails": (User.email, "text"),
    "emails.value": (User.email, "text"),
    "externalid": (User.external_id, "exact"),
    "displayname": (User.name, "text"),
    "name.formatted": (User.name, "text"),
    "active": (User.active, "bool"),
    "id": (User.id, "id"),
}
CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:user"


MAX_COMPARISONS = 20  # a filter's terms; each is a condition the database nests


class PersonFilter(FilterVisitor):
    """Build a SQLAlchemy condition from a parsed filter."""

    def __init__(self):
        self.comparisons = 0

    def visit(self, node):
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise InvalidFilterException(detail=f"The filter has more than {MAX_COMPARISONS} terms.")
        return super().visit(node)

    def column_of(self, attr_path):
        if attr_path.uri is not None and attr_path.uri.casefold() != CORE_USER:
            raise InvalidFilterException(detail=f"Filtering on {attr_path} is not supported.")
        key = attr_path.attr.casefold() + (f".{attr_path.sub_attr.casefold()}" if attr_path.sub_attr else "")
        if key not in ATTRIBUTES:
            raise InvalidFilterException(detail=f"Filtering on {attr_path} is not supported.")
        return ATTRIBUTES[key]

    def visit_comparison(self, node):
        column, kind = self.column_of(node.attr_path)
        op, value = node.op, node.value
        if kind == "bool":
            return self.boolean(column, op, value, node)
        if kind == "id":
            if op not in (CompareOperator.eq, CompareOperator.ne) or not isinstance(value, str):
                raise InvalidFilterException(detail=f"{node.attr_path} takes eq or ne and a string.")
            number = parse_int(value, minimum=1)
            matches = column == number if number is not None else false()
            return matches if op == CompareOperator.eq else not_(matches)
        if not isinstance(value, str):
            raise InvalidFilterException(detail=f"{node.attr_path} compares with a string.")
        if kind == "text":
            column, value = func.lower(column), value.lower()
        if op == CompareOperator.eq:
            return column == value
        if op == CompareOperator.ne:
            return or_(column != value, column.is_(None))
        if op == CompareOperator.co:
            return column.contains(value, autoescape=True)
        if op == CompareOperator.sw:
            return column.startswith(value, autoescape=True)
        if op == CompareOperator.ew:
            return column.endswith(value, autoescape=True)
        raise InvalidFilterException(detail=f"{node.attr_path} does not take {op.value}.")

    def boolean(self, column, op, value, node):
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"  # Entra ID quotes its booleans
        if op not in (CompareOperator.eq, CompareOperator.ne) or not isinstance(value, bool):
            raise InvalidFilterException(detail=f"{node.attr_path} takes eq or ne and true or false.")
        return column == value if op == CompareOperator.eq else column != value

    def visit_present(self, node):
        column, _kind = self.column_of(node.attr_path)
        return column.is_not(None) if column is not User.id else true()

    def visit_not(self, node):
        return not_(self.visit(node.expr))

    def visit_logical_expr(self, node):
        terms = [self.visit(term) for term in node.terms]
        return and_(*terms) if node.op == LogicalOperator.and_ else or_(*terms)

    def visit_value_path(self, node):
        raise InvalidFilterException(detail=f"Filtering on {node.attr_path}[...] is not supported.")


def condition_of(scim_filter):
    """The SQL condition of a filter scim2-models has parsed and checked."""
    return PersonFilter().visit(scim_filter.ast)
