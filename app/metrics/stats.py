"""Small statistics the database does not do portably: shares, and distributions with their medians,
percentiles and buckets."""

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate


def share(part: int, whole: int) -> float | None:
    """Return part of whole in percent, one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


class Distribution:
    """Values with how often each occurs: medians, percentiles and buckets without a list of every value.

    The metrics keep durations to to three significant digits (`tally.kept`, within half a percent), so a
    company's whole history has a few thousand distinct values however many loops it ran,
    and its all-time figures cost what a month's do.
    """

    __slots__ = ("_counts", "_size", "_items", "_ranks")

    def __init__(self, counts: Mapping[float, int] | None = None):
        self._counts = Counter({value: n for value, n in (counts or {}).items() if n > 0})
        self._size = sum(self._counts.values())
        self._items: list[tuple[float, int]] | None = None
        self._ranks: tuple[list[float], list[int]] | None = None

    @classmethod
    def of(cls, values: Iterable[float]) -> "Distribution":
        return cls(Counter(values))

    @classmethod
    def of_stored(cls, stored: list, per: float = 1, unit: float = 1) -> "Distribution":
        """From [value, how often] pairs as a rollup row stores them (increasing values, each counted at least
        once), every value divided by `per`, then by `unit` (as the direct computation divides: the same
        floats). An all-time row holds thousands of pairs a figure: they are checked, scaled and ranked in a few
        passes made in C, not pair by pair."""
        if not stored:
            return cls()
        values, counts = zip(*stored, strict=True)
        if list(values) != sorted(values) or len(set(values)) != len(values) or min(counts) <= 0:
            return cls(_summed((value / per / unit, n) for value, n in stored))
        scaled = [value / per / unit for value in values]
        made = cls.__new__(cls)
        made._counts, made._items = None, list(zip(scaled, counts, strict=True))
        made._ranks = scaled, list(accumulate(counts))
        made._size = made._ranks[1][-1]
        return made

    @property
    def counts(self) -> Counter:
        if self._counts is None:
            self._counts = Counter(dict(self._items))
        return self._counts

    def __len__(self) -> int:
        return self._size

    def __add__(self, other: "Distribution") -> "Distribution":
        """Both distributions' values. The larger's pairs are copied and sorted in C (an all-time step's stays,
        thousands of pairs, plus the open loops' current stays, a few hundred)."""
        if not other._size:
            return self
        if not self._size:
            return other
        large, small = (self, other) if len(self.items()) >= len(other.items()) else (other, self)
        merged = dict(large.items())
        get = merged.get
        for value, n in small.items():
            merged[value] = get(value, 0) + n
        made = Distribution.__new__(Distribution)
        made._counts, made._items, made._ranks = None, sorted(merged.items()), None
        made._size = self._size + other._size
        return made

    def __eq__(self, other) -> bool:
        return isinstance(other, Distribution) and self.items() == other.items()

    def __repr__(self) -> str:
        return f"Distribution({self.items()})"

    def __iter__(self):
        """Every value as often as it occurs, smallest first (for a few values: a history's are many)."""
        for value, n in self.items():
            yield from [value] * n

    def items(self) -> list[tuple[float, int]]:
        """(value, how often), smallest value first (sorted once: a table reads several percentiles)."""
        if self._items is None:
            self._items = sorted(self._counts.items())
        return self._items

    def _ranked(self) -> tuple[list[float], list[int]]:
        """The values in order, and how many values are each one or smaller."""
        if self._ranks is None:
            items = self.items()
            self._ranks = [value for value, _ in items], list(accumulate(n for _, n in items))
        return self._ranks

    def at_most(self, limit: float) -> int:
        values, seen = self._ranked()
        index = bisect_right(values, limit)
        return seen[index - 1] if index else 0

    def percentile(self, q: float) -> float | None:
        """The q-th percentile (0-100), as `percentile` gives it for the list of every value."""
        if not self._size:
            return None
        values, seen = self._ranked()
        rank = (self._size - 1) * q / 100
        low, high = math.floor(rank), math.ceil(rank)
        at_low, at_high = values[bisect_right(seen, low)], values[bisect_right(seen, high)]
        return at_low + (at_high - at_low) * (rank - low)

    def median(self) -> float | None:
        return self.percentile(50)

    def bucket_counts(self, edges: Sequence[float]) -> list[int]:
        """How many values fall in each bucket: below the first edge, from each edge to the next, and from the
        last edge up (a value on an edge counts in the bucket the edge opens)."""
        values, seen = self._ranked()
        below = [seen[index - 1] if index else 0 for index in (bisect_left(values, edge) for edge in edges)]
        below.append(self._size)
        return [n - previous for n, previous in zip(below, [0] + below[:-1], strict=True)]


def _summed(items) -> dict:
    found: dict = {}
    for value, n in items:
        found[value] = found.get(value, 0) + n
    return found
