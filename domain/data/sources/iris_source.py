"""The iris data set, as shipped inside scikit-learn (no download)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

FEATURE_NAMES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
CLASS_NAMES = ("setosa", "versicolor", "virginica")


@dataclass(frozen=True)
class TabularDataset:
    """Features (rows x columns), integer labels and the names that give them meaning."""

    features: np.ndarray
    labels: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    source: str

    @property
    def n_rows(self) -> int:
        return int(self.features.shape[0])

    def subset(self, rows: np.ndarray, source: str | None = None) -> "TabularDataset":
        return replace(self, features=self.features[rows], labels=self.labels[rows], source=source or self.source)


def load_iris_dataset() -> TabularDataset:
    from sklearn.datasets import load_iris

    bunch = load_iris()
    return TabularDataset(
        features=np.asarray(bunch.data, dtype=np.float64),
        labels=np.asarray(bunch.target, dtype=np.int64),
        feature_names=FEATURE_NAMES,
        class_names=CLASS_NAMES,
        source="sklearn.datasets.load_iris (bundled with scikit-learn)",
    )
