"""Checks for the data-quality exercises: the learner's rules run on real and corrupted data."""

from __future__ import annotations

from domain.data.pipelines.corruption import corrupt
from domain.data.quality.iris_quality import QualityRules, run_quality_checks
from domain.data.sources.iris_source import FEATURE_NAMES, load_iris_dataset
from shared import events
from workbench.runner.child.learner_code import ExerciseError, load_learner_module, require


def check_value_ranges(path: str) -> dict:
    ranges = require(load_learner_module(path), "VALUE_RANGES", "a dict: feature name -> (low, high) in centimetres")
    missing = [name for name in FEATURE_NAMES if name not in ranges]
    if missing:
        raise ExerciseError(f"VALUE_RANGES has no range for {missing}")
    rules = QualityRules(value_ranges={name: tuple(ranges[name]) for name in FEATURE_NAMES})
    clean = run_quality_checks(load_iris_dataset(), rules)
    damaged, _ = corrupt(load_iris_dataset())
    caught = any(issue.rule == "out_of_range" for issue in run_quality_checks(damaged, rules))
    for issue in clean:
        events.log(f"false alarm on real iris: {issue.rule}: {issue.detail}")
    events.log(f"real iris: {len(clean)} issues; unit change (cm -> mm) in the corrupted copy caught: {caught}")
    if clean:
        message = f"your ranges raise {len(clean)} false alarms on real iris data"
    elif not caught:
        message = "the corrupted copy's petal lengths in millimetres (e.g. 14) pass your ranges"
    else:
        message = "real data passes and the unit change is caught"
    return {"false_alarms": len(clean), "unit_change_caught": caught, "summary": message}
