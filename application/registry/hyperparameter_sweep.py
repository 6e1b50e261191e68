"""Use case: a small grid search over the iris forest, every combination an MLflow run.

The best run (by the lesson's metric) is registered in the MLflow model
registry — the record of *which* run, parameters and metrics produced the
candidate — and the same model is saved to the BentoML model store, tagged
with that run and registry version, because the BentoML store is what serving
reads. One source of truth for what is served; MLflow is its history.
"""

from __future__ import annotations

import itertools
from typing import Any

from application.registry.experiment_tracking import current_step, run_tags
from application.training.iris_training import grow_forest
from application.training.training_config import load_config
from domain.data.pipelines.splitting import stratified_split
from domain.data.sources.iris_source import load_iris_dataset
from infrastructure.storage.bentoml_model_store import save_joblib_model
from infrastructure.storage.mlflow_tracking import ExperimentRun, register_sklearn_model
from shared import events
from shared.configs.workbench_home import step_artifacts_dir
from shared.constants import IRIS_MODEL_NAME, STAGE_LABEL
from shared.utils.atomic_files import write_json_atomic

# Types inside a RandomForest that skops must be told to trust; we trained the model ourselves.
FOREST_TRUSTED_TYPES = ["sklearn.tree._tree.Tree"]


def sweep(
    n_estimators: list[int] = [10, 50, 100],  # noqa: B006 - read-only defaults shown in the lesson
    max_depth: list[int] = [1, 2, 0],  # noqa: B006
    metric: str = "test_accuracy",
    register_as: str = IRIS_MODEL_NAME,
) -> dict[str, Any]:
    lesson, step = current_step()
    grid = list(itertools.product(n_estimators, max_depth))
    data = load_iris_dataset()
    base = load_config()
    train_set, test_set = stratified_split(data, test_size=base.test_size, seed=base.random_state)
    results: list[dict[str, Any]] = []
    with ExperimentRun(lesson, step or "sweep", {**run_tags(lesson, step, f"{__name__}:sweep"), "kind": "sweep"}) as parent:
        if not parent.active:
            raise RuntimeError("MLflow tracking is not available; this lesson is about tracking, so it stops here")
        parent.log_params({"grid.n_estimators": n_estimators, "grid.max_depth": max_depth, "metric": metric})
        for index, (trees, depth) in enumerate(grid, start=1):
            settings = load_config(n_estimators=trees, max_depth=depth)
            name = f"trees={trees} depth={depth or 'full'}"
            with ExperimentRun(
                lesson, name, {**run_tags(lesson, step, f"{__name__}:sweep"), "kind": "trial"}, parent_run_id=parent.run_id
            ) as trial:
                trial.log_params(settings.to_dict())
                forest, scores = grow_forest(
                    settings,
                    train_set,
                    test_set,
                    on_round=lambda t, acc, run=trial: run.log_metric("test_accuracy", acc, t),  # type: ignore[misc]  # mypy cannot type a lambda's default
                )
                for key, value in scores.items():
                    trial.log_metric(key, value, settings.n_estimators)  # at the last round, so curves end there
                results.append({"run_id": trial.run_id, "name": name, "settings": settings, "forest": forest, **scores})
            events.log(
                f"[{index}/{len(grid)}] {name:<22} {metric} {scores[metric]:.4f}  train_accuracy {scores['train_accuracy']:.4f}"
            )
            events.metric(metric, scores[metric], step=index)
            events.progress(index, len(grid), "runs")

        # Best by the metric; ties go to the smaller, simpler model (fewer trees, shallower).
        best = max(results, key=lambda r: (r[metric], -r["settings"].n_estimators, -(r["settings"].max_depth or 99)))
        events.log(f"best: {best['name']} with {metric} {best[metric]:.4f} (run {best['run_id']})")
        parent.log_metric(f"best_{metric}", best[metric])
        parent.set_tag("best_run_id", best["run_id"])

        events.status(f"registering the best model as '{register_as}' in the MLflow model registry")
        version = register_sklearn_model(best["run_id"], best["forest"], register_as, FOREST_TRUSTED_TYPES)
        events.log(f"MLflow model registry: {register_as} version {version} <- run {best['run_id']}")
        stored = save_joblib_model(
            IRIS_MODEL_NAME,
            best["forest"],
            metadata={
                "test_accuracy": best["test_accuracy"],
                "train_accuracy": best["train_accuracy"],
                "macro_f1": best["macro_f1"],
                "feature_names": list(data.feature_names),
                "class_names": list(data.class_names),
                "config": best["settings"].to_dict(),
                "mlflow_run_id": best["run_id"],
                "mlflow_registered_model": register_as,
                "mlflow_model_version": version,
            },
            labels={STAGE_LABEL: "trained", "framework": "sklearn", "source": "experiment-tracking"},
        )
        events.log(f"BentoML model store: {stored.tag} (metadata points back to MLflow run {best['run_id']}, version {version})")
        events.artifact("model", stored.tag, f"best model, MLflow {register_as} v{version}")
        table = [{k: v for k, v in r.items() if k not in ("forest", "settings")} for r in results]
        events.artifact("report", write_json_atomic(step_artifacts_dir() / "sweep.json", table), "every run of the sweep")
    return {
        "runs_logged": len(results),
        f"best_{metric}": best[metric],
        "best_run_id": best["run_id"],
        "registered_version": version,
        "bentoml_tag": stored.tag,
        "summary": f"best {best['name']} ({metric} {best[metric]:.4f}) registered as {register_as} v{version}",
    }


def read_back(metric: str = "test_accuracy") -> dict[str, Any]:
    """Query the tracking store for the sweep's runs and rank them, as you would on a team server."""
    from application.registry.experiment_runs import list_runs

    lesson, _ = current_step()
    listing = list_runs([lesson])
    trials = [r for r in listing["runs"] if r["tags"].get("kind") == "trial"]
    events.log(f"tracking store: {listing['tracking_uri']}; {len(trials)} trial runs")
    ranked = sorted(trials, key=lambda r: r["metrics"].get(metric, float("-inf")), reverse=True)
    for row in ranked[:10]:
        events.log(f"  {row['name']:<22} {metric} {row['metrics'].get(metric, float('nan')):.4f}  run {row['run_id'][:8]}")
    return {"trial_runs_found": len(trials)}
