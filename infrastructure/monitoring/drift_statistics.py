"""Population stability index (PSI): how far a feature's served values moved from its training values.

Both sides are counts over the same bins (here: the service's Prometheus
histogram buckets, whose edges are the training data's deciles)::

    PSI = Σ (served% − training%) · ln(served% / training%)

Rule of thumb used in credit scoring since the 1990s and by most monitoring
tools: < 0.1 stable, 0.1–0.2 worth a look, > 0.2 drifted.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence

STABLE_BELOW = 0.1
DRIFTED_ABOVE = 0.2
EPSILON = 1e-4  # an empty bin on one side would make the log infinite


def bin_counts(values: Iterable[float], edges: Sequence[float]) -> list[int]:
    """Counts per bin with Prometheus ``le`` semantics: bin i holds edges[i-1] < x <= edges[i]; the last edge is +Inf."""
    counts = [0] * len(edges)
    for value in values:
        counts[min(bisect.bisect_left(edges, value), len(edges) - 1)] += 1
    return counts


def population_stability_index(reference: Sequence[float], current: Sequence[float]) -> float:
    if len(reference) != len(current):
        raise ValueError(f"PSI needs the same bins on both sides: {len(reference)} reference bins, {len(current)} current bins")
    ref_total, cur_total = sum(reference), sum(current)
    if ref_total <= 0 or cur_total <= 0:
        raise ValueError(f"PSI needs observations on both sides: reference {ref_total:g}, current {cur_total:g}")
    psi = 0.0
    for ref, cur in zip(reference, current, strict=True):
        p = max(ref / ref_total, EPSILON)
        q = max(cur / cur_total, EPSILON)
        psi += (q - p) * math.log(q / p)
    return psi


def verdict(psi: float) -> str:
    if psi > DRIFTED_ABOVE:
        return "drifted"
    if psi >= STABLE_BELOW:
        return "worth a look"
    return "stable"
