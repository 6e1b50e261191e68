"""Every training run recorded in MLflow, without the training code knowing.

Decorate a training use case with ``@tracked_training``: its parameters,
every metric it reports (with its step, so per-epoch curves), the files it
reports as artifacts (a JSON ``config`` artifact also becomes parameters),
its final numeric outputs and tags (lesson, step, git commit) go to one
MLflow run. Tracking is best-effort: it never fails the training.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infrastructure.storage.mlflow_tracking import ExperimentRun
from shared.configs.repository import REPO_ROOT
from shared.constants import ENV_STEP_SPEC
from shared.events import Artifact, Event, Metric
from shared.events.reporter import add_listener


def current_step() -> tuple[str, str]:
    """(lesson id, step id) of the running step, or ("adhoc", "") outside the runner."""
    try:
        spec = json.loads(os.environ.get(ENV_STEP_SPEC, "{}"))
    except json.JSONDecodeError:
        spec = {}
    return spec.get("lesson") or "adhoc", spec.get("step") or ""


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def run_tags(lesson: str, step: str, entry: str) -> dict[str, str]:
    tags = {"lesson": lesson, "step": step, "entry_point": entry}
    commit = git_commit()
    if commit:
        tags["git_commit"] = commit
    return tags


class EventMirror:
    """Forwards this process's events into an MLflow run."""

    def __init__(self, run: ExperimentRun) -> None:
        self.run = run
        self.metric_names: set[str] = set()

    def __call__(self, event: Event) -> None:
        if isinstance(event, Metric):
            self.metric_names.add(event.name)
            self.run.log_metric(event.name, event.value, event.step)
        elif isinstance(event, Artifact) and Path(event.path).is_file():
            self.run.log_artifact(event.path)
            if event.kind == "config" and event.path.endswith(".json"):
                with contextlib.suppress(OSError, ValueError, AttributeError):  # a config that is not a JSON object
                    self.run.log_params({f"config.{k}": v for k, v in json.loads(Path(event.path).read_text()).items()})


def numeric_outputs(outputs: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in outputs.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def tracked_training(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    signature = inspect.signature(function)
    entry = f"{function.__module__}:{function.__name__}"

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        lesson, step = current_step()
        with ExperimentRun(lesson, step or function.__name__, run_tags(lesson, step, entry)) as run:
            params: dict[str, Any] = {}
            for name, value in bound.arguments.items():
                if signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
                    params.update(value)  # **overrides: each one is a parameter of its own
                else:
                    params[name] = value
            # None means "the config's value": the config artifact logs what was used (config.*), not "None"
            run.log_params({name: value for name, value in params.items() if value is not None})
            mirror = EventMirror(run)
            remove = add_listener(mirror)
            try:
                outputs = function(*args, **kwargs)
            finally:
                remove()
            for name, value in numeric_outputs(outputs).items():
                if name not in mirror.metric_names:  # reported ones are already there, with their steps
                    run.log_metric(name, value)
            if run.active:
                outputs = {**outputs, "mlflow_run_id": run.run_id}
        return outputs

    return wrapper
