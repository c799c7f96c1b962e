"""Small statistics the database does not do portably: shares, and distributions with their medians,
percentiles and buckets."""

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate
from operator import sub

from app.metrics.tally import unpack


def share(part: int, whole: int) -> float | None:
    """Return part of whole in percent, one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


class Distribution:
    """Values with how often each occurs: medians, percentiles and buckets without a list of every value.

    The metrics keep durations to three significant digits (`tally.kept`, within half a percent), so a
    company's whole history has a few thousand distinct values however many loops it ran, and its all-time
    figures cost what a month's do. A distribution is kept as parts, each added or taken away (a period read
    as all time less the years and months outside it), and read without merging them: how many values are at
    most x is each part's count at x, added or taken away, a bisection per part; a percentile is found by
    bisecting on those counts. Values are held as stored (microseconds) and reported divided by `per`, then by
    `unit`, as the direct computation divides them: the same floats.
    """

    __slots__ = ("_parts", "_per", "_unit", "_size", "_items", "_percentiles")

    def __init__(self, counts: Mapping[float, int] | None = None, per: float = 1, unit: float = 1):
        found = sorted((value, n) for value, n in (counts or {}).items() if n > 0)
        self._per, self._unit, self._items, self._percentiles = per, unit, None, {}
        self._parts: list[tuple[int, Sequence, Sequence[int]]] = []  # (sign, values, how many at most each)
        if found:
            values, many = (list(column) for column in zip(*found, strict=True))
            self._parts.append((1, values, list(accumulate(many))))
        self._size = sum(sign * seen[-1] for sign, _, seen in self._parts)

    @classmethod
    def of(cls, values: Iterable[float], per: float = 1, unit: float = 1) -> "Distribution":
        return cls(Counter(values), per, unit)

    @classmethod
    def of_stored(cls, stored: list | dict, per: float = 1, unit: float = 1) -> "Distribution":
        """From a distribution as a rollup row stores it, reported divided by `per`, then by `unit`."""
        return cls.of_parts([(1, stored)], per, unit)

    @classmethod
    def of_parts(cls, parts: Iterable[tuple[int, list | dict]], per: float = 1, unit: float = 1) -> "Distribution":
        """The sum of stored distributions, each (sign, as stored): added (1) or taken away (-1). Packed
        (`tally.pack`, as a rollup row holds thousands of values) they are read as they are; as [value, how often]
        pairs they are checked and ranked in a few passes made in C. They are never merged with each other."""
        made = cls.__new__(cls)
        made._per, made._unit, made._items, made._percentiles, made._parts = per, unit, None, {}, []
        for sign, stored in parts:
            if isinstance(stored, dict):
                values, seen = unpack(stored)
                if values:
                    made._parts.append((sign, values, seen))
                continue
            if not stored:
                continue
            values, many = (list(column) for column in zip(*stored, strict=True))
            if values != sorted(values) or len(set(values)) != len(values) or min(many) <= 0:
                found = sorted(_summed(zip(values, many, strict=True)).items())
                found = [(value, n) for value, n in found if n > 0]
                if not found:
                    continue
                values, many = (list(column) for column in zip(*found, strict=True))
            made._parts.append((sign, values, list(accumulate(many))))
        made._size = sum(sign * seen[-1] for sign, _, seen in made._parts)
        return made

    def __len__(self) -> int:
        return self._size

    def _scaled(self, value: float) -> float:
        return value / self._per / self._unit

    def __add__(self, other: "Distribution") -> "Distribution":
        """Both distributions' values: their parts side by side (a step's finished stays, from the rollups, and
        the open loops' current stays)."""
        if not other._size:
            return self
        if not self._size:
            return other
        if (self._per, self._unit) == (other._per, other._unit):
            made = Distribution.__new__(Distribution)
            made._per, made._unit, made._items, made._percentiles = self._per, self._unit, None, {}
            made._parts, made._size = self._parts + other._parts, self._size + other._size
            return made
        return Distribution(_summed(self.items() + other.items()))

    def __eq__(self, other) -> bool:
        return isinstance(other, Distribution) and self.items() == other.items()

    def __repr__(self) -> str:
        return f"Distribution({self.items()})"

    def __iter__(self):
        """Every value as often as it occurs, smallest first (for a few values: a history's are many)."""
        for value, n in self.items():
            yield from [value] * n

    def items(self) -> list[tuple[float, int]]:
        """(value, how often), smallest value first, the parts merged (for a few values, and for tests)."""
        if self._items is None:
            found: dict = {}
            for sign, values, seen in self._parts:
                for value, n in zip(values, map(sub, seen, [0, *seen[:-1]]), strict=True):
                    found[value] = found.get(value, 0) + sign * n
            merged = ((value, n) for value, n in sorted(found.items()) if n)
            self._items = [(self._scaled(value), n) for value, n in merged]
        return self._items

    def stored_at_most(self, limit: float) -> int:
        """How many values are at most `limit`, as stored (before dividing by `per` and `unit`)."""
        total = 0
        for sign, values, seen in self._parts:
            index = bisect_right(values, limit)
            if index:
                total += sign * seen[index - 1]
        return total

    def at_most(self, limit: float) -> int:
        return self._below(limit, bisect_right)

    def _below(self, limit: float, bisect) -> int:
        """How many values are at most `limit` (`bisect_right`) or under it (`bisect_left`), as reported."""
        total, key = 0, None if (self._per, self._unit) == (1, 1) else self._scaled
        for sign, values, seen in self._parts:
            index = bisect(values, limit, key=key)
            if index:
                total += sign * seen[index - 1]
        return total

    def _at_rank(self, rank: int) -> float:
        """The smallest stored value with more than `rank` values at most it (0 <= rank < len)."""
        if len(self._parts) == 1:
            _, values, seen = self._parts[0]
            return values[bisect_right(seen, rank)]
        # The value is one of a part added: bisect on the largest such part's values, then look among the values
        # of every part added between the two found (none, mostly: the largest holds the others' values).
        added = [values for sign, values, _ in self._parts if sign > 0]
        grid = max(added, key=len)
        # The first value more than `rank` values are at most (the counts only grow along a part's values).
        count = self.stored_at_most
        low = bisect_right(grid, rank, key=count)
        after = grid[low - 1] if low else None
        until = grid[low] if low < len(grid) else None
        between: set = set()
        for values in added:
            start = 0 if after is None else bisect_right(values, after)
            stop = len(values) if until is None else bisect_right(values, until)
            between.update(values[start:stop])
        ordered = sorted(between)
        return ordered[bisect_right(ordered, rank, key=count)]

    def percentile(self, q: float) -> float | None:
        """The q-th percentile (0-100), as `percentile` gives it for the list of every value (found once: a page
        shows a median in a tile, a table and a chart)."""
        if self._size <= 0:
            return None
        found = self._percentiles.get(q)
        if found is None:
            rank = (self._size - 1) * q / 100
            low, high = math.floor(rank), math.ceil(rank)
            at_low = self._scaled(self._at_rank(low))
            at_high = at_low if high == low else self._scaled(self._at_rank(high))
            found = self._percentiles[q] = at_low + (at_high - at_low) * (rank - low)
        return found

    def median(self) -> float | None:
        return self.percentile(50)

    def bucket_counts(self, edges: Sequence[float]) -> list[int]:
        """How many values fall in each bucket: below the first edge, from each edge to the next, and from the
        last edge up (a value on an edge counts in the bucket the edge opens)."""
        below = [self._below(edge, bisect_left) for edge in edges]
        below.append(self._size)
        return [n - previous for n, previous in zip(below, [0] + below[:-1], strict=True)]


def _summed(items) -> dict:
    found: dict = {}
    for value, n in items:
        found[value] = found.get(value, 0) + n
    return found
