"""A data set's profile: per-feature min, max, mean, standard deviation and missing values, and the class shares."""

from __future__ import annotations

import numpy as np

from domain.data.quality.iris_quality import class_shares
from domain.data.sources.tabular_dataset import TabularDataset


def profile(data: TabularDataset) -> dict:
    columns = {}
    for column, name in enumerate(data.feature_names):
        values = data.features[:, column]
        columns[name] = {
            "min": float(np.nanmin(values)),
            "max": float(np.nanmax(values)),
            "mean": float(np.nanmean(values)),
            "std": float(np.nanstd(values)),
            "missing": int(np.isnan(values).sum()),
        }
    return {"source": data.source, "rows": data.n_rows, "columns": columns, "class_shares": class_shares(data)}
