"""Train/test split that keeps class proportions (stratified) and is reproducible (seeded)."""

from __future__ import annotations

import numpy as np

from domain.data.sources.tabular_dataset import TabularDataset


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


def train_val_test_split(
    dataset: TabularDataset, val_size: float, test_size: float, seed: int
) -> tuple[TabularDataset, TabularDataset, TabularDataset]:
    """Test set held out first, then validation carved from the rest; all stratified and seeded."""
    rest, test = stratified_split(dataset, test_size=test_size, seed=seed)
    train, val = stratified_split(rest, test_size=val_size / (1.0 - test_size), seed=seed)
    return train, val, test
