"""The iris data set, as shipped inside scikit-learn (no download)."""

from __future__ import annotations

import numpy as np

from domain.data.sources.tabular_dataset import TabularDataset

FEATURE_NAMES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
CLASS_NAMES = ("setosa", "versicolor", "virginica")


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
