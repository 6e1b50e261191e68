"""Handwritten digits (8x8 grey images, 1,797 samples), as shipped inside scikit-learn (no download)."""

from __future__ import annotations

import numpy as np

from domain.data.sources.tabular_dataset import TabularDataset

IMAGE_SIDE = 8
MAX_PIXEL = 16.0  # pixel intensities run 0..16


def load_digits_dataset() -> TabularDataset:
    """Pixels scaled to 0..1, one row per image (64 columns), labels 0..9."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return TabularDataset(
        features=np.asarray(bunch.data, dtype=np.float32) / MAX_PIXEL,
        labels=np.asarray(bunch.target, dtype=np.int64),
        feature_names=tuple(f"pixel_{r}_{c}" for r in range(IMAGE_SIDE) for c in range(IMAGE_SIDE)),
        class_names=tuple(str(d) for d in range(10)),
        source="sklearn.datasets.load_digits (bundled with scikit-learn)",
    )
