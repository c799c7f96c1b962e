"""Whole numbers from URLs, query strings and forms: ASCII digits only, within what the id columns hold.

`str.isdigit()` accepts "²" and "٣", which `int()` refuses or reads as 3, and
Python's ints have no upper bound while the database's do: a 20-digit id made
SQLite raise OverflowError and PostgreSQL a DataError. Every number a request
carries is read here instead.
"""

import re

from flask import abort
from werkzeug.routing import IntegerConverter

# The id columns (migrations/versions/0001) are INTEGER: 32-bit signed on PostgreSQL.
ID_MAX = 2**31 - 1
_WHOLE_NUMBER = re.compile(r"-?[0-9]+", re.ASCII)


def parse_int(value, *, minimum: int = 0, maximum: int = ID_MAX) -> int | None:
    """Return `value` as an int if it is one written in ASCII digits within [minimum, maximum], else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value) and len(value) <= 20:
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def coerce_int(value) -> int:
    """Coerce a form choice for WTForms: anything `parse_int` refuses is a ValueError, shown as a bad choice."""
    number = parse_int(value)
    if number is None:
        raise ValueError(f"{value!r} is not a whole number the app knows")
    return number


def int_arg(args, name: str, *, minimum: int = 0, maximum: int = ID_MAX) -> int | None:
    """Read an optional whole-number query parameter; absent or empty is None, anything else not a number is 400."""
    value = args.get(name, "")
    if value == "":
        return None
    number = parse_int(value, minimum=minimum, maximum=maximum)
    if number is None:
        abort(400, description=f"“{name}” must be a whole number from {minimum} to {maximum}.")
    return number


class IdConverter(IntegerConverter):
    """Flask's `int` converter, bounded to the id columns and to ASCII digits: any other id is simply not found."""

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)
