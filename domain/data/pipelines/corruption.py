"""Make a deliberately damaged copy of a data set, to prove the quality checks catch real faults.

Each fault mimics something that happens in production data: a sensor that
drops values, a unit change upstream (centimetres arriving as millimetres),
and a collection bug that loses most of one class.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from domain.data.sources.tabular_dataset import TabularDataset

FAULTS = ("missing_values", "out_of_range", "class_imbalance")


def corrupt(dataset: TabularDataset, seed: int = 7) -> tuple[TabularDataset, list[str]]:
    """Return the damaged copy and the names of the faults injected (one per entry of FAULTS)."""
    rng = np.random.default_rng(seed)
    features = dataset.features.copy()
    labels = dataset.labels.copy()

    missing_rows = rng.choice(len(features), size=5, replace=False)
    features[missing_rows, 1] = np.nan

    unit_rows = rng.choice(len(features), size=10, replace=False)
    features[unit_rows, 2] = features[unit_rows, 2] * 10.0  # cm -> mm upstream

    last_class = int(labels.max())
    drop = np.flatnonzero(labels == last_class)[5:]
    keep = np.setdiff1d(np.arange(len(labels)), drop)
    damaged = replace(dataset, features=features[keep], labels=labels[keep], source=f"{dataset.source} [corrupted copy]")
    return damaged, list(FAULTS)
