"""What the iris service records about its inputs: one Prometheus histogram per feature.

The bucket edges are the training data's deciles, so a histogram scraped from
``/metrics`` can be compared bin by bin with the training distribution (the
monitoring lesson's drift check) — no raw request is stored anywhere.

    iris_feature_value_bucket{feature="petal_length_cm",le="1.5"} 42.0
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from domain.data.sources.iris_source import FEATURE_NAMES, load_iris_dataset

METRIC = "iris_feature_value"
DECILES = np.linspace(0.1, 0.9, 9)


@lru_cache(maxsize=1)
def feature_edges() -> dict[str, list[float]]:
    """Bucket upper bounds per feature: the training deciles, then +Inf.

    Iris is measured to 0.1 cm, so each decile is moved to the half-millimetre
    above it (5.8 -> 5.85): no measurement sits on an edge, and a value sent as
    float32 (5.8 -> 5.80000019) lands in the same bin as in the training data.
    """
    features = load_iris_dataset().features
    return {
        name: sorted({math.floor(float(q) * 10 + 1e-9) / 10 + 0.05 for q in np.quantile(features[:, column], DECILES)})
        + [math.inf]
        for column, name in enumerate(FEATURE_NAMES)
    }


class FeatureRecorder:
    """Prometheus histograms of every served row's features (created once, at service import)."""

    def __init__(self) -> None:
        import bentoml

        self._histograms = {
            name: bentoml.metrics.Histogram(
                name=f"{METRIC}_{name}",
                documentation=f"served values of {name}; buckets are the training deciles",
                buckets=tuple(edges),
            )
            for name, edges in feature_edges().items()
        }

    def observe(self, features: np.ndarray) -> None:
        for column, name in enumerate(FEATURE_NAMES):
            histogram = self._histograms[name]
            for value in features[:, column]:
                histogram.observe(float(value))
