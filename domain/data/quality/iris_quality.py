"""Quality rules for tabular training data: schema, missing values, value ranges, class balance.

A rule returns the problems it found; an empty list means the data passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from domain.data.sources.iris_source import FEATURE_NAMES, TabularDataset


@dataclass(frozen=True)
class QualityRules:
    expected_features: tuple[str, ...] = FEATURE_NAMES
    # Physically plausible ranges in centimetres (iris flowers are not a metre long).
    value_ranges: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {
            "sepal_length_cm": (0.0, 10.0),
            "sepal_width_cm": (0.0, 6.0),
            "petal_length_cm": (0.0, 8.0),
            "petal_width_cm": (0.0, 3.0),
        }
    )
    max_missing: int = 0
    min_class_share: float = 0.2


@dataclass(frozen=True)
class QualityIssue:
    rule: str
    detail: str


def check_schema(data: TabularDataset, rules: QualityRules) -> list[QualityIssue]:
    issues = []
    if tuple(data.feature_names) != tuple(rules.expected_features):
        issues.append(QualityIssue("schema", f"columns {list(data.feature_names)}, expected {list(rules.expected_features)}"))
    if data.features.ndim != 2 or data.features.shape[1] != len(rules.expected_features):
        issues.append(
            QualityIssue("schema", f"feature matrix shape {data.features.shape}, expected (rows, {len(rules.expected_features)})")
        )
    if not np.issubdtype(data.features.dtype, np.number):
        issues.append(QualityIssue("schema", f"feature dtype {data.features.dtype}, expected numbers"))
    return issues


def check_missing(data: TabularDataset, rules: QualityRules) -> list[QualityIssue]:
    missing = np.isnan(data.features).sum(axis=0)
    return [
        QualityIssue("missing_values", f"{name}: {int(count)} missing values (allowed: {rules.max_missing})")
        for name, count in zip(data.feature_names, missing, strict=True)
        if count > rules.max_missing
    ]


def check_ranges(data: TabularDataset, rules: QualityRules) -> list[QualityIssue]:
    issues = []
    for column, name in enumerate(data.feature_names):
        low, high = rules.value_ranges[name]
        values = data.features[:, column]
        outside = values[~np.isnan(values) & ((values <= low) | (values > high))]
        if outside.size:
            issues.append(
                QualityIssue("out_of_range", f"{name}: {outside.size} values outside ({low:g}, {high:g}], e.g. {outside[0]:g}")
            )
    return issues


def check_class_balance(data: TabularDataset, rules: QualityRules) -> list[QualityIssue]:
    counts = np.bincount(data.labels, minlength=len(data.class_names))
    shares = counts / max(counts.sum(), 1)
    return [
        QualityIssue(
            "class_imbalance", f"class '{name}': {count} rows = {share:.0%} of the data (minimum {rules.min_class_share:.0%})"
        )
        for name, count, share in zip(data.class_names, counts, shares, strict=True)
        if share < rules.min_class_share
    ]


ALL_RULES = (check_schema, check_missing, check_ranges, check_class_balance)


def run_quality_checks(data: TabularDataset, rules: QualityRules | None = None) -> list[QualityIssue]:
    rules = rules or QualityRules()
    issues = check_schema(data, rules)
    if issues:  # the other rules assume the schema holds
        return issues
    return [issue for rule in ALL_RULES[1:] for issue in rule(data, rules)]


def class_shares(data: TabularDataset) -> dict[str, float]:
    counts = np.bincount(data.labels, minlength=len(data.class_names))
    return {name: float(c / counts.sum()) for name, c in zip(data.class_names, counts, strict=True)}
