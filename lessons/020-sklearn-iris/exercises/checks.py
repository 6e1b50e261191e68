"""Check for the iris budget exercise: the learner's config trains a real forest under a size budget."""

from __future__ import annotations

from application.training.iris_training import grow_forest
from application.training.training_config import load_config
from domain.data.pipelines.splitting import stratified_split
from domain.data.sources.iris_source import load_iris_dataset
from shared import events


def check_iris_budget(path: str, max_trees: int = 20, max_depth: int = 3) -> dict:
    settings = load_config(path)
    events.log(f"your config: {settings.to_dict()}")
    over = []
    if settings.n_estimators > max_trees:
        over.append(f"n_estimators {settings.n_estimators} > {max_trees}")
    if settings.max_depth == 0 or settings.max_depth > max_depth:
        over.append(f"max_depth {settings.max_depth or 'unlimited (0)'} > {max_depth}")
    train, test = stratified_split(load_iris_dataset(), test_size=settings.test_size, seed=settings.random_state)
    _, scores = grow_forest(settings, train, test)
    events.log(f"test accuracy {scores['test_accuracy']:.4f}")
    within = not over
    summary = f"over budget: {', '.join(over)}" if over else f"test accuracy {scores['test_accuracy']:.4f} within the budget"
    return {"test_accuracy": scores["test_accuracy"], "within_budget": within, "summary": summary}
