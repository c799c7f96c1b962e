"""Small statistics the database does not do portably: shares, and distributions with their medians,
percentiles and buckets."""

import math
from bisect import bisect_right
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

    __slots__ = ("counts", "_size", "_items", "_ranks")

    def __init__(self, counts: Mapping[float, int] | None = None):
        self.counts = Counter({value: n for value, n in (counts or {}).items() if n > 0})
        self._size = sum(self.counts.values())
        self._items: list[tuple[float, int]] | None = None
        self._ranks: tuple[list[float], list[int]] | None = None

    @classmethod
    def of(cls, values: Iterable[float]) -> "Distribution":
        return cls(Counter(values))

    def __len__(self) -> int:
        return self._size

    def __add__(self, other: "Distribution") -> "Distribution":
        return Distribution(self.counts + other.counts)

    def __eq__(self, other) -> bool:
        return isinstance(other, Distribution) and self.counts == other.counts

    def __repr__(self) -> str:
        return f"Distribution({sorted(self.counts.items())})"

    def __iter__(self):
        """Every value as often as it occurs, smallest first (for a few values: a history's are many)."""
        for value, n in self.items():
            yield from [value] * n

    def items(self) -> list[tuple[float, int]]:
        """(value, how often), smallest value first (sorted once: a table reads several percentiles)."""
        if self._items is None:
            self._items = sorted(self.counts.items())
        return self._items

    def at_most(self, limit: float) -> int:
        return sum(n for value, n in self.counts.items() if value <= limit)

    def percentile(self, q: float) -> float | None:
        """The q-th percentile (0-100), as `percentile` gives it for the list of every value."""
        if not self._size:
            return None
        if self._ranks is None:
            items = self.items()
            self._ranks = [value for value, _ in items], list(accumulate(n for _, n in items))
        values, seen = self._ranks  # seen[i]: how many values are values[i] or smaller
        rank = (self._size - 1) * q / 100
        low, high = math.floor(rank), math.ceil(rank)
        at_low, at_high = values[bisect_right(seen, low)], values[bisect_right(seen, high)]
        return at_low + (at_high - at_low) * (rank - low)

    def median(self) -> float | None:
        return self.percentile(50)

    def bucket_counts(self, edges: Sequence[float]) -> list[int]:
        counts = Counter()
        for value, n in self.counts.items():
            counts[bisect_right(edges, value)] += n
        return [counts[i] for i in range(len(edges) + 1)]
