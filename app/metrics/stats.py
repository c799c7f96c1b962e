"""Small statistics the database does not do portably: medians, percentiles, buckets."""

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from functools import partial


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the q-th percentile (0-100), interpolating linearly between ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)


def share(part: int, whole: int) -> float | None:
    """Return part of whole in percent, one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def bucket_counts(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    """Count values into len(edges) + 1 buckets: below edges[0], [edges[0], edges[1]), ..., edges[-1] and up."""
    # A value's bucket is the number of edges at or below it; edges are ascending.
    counts = Counter(map(partial(bisect_right, edges), values))
    return [counts[i] for i in range(len(edges) + 1)]
