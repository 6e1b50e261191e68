"""Use case: train the iris classifier from a config, evaluate it, save it to the model store.

Run it as a lesson step (``mlops-workbench --lesson sklearn-iris``) or as a
plain script: ``python -c "from application.training.iris_training import train; print(train())"``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from application.registry.experiment_tracking import tracked_training
from application.training.training_config import IrisTrainingConfig, load_config
from domain.data.pipelines.splitting import stratified_split
from domain.data.sources.iris_source import load_iris_dataset
from domain.data.sources.tabular_dataset import TabularDataset
from domain.models.traditional.sklearn.iris_classifier import build_random_forest
from infrastructure.storage.bentoml_model_store import save_joblib_model
from shared import events
from shared.configs.workbench_home import step_artifacts_dir
from shared.constants import IRIS_MODEL_NAME, STAGE_LABEL
from shared.utils.atomic_files import write_json_atomic, write_text_atomic


def grow_forest(
    settings: IrisTrainingConfig,
    train_set: TabularDataset,
    test_set: TabularDataset,
    on_round: Callable[[int, float], None] | None = None,
) -> tuple[Any, dict[str, float]]:
    """Fit the forest ``trees_per_round`` trees at a time (test accuracy after each round); return it and its scores."""
    from sklearn.metrics import accuracy_score, f1_score

    forest = build_random_forest(
        n_estimators=settings.trees_per_round,
        max_depth=settings.max_depth or None,
        min_samples_leaf=settings.min_samples_leaf,
        random_state=settings.random_state,
    )
    trees = 0
    while trees < settings.n_estimators:
        trees = min(trees + settings.trees_per_round, settings.n_estimators)
        forest.n_estimators = trees
        forest.fit(train_set.features, train_set.labels)
        if on_round is not None:
            on_round(trees, float(accuracy_score(test_set.labels, forest.predict(test_set.features))))
    predicted = forest.predict(test_set.features)
    return forest, {
        "test_accuracy": float(accuracy_score(test_set.labels, predicted)),
        "train_accuracy": float(accuracy_score(train_set.labels, forest.predict(train_set.features))),
        "macro_f1": float(f1_score(test_set.labels, predicted, average="macro")),
    }


@tracked_training
def train(
    config: str | None = None,
    n_estimators: int | None = None,
    max_depth: int | None = None,
    min_samples_leaf: int | None = None,
    test_size: float | None = None,
    random_state: int | None = None,
    trees_per_round: int | None = None,
) -> dict[str, Any]:
    """Train from ``config`` (default: shared/configs/iris_training.toml); any setting given here wins over the file.

    The keyword settings are IrisTrainingConfig's fields, spelled out so a caller (and ``--param``) can see them.
    """
    from sklearn.metrics import classification_report, confusion_matrix

    given = {
        "n_estimators": n_estimators,
        "max_depth": max_depth,
        "min_samples_leaf": min_samples_leaf,
        "test_size": test_size,
        "random_state": random_state,
        "trees_per_round": trees_per_round,
    }
    settings = load_config(config, **{key: value for key, value in given.items() if value is not None})
    events.log("config: " + json.dumps(settings.to_dict()))
    out = step_artifacts_dir()
    config_path = write_json_atomic(out / "config.json", settings.to_dict())
    events.artifact("config", config_path, "the settings this model was trained with")

    events.status("loading and splitting iris")
    data = load_iris_dataset()
    train_set, test_set = stratified_split(data, test_size=settings.test_size, seed=settings.random_state)
    events.log(f"train rows: {train_set.n_rows}, test rows: {test_set.n_rows}")

    events.status("growing the random forest")

    def report_round(trees: int, accuracy: float) -> None:
        events.metric("test_accuracy", accuracy, step=trees)
        events.progress(trees, settings.n_estimators, "trees")

    forest, scores = grow_forest(settings, train_set, test_set, on_round=report_round)
    test_accuracy, train_accuracy, macro_f1 = scores["test_accuracy"], scores["train_accuracy"], scores["macro_f1"]
    predicted = forest.predict(test_set.features)
    events.metric("train_accuracy", train_accuracy)
    events.metric("macro_f1", macro_f1)
    events.log(f"test accuracy {test_accuracy:.4f}, train accuracy {train_accuracy:.4f}, macro F1 {macro_f1:.4f}")

    report = classification_report(test_set.labels, predicted, target_names=list(data.class_names), digits=3)
    events.log(str(report))
    events.artifact("report", write_text_atomic(out / "classification_report.txt", report), "precision/recall per class")
    matrix = confusion_matrix(test_set.labels, predicted).tolist()
    events.artifact(
        "report",
        write_json_atomic(out / "confusion_matrix.json", {"labels": list(data.class_names), "matrix": matrix}),
        "rows: true class, columns: predicted class",
    )

    events.status("saving the model to the BentoML model store")
    stored = save_joblib_model(
        IRIS_MODEL_NAME,
        forest,
        metadata={
            "test_accuracy": test_accuracy,
            "train_accuracy": train_accuracy,
            "macro_f1": macro_f1,
            "feature_names": list(data.feature_names),
            "class_names": list(data.class_names),
            "config": settings.to_dict(),
        },
        labels={STAGE_LABEL: "trained", "framework": "sklearn"},
    )
    events.log(f"saved {stored.tag} to {stored.path}")
    events.artifact("model", stored.tag, f"BentoML model store: {stored.path}")
    return {"test_accuracy": test_accuracy, "train_accuracy": train_accuracy, "macro_f1": macro_f1, "model_tag": stored.tag}
