"""The iris classifier: a RandomForest plus the input/output contract every caller relies on.

The contract: input is a 2-D array of finite numbers with one row per flower
and the four iris measurements (cm) as columns; output is, per row, a class
name and one probability per class summing to 1. Wrong input raises
``InputContractError`` with a message that says what was expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from domain.data.sources.iris_source import CLASS_NAMES, FEATURE_NAMES


class InputContractError(ValueError):
    """The caller sent features that do not match the model's input contract."""


def build_random_forest(n_estimators: int, max_depth: int | None, min_samples_leaf: int, random_state: int) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=n_estimators,
        max_depth=max_depth,
        min_samples_leaf=min_samples_leaf,
        random_state=random_state,
        warm_start=True,  # lets training grow the forest in rounds and report after each
        n_jobs=1,
    )


@dataclass
class IrisClassifier:
    estimator: Any
    feature_names: Sequence[str] = FEATURE_NAMES
    class_names: Sequence[str] = CLASS_NAMES

    def validate_features(self, features: Any) -> np.ndarray:
        expected = f"a 2-D array of shape (n, {len(self.feature_names)}) with columns {list(self.feature_names)}"
        try:
            array = np.asarray(features, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputContractError(f"features must be numbers: expected {expected}") from None
        if array.ndim == 1 and array.shape[0] == len(self.feature_names):
            array = array.reshape(1, -1)
        if array.ndim != 2 or array.shape[1] != len(self.feature_names) or array.shape[0] == 0:
            raise InputContractError(f"got shape {array.shape}; expected {expected}")
        if not np.isfinite(array).all():
            raise InputContractError("features contain NaN or infinity; expected finite numbers")
        return array

    def predict_proba(self, features: Any) -> np.ndarray:
        return self.estimator.predict_proba(self.validate_features(features))

    def predict(self, features: Any) -> list[str]:
        probabilities = self.predict_proba(features)
        return [self.class_names[i] for i in probabilities.argmax(axis=1)]
