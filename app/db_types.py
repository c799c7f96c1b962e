"""Column types and constraint helpers shared by every model."""

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, Integer, String, any_, bindparam, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeDecorator

from app.extensions import db


def among(column, keys: Iterable[int]):
    """`column IN keys` for integer keys, a few or a table's thousands, bound cheaply.

    One by one, thousands of bound keys cost the driver more than the database takes to read their rows:
    PostgreSQL takes them as one array (`= ANY`); SQLite binds each in C.
    """
    keys = sorted(keys)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, keys, type_=ARRAY(Integer)))
    return column.in_(keys)


def constant(value):
    """A constant written into the statement rather than bound. PostgreSQL plans a statement psycopg has prepared
    (from its sixth run) once for any parameters: where the arms of an OR read different ranges of an index by a
    constant (a span of rollup rows), bound it can use none of them, and reads every row of the key before it."""
    return literal(value, literal_execute=True)


class UTCDateTime(TypeDecorator):
    """Store times in UTC and always hand back timezone-aware values.

    SQLite keeps no zone, so values are written as naive UTC and given their
    zone back on the way out; PostgreSQL stores `timestamptz`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store timezone-aware values only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def one_of(column: str, choices: type[StrEnum], name: str | None = None) -> CheckConstraint:
    """Return a named CHECK that keeps `column` within an enum's values."""
    quoted = ", ".join(f"'{choice.value}'" for choice in choices)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_valid")


def not_blank(column: str) -> CheckConstraint:
    """Return a named CHECK that refuses an empty or all-space text."""
    return CheckConstraint(f"length(trim({column})) > 0", name=f"{column}_not_blank")


class EnumString(TypeDecorator):
    """Store a StrEnum as its text value and hand back the enum member, labels and all."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[StrEnum], length: int = 16):
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect):
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum_class(value)
