"""Adapter to MLflow tracking: an embedded SQLite store by default, a team server when asked.

Default: ``sqlite:///<workbench home>/mlflow/mlflow.db`` with artifacts under
``<home>/mlflow/artifacts`` — no server to run. ``MLFLOW_TRACKING_URI`` set by
the user wins (a classroom can share one server). Tracking is best-effort: an
unreachable server gives one warning and the run is kept in the local store;
any MLflow error is reported once and the lesson goes on untracked.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from shared import events
from shared.configs.workbench_home import workbench_home

REACHABILITY_TIMEOUT_S = 2.0


def local_tracking_uri(home: Path | None = None) -> str:
    folder = (home or workbench_home()) / "mlflow"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'mlflow.db'}"


def local_artifact_root(home: Path | None = None) -> str:
    return ((home or workbench_home()) / "mlflow" / "artifacts").as_uri()


def resolve_tracking_uri(home: Path | None = None) -> tuple[str, str | None]:
    """(URI to use, warning or None). A user's http(s) server is probed first so MLflow's retries never stall a step."""
    wanted = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    local = local_tracking_uri(home)
    if not wanted:
        return local, None
    if wanted.startswith(("http://", "https://")):
        try:
            urllib.request.urlopen(wanted.rstrip("/") + "/health", timeout=REACHABILITY_TIMEOUT_S).close()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return local, (f"MLflow tracking server {wanted} is unreachable ({reason}); "
                           f"this run is kept in the local store {local} instead")
    return wanted, None


def _configure_client_env() -> None:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")


def client(home: Path | None = None) -> tuple[Any, str, str | None]:
    """An MlflowClient on the resolved store, its URI, and the warning (if the user's server was unreachable)."""
    _configure_client_env()
    from mlflow.tracking import MlflowClient

    uri, warning = resolve_tracking_uri(home)
    return MlflowClient(tracking_uri=uri), uri, warning


def ensure_experiment(mlflow_client: Any, name: str, uri: str) -> str:
    """The experiment's id, creating it (with artifacts under the workbench home for the local store)."""
    found = mlflow_client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    location = local_artifact_root() + f"/{name}" if uri.startswith("sqlite:") else None
    return mlflow_client.create_experiment(name, artifact_location=location)


class ExperimentRun:
    """One MLflow run; every method is best-effort and the first failure is reported once."""

    def __init__(self, experiment: str, run_name: str, tags: dict[str, str] | None = None,
                 parent_run_id: str | None = None) -> None:
        self.experiment = experiment
        self.run_name = run_name
        self.tags = dict(tags or {})
        self.parent_run_id = parent_run_id
        self.run_id: str | None = None
        self.uri: str | None = None
        self._client: Any = None
        self._warned = False

    @property
    def active(self) -> bool:
        return self.run_id is not None

    def _fail(self, what: str, exc: BaseException) -> None:
        if not self._warned:
            self._warned = True
            events.log(f"MLflow: could not {what} ({type(exc).__name__}: {exc}); the lesson continues untracked",
                       level="warning")
        self.run_id = None

    def __enter__(self) -> "ExperimentRun":
        try:
            self._client, self.uri, warning = client()
            if warning:
                events.log(warning, level="warning")
            experiment_id = ensure_experiment(self._client, self.experiment, self.uri)
            tags = dict(self.tags)
            if self.parent_run_id:
                tags["mlflow.parentRunId"] = self.parent_run_id
            run = self._client.create_run(experiment_id, run_name=self.run_name, tags=tags)
            self.run_id = run.info.run_id
            print(f"MLflow run {self.run_id} ({self.experiment}/{self.run_name}) in {self.uri}")
        except Exception as exc:  # tracking must never break a lesson
            self._fail("start a run", exc)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.end("FAILED" if exc_type else "FINISHED")

    def end(self, status: str) -> None:
        if self.active:
            try:
                self._client.set_terminated(self.run_id, status=status)
            except Exception as exc:
                self._fail("finish the run", exc)
            self.run_id = None

    def log_params(self, params: dict[str, Any]) -> None:
        if self.active and params:
            from mlflow.entities import Param

            try:
                self._client.log_batch(self.run_id, params=[Param(k, str(v)[:6000]) for k, v in params.items()])
            except Exception as exc:
                self._fail("log parameters", exc)

    def log_metric(self, name: str, value: float, step: int | None = None) -> None:
        if self.active:
            try:
                self._client.log_metric(self.run_id, name, float(value), step=step or 0)
            except Exception as exc:
                self._fail(f"log metric {name}", exc)

    def log_artifact(self, path: str | Path) -> None:
        if self.active and Path(path).is_file():
            try:
                self._client.log_artifact(self.run_id, str(path))
            except Exception as exc:
                self._fail(f"log artifact {path}", exc)

    def set_tag(self, key: str, value: str) -> None:
        if self.active:
            try:
                self._client.set_tag(self.run_id, key, value)
            except Exception as exc:
                self._fail(f"set tag {key}", exc)


def register_sklearn_model(run_id: str, model: Any, registered_name: str, trusted_types: list[str]) -> int:
    """Log ``model`` to the run and register it as a new version of ``registered_name``; returns the version."""
    _configure_client_env()
    import mlflow
    import sklearn

    uri, _ = resolve_tracking_uri()
    mlflow.set_tracking_uri(uri)
    with mlflow.start_run(run_id=run_id):
        info = mlflow.sklearn.log_model(
            sk_model=model,
            name="model",
            registered_model_name=registered_name,
            pip_requirements=[f"scikit-learn=={sklearn.__version__}"],  # no environment inference: fast, offline
            skops_trusted_types=trusted_types,
        )
    return int(info.registered_model_version)


def search_runs(experiments: list[str] | None = None, max_runs: int = 200) -> tuple[list[Any], str]:
    """Runs of the named experiments (all when None), newest first, and the store they came from."""
    mlflow_client, uri, _ = client()
    if experiments is None:
        ids = [e.experiment_id for e in mlflow_client.search_experiments()]
    else:
        ids = [e.experiment_id for name in experiments if (e := mlflow_client.get_experiment_by_name(name))]
    if not ids:
        return [], uri
    return list(mlflow_client.search_runs(ids, max_results=max_runs, order_by=["attributes.start_time DESC"])), uri


def metric_history(run_id: str, key: str) -> list[tuple[int, float]]:
    mlflow_client, _, _ = client()
    return [(m.step, m.value) for m in mlflow_client.get_metric_history(run_id, key)]
