"""Distribution drift between two samples of the same features.

The two-sample Kolmogorov-Smirnov statistic is the largest gap between the
two empirical distributions (0 = identical, 1 = disjoint). A train/test
split that is representative keeps it small for every feature.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.data.sources.tabular_dataset import TabularDataset


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    ks_statistic: float
    p_value: float


def feature_drift(reference: TabularDataset, current: TabularDataset) -> list[FeatureDrift]:
    from scipy.stats import ks_2samp

    drifts = []
    for column, name in enumerate(reference.feature_names):
        result = ks_2samp(reference.features[:, column], current.features[:, column])
        drifts.append(FeatureDrift(name, float(result.statistic), float(result.pvalue)))
    return drifts
