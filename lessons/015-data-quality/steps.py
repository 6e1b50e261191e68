"""The data-quality lesson's steps: profile the data, split it and measure drift, catch a corrupted copy.

The layer code it runs lives in ``domain/data/`` (sources, pipelines, quality).
"""

from __future__ import annotations

from domain.data.pipelines.corruption import corrupt
from domain.data.pipelines.splitting import stratified_split
from domain.data.quality.drift import feature_drift
from domain.data.quality.iris_quality import run_quality_checks
from domain.data.quality.profiling import profile
from domain.data.sources.iris_source import load_iris_dataset
from shared import events
from shared.configs.workbench_home import step_artifacts_dir
from shared.utils.atomic_files import write_json_atomic


def _print_profile(profile: dict) -> None:
    events.log(f"{'feature':<18}{'min':>7}{'max':>7}{'mean':>7}{'std':>7}{'missing':>9}")
    for name, col in profile["columns"].items():
        events.log(f"{name:<18}{col['min']:>7.2f}{col['max']:>7.2f}{col['mean']:>7.2f}{col['std']:>7.2f}{col['missing']:>9}")
    shares = ", ".join(f"{k} {v:.0%}" for k, v in profile["class_shares"].items())
    events.log(f"classes: {shares}")


def profile_iris() -> dict:
    """Load iris and run every quality rule on it; a clean data set has zero issues."""
    events.status("loading iris from scikit-learn's bundled data")
    data = load_iris_dataset()
    summary = profile(data)
    _print_profile(summary)
    issues = run_quality_checks(data)
    for issue in issues:
        events.log(f"{issue.rule}: {issue.detail}", level="warning")
    events.metric("rows", data.n_rows)
    events.metric("quality_issues", len(issues))
    path = write_json_atomic(step_artifacts_dir() / "profile.json", {**summary, "issues": [i.__dict__ for i in issues]})
    events.artifact("report", path, "per-feature profile and quality issues")
    return {"quality_issues": len(issues), "rows": data.n_rows}


def split_with_drift(test_size: float = 0.2, seed: int = 42) -> dict:
    """Stratified train/test split, then the KS drift statistic of every feature between the two."""
    if not 0 < test_size < 1:  # a learner's --param: one line that names it, not the splitter's traceback
        raise events.StepError(f"parameter test_size: expected a share between 0 and 1 (exclusive), got {test_size:g}")
    data = load_iris_dataset()
    train, test = stratified_split(data, test_size=test_size, seed=seed)
    events.log(f"train: {train.n_rows} rows, test: {test.n_rows} rows (test_size={test_size}, seed={seed}, stratified)")
    drifts = feature_drift(train, test)
    for index, drift in enumerate(drifts):
        events.log(f"  {drift.feature:<18} KS = {drift.ks_statistic:.3f}  p = {drift.p_value:.3f}")
        events.metric(f"ks_{drift.feature}", drift.ks_statistic)
        events.progress(index + 1, len(drifts), "features compared")
    max_ks = max(d.ks_statistic for d in drifts)
    events.metric("max_ks", max_ks)
    path = write_json_atomic(
        step_artifacts_dir() / "drift.json",
        {"test_size": test_size, "seed": seed, "features": [d.__dict__ for d in drifts]},
    )
    events.artifact("report", path, "KS drift statistic per feature, train vs test")
    return {"max_ks": max_ks, "train_rows": train.n_rows, "test_rows": test.n_rows}


def catch_corruption(seed: int = 7) -> dict:
    """Damage a copy on purpose and show that the rules catch every injected fault."""
    data = load_iris_dataset()
    damaged, injected = corrupt(data, seed=seed)
    events.log(f"injected faults: {', '.join(injected)}")
    issues = run_quality_checks(damaged)
    for issue in issues:
        events.log(f"caught {issue.rule}: {issue.detail}", level="warning")
    caught = sorted({issue.rule for issue in issues} & set(injected))
    missed = sorted(set(injected) - set(caught))
    for fault in missed:
        events.log(f"MISSED {fault}: the rules let this fault through", level="error")
    events.metric("faults_caught", len(caught))
    events.metric("faults_missed", len(missed))
    path = write_json_atomic(
        step_artifacts_dir() / "corruption.json",
        {"injected": injected, "caught": caught, "missed": missed, "issues": [i.__dict__ for i in issues]},
    )
    events.artifact("report", path, "what was injected and what the rules caught")
    return {
        "faults_missed": len(missed),
        "faults_caught": len(caught),
        "summary": f"caught {len(caught)}/{len(injected)} injected faults",
    }
