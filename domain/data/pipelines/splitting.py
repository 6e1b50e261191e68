"""Train/test split that keeps class proportions (stratified) and is reproducible (seeded)."""

from __future__ import annotations

import numpy as np

from domain.data.sources.iris_source import TabularDataset


def stratified_split(dataset: TabularDataset, test_size: float, seed: int) -> tuple[TabularDataset, TabularDataset]:
    from sklearn.model_selection import train_test_split

    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be between 0 and 1 (exclusive), got {test_size}")
    rows = np.arange(dataset.n_rows)
    train_rows, test_rows = train_test_split(rows, test_size=test_size, random_state=seed, stratify=dataset.labels)
    return (
        dataset.subset(np.sort(train_rows), f"{dataset.source} [train]"),
        dataset.subset(np.sort(test_rows), f"{dataset.source} [test]"),
    )
