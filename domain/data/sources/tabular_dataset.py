"""A labelled table of numbers: the shape every bundled data set is loaded into."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


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

    def subset(self, rows: np.ndarray, source: str | None = None) -> TabularDataset:
        return replace(self, features=self.features[rows], labels=self.labels[rows], source=source or self.source)
