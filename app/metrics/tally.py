"""A tally: what some loops add to the metrics, as named counts and named distributions of durations.

Tallies add and subtract, so a month's rollup is the sum of its loops' tallies
and a change to one loop is its new tally minus its old. Durations are kept in
whole microseconds to three significant digits (`kept`, within half a percent), by the rollups
and the direct computation alike, so both give the same figures, and a
distribution holds a few thousand distinct values however many loops it counts.
"""

import sys
from array import array
from base64 import b64decode, b64encode
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import accumulate
from operator import sub

MICROSECOND = timedelta(microseconds=1)
BREAKDOWN = ("loops", "open", "verdicts", "vetoes")  # all the per-org-unit and per-bar-raiser tables need
# A bar raiser's record on the program page: decided debriefs, and those where their call matched the decision.
# Only the per-bar-raiser rows keep them.
RECORD = ("decided", "agreed")


def microseconds(delta: timedelta) -> int:
    return delta // MICROSECOND


def kept(us: int) -> int:
    """A duration in microseconds as the metrics keep it: rounded to three significant digits (half up), so
    within half a percent (2 hours is kept exactly, 2 days as 2.0023 days)."""
    magnitude = abs(us)
    if magnitude < 1000:
        return us
    unit = 10 ** (len(str(magnitude)) - 3)
    whole, rest = divmod(magnitude, unit)
    magnitude = (whole + (2 * rest >= unit)) * unit
    return magnitude if us > 0 else -magnitude


def kept_duration(delta: timedelta) -> int:
    return kept(microseconds(delta))


# A distribution of this many distinct values or more is stored packed: two arrays of 64-bit integers in base64,
# the values in increasing order and how many values are each one or smaller. A rollup row's distributions hold
# thousands of values (a company's history); packed, a page reads them without a Python object per value.
PACKED_FROM = 33


def pack(pairs: list) -> dict | list:
    """[value, how often] pairs (increasing values) as stored: packed when they are many and every count is
    positive (a running count must only grow), as the pairs otherwise."""
    if len(pairs) < PACKED_FROM or min(n for _, n in pairs) <= 0:
        return pairs
    values, at_most = array("q", (value for value, _ in pairs)), array("q", accumulate(n for _, n in pairs))
    if sys.byteorder == "big":
        values.byteswap()
        at_most.byteswap()
    return {"values": b64encode(values.tobytes()).decode(), "at_most": b64encode(at_most.tobytes()).decode()}


def unpack(stored: dict) -> tuple[array, array]:
    """A packed distribution as (values, how many values are each one or smaller), both in increasing order."""
    values, at_most = array("q", b64decode(stored["values"])), array("q", b64decode(stored["at_most"]))
    if sys.byteorder == "big":
        values.byteswap()
        at_most.byteswap()
    if len(values) != len(at_most):
        raise ValueError("a packed distribution's two arrays differ in length")
    return values, at_most


def pairs(stored: list | dict) -> list:
    """A stored distribution as [value, how often] pairs, however stored: packed, as pairs, or as a list of
    every value (how rows written before migration 0020 hold them, until `flask rebuild-metrics` or a change
    rewrites them), which is kept and counted."""
    if isinstance(stored, dict):
        values, at_most = unpack(stored)
        return [[value, n] for value, n in zip(values, map(sub, at_most, [0, *at_most[:-1]]), strict=True)]
    if stored and not isinstance(stored[0], list):
        return [[value, n] for value, n in sorted(Counter(map(kept, stored)).items())]
    return stored


def month_of(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


class Tally:
    def __init__(self, data: dict | None = None):
        data = data or {}
        self.counts: Counter = Counter(data.get("c", {}))
        self.values: dict[str, Counter] = {name: Counter(dict(map(tuple, pairs(stored))))
                                           for name, stored in data.get("v", {}).items()}

    def count(self, name: str, n: int = 1) -> None:
        if n:
            self.counts[name] += n

    def value(self, name: str, value: int) -> None:
        """Record a duration already `kept`."""
        self.values.setdefault(name, Counter())[value] += 1

    def add(self, other: "Tally", sign: int = 1) -> None:
        for name, n in other.counts.items():
            self.counts[name] += sign * n
        for name, values in other.values.items():
            mine = self.values.setdefault(name, Counter())
            for value, n in values.items():
                mine[value] += sign * n

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)

    def names(self, prefix: str) -> Iterable[str]:
        return (name for name in self.counts if name.startswith(prefix))

    def as_data(self) -> dict:
        """The tally as JSON: zero counts left out, each distribution as sorted [value, how often] pairs (`pack`ed
        when many), so equal tallies store alike."""
        counts = {name: n for name, n in sorted(self.counts.items()) if n}
        values = {name: pack([[value, n] for value, n in sorted(values.items()) if n])
                  for name, values in sorted(self.values.items()) if any(n for n in values.values())}
        return {"c": counts, "v": values}

    def only(self, names: Iterable[str]) -> "Tally":
        """The named counts alone."""
        part = Tally()
        for name in names:
            part.count(name, self.counts.get(name, 0))
        return part

    def less(self, names: Iterable[str]) -> "Tally":
        """The same counts and values, less the named counts."""
        part, names = Tally(), set(names)
        part.counts = Counter({name: n for name, n in self.counts.items() if name not in names})
        part.values = self.values
        return part

    def without(self, value_name: str) -> "Tally":
        """The same counts and values, less one list of values."""
        part = Tally()
        part.counts = self.counts
        part.values = {name: values for name, values in self.values.items() if name != value_name}
        return part

    def split(self) -> tuple["Tally", dict[int, "Tally"], dict[int, bool]]:
        """Part the tally: what every reader counts; what each reader may count (`r:<id>:...`); and the
        participants (`p:<id>`), each with whether they watch the loop's submissions (`w:<id>`)."""
        general, readers, members = Tally(), {}, {}
        for name, n in self.counts.items():
            if name.startswith("r:"):
                _, reader, rest = name.split(":", 2)
                readers.setdefault(int(reader), Tally()).count(rest, n)
            elif name.startswith("p:"):
                if n:
                    members[int(name[2:])] = bool(self.counts.get(f"w:{name[2:]}"))
            elif not name.startswith("w:"):
                general.count(name, n)
        general.values = self.values
        return general, readers, members

    @property
    def is_empty(self) -> bool:
        data = self.as_data()
        return not data["c"] and not data["v"]
