"""Solution: convert, then check dimensions, width, emptiness and finiteness — each with its own message."""

import numpy as np

EXPECTED = "a 2-D array of shape (n, 4): sepal length, sepal width, petal length, petal width in cm"


def validate_features(features):
    try:
        array = np.asarray(features, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"features must be numbers; expected {EXPECTED}") from None
    if array.ndim != 2 or array.shape[1] != 4 or array.shape[0] == 0:
        raise ValueError(f"got shape {array.shape}; expected {EXPECTED}")
    if not np.isfinite(array).all():
        raise ValueError("features contain NaN or infinity; expected finite numbers")
    return array
