"""Small statistics the database does not do portably: medians, percentiles, buckets."""

import math
from collections.abc import Sequence


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
    counts = [0] * (len(edges) + 1)
    for value in values:
        counts[sum(1 for edge in edges if value >= edge)] += 1
    return counts
