"""Adapter to MLflow tracking: an embedded SQLite store by default, a team server when asked.

Default: ``sqlite:///<workbench home>/mlflow/mlflow.db`` with artifacts under
``<home>/mlflow/artifacts`` — no server to run. ``MLFLOW_TRACKING_URI`` set by
the user wins (a classroom can share one server). Tracking is best-effort: an
unreachable server gives one warning and the run is kept in the local store;
any MLflow error is reported once and the lesson goes on untracked.

The local store is created (and upgraded to this MLflow's schema) once, under
a lock and atomically: the ~60 schema migrations run on a temporary file that
is renamed into place only when complete, so a step cancelled, timed out or
killed in that window leaves no half-migrated store, and lessons started
together wait for one another instead of migrating the same file. A store
found broken (not a database, an interrupted migration) is moved aside with
one message and a fresh one is started: a home never stays untracked.

Every run is tagged with the process that owns it; a run left RUNNING by a
step that was killed is marked KILLED the next time the store is opened.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path
from typing import Any

from shared import events
from shared.configs.workbench_home import workbench_home
from shared.utils.atomic_files import file_lock, set_aside
from shared.utils.process_identity import as_tag, from_tag, identity, is_alive

REACHABILITY_TIMEOUT_S = 2.0
STORE_FILE = "mlflow.db"
STORE_LOCK = ".mlflow.db.lock"
CREATING_PREFIX = ".mlflow.db.creating-"
STORE_LOCK_TIMEOUT_S = 120.0  # a first migration takes about 2 s; a waiter never hangs for ever
OWNER_TAG = "workbench.owner"  # host:pid:start of the step process that owns the run
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


class TrackingStoreError(RuntimeError):
    """The tracking store cannot be used; the message is one line: the cause and the fix."""


def local_store_path(home: Path | None = None) -> Path:
    return (home or workbench_home()) / "mlflow" / STORE_FILE


def local_tracking_uri(home: Path | None = None) -> str:
    folder = local_store_path(home).parent
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / STORE_FILE}"


@lru_cache(maxsize=1)
def _schema_revisions() -> tuple[str, frozenset[str]]:
    """(this MLflow's head schema revision, every revision it knows)."""
    from alembic.script import ScriptDirectory
    from mlflow.store.db.utils import _get_alembic_config

    script = ScriptDirectory.from_config(_get_alembic_config(db_url=""))
    heads = script.get_heads()
    return heads[0], frozenset(r.revision for r in script.walk_revisions())


def _store_state(db: Path) -> tuple[str, str]:
    """('ok' | 'missing' | 'old' | 'newer' | 'broken', why) — read with sqlite3 only, never changing the schema."""
    if not db.exists() and not db.is_symlink():
        return "missing", ""
    if db.is_dir():
        return "broken", "a folder is in its place"
    if db.stat().st_size == 0:
        return "missing", ""
    head, known = _schema_revisions()
    try:
        connection = sqlite3.connect(f"file:{db}?mode=rw", uri=True, timeout=30)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                return "missing", ""
            if any(name.startswith("_alembic_tmp_") for name in tables):
                return "broken", "a schema migration was interrupted half-way"
            if "alembic_version" not in tables:
                return "broken", "it has no MLflow schema version (not an MLflow store, or its creation was interrupted)"
            versions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
        finally:
            connection.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            return "ok", ""  # another process is writing to it: it is a working store
        return "broken", f"sqlite: {exc}"
    except sqlite3.DatabaseError as exc:
        return "broken", f"sqlite: {exc}"
    if len(versions) != 1:
        return "broken", f"it records {len(versions)} schema versions"
    if versions[0] == head:
        if not {"experiments", "runs"} <= tables:
            return "broken", "tables are missing"
        return "ok", ""
    if versions[0] in known:
        return "old", f"schema {versions[0]}, this MLflow needs {head}"
    return "newer", f"schema {versions[0]} is unknown to this MLflow (written by a newer one?)"


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _migrated_copy(folder: Path, source: Path | None) -> Path:
    """A complete store at this MLflow's schema in a temporary file: a fresh one, or ``source`` upgraded."""
    import logging

    from mlflow.store.db.utils import _upgrade_db
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    logging.getLogger("mlflow.store.db.utils").setLevel(logging.WARNING)  # our one line says it instead
    events.log(f"MLflow: {'upgrading' if source else 'creating'} the tracking store {folder / STORE_FILE} (once per home)")
    temporary = folder / f"{CREATING_PREFIX}{os.getpid()}.db"
    for stale in (temporary, *(temporary.with_name(temporary.name + side) for side in SQLITE_SIDE_FILES)):
        stale.unlink(missing_ok=True)
    if source is not None:  # sqlite's backup API: a consistent copy even of a store in use
        with sqlite3.connect(source) as src, sqlite3.connect(temporary) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        import sqlalchemy

        engine = sqlalchemy.create_engine(f"sqlite:///{temporary}")
        try:
            _upgrade_db(engine)
        finally:
            engine.dispose()
    store = SqlAlchemyStore(f"sqlite:///{temporary}", local_artifact_root(folder.parent))  # creates and migrates
    store.engine.dispose()
    with open(temporary, "rb+") as handle:
        os.fsync(handle.fileno())
    state, why = _store_state(temporary)
    if state != "ok":
        raise TrackingStoreError(f"the new store {temporary} is not usable ({why})")
    return temporary


def _set_store_aside(db: Path) -> Path:
    aside = set_aside(db, "broken")
    for side in SQLITE_SIDE_FILES:  # a journal must never be applied to the fresh store
        extra = db.with_name(db.name + side)
        if extra.exists():
            os.rename(extra, aside.with_name(aside.name + side))
    return aside


def ensure_local_store(home: Path | None = None) -> str | None:
    """Make ``<home>/mlflow/mlflow.db`` a complete store at this MLflow's schema; returns a warning or None.

    Runs under a lock; the store appears by an atomic rename, so it is never seen half-made. Raises
    ``TrackingStoreError`` (one line: cause and fix) when it cannot be made usable.
    """
    db = local_store_path(home)
    folder = db.parent
    try:
        if folder.exists() and not folder.is_dir():
            set_aside(folder, "broken")
        folder.mkdir(parents=True, exist_ok=True)
        with file_lock(folder / STORE_LOCK, timeout_s=STORE_LOCK_TIMEOUT_S):
            for stale in folder.glob(CREATING_PREFIX + "*"):  # left by a process killed while creating: not in use
                stale.unlink(missing_ok=True)
            state, why = _store_state(db)
            if state == "ok":
                return None
            if state == "newer":
                raise TrackingStoreError(
                    f"the tracking store {db} cannot be used: {why}; upgrade MLflow, or move that file away to start a new store"
                )
            warning = None
            if state == "old":
                try:
                    fresh = _migrated_copy(folder, db)
                except Exception as exc:
                    state, why = "broken", f"upgrading it failed: {' '.join(str(exc).split())[:200]}"
                else:
                    os.replace(fresh, db)
                    _fsync_folder(folder)
                    return f"MLflow: upgraded the tracking store {db} to this MLflow's schema"
            if state == "broken":
                aside = _set_store_aside(db)
                warning = (
                    f"MLflow: the tracking store {db} could not be used ({why}); kept it as {aside} "
                    "and started a fresh store (the old runs are in that file)"
                )
            fresh = _migrated_copy(folder, None)
            os.replace(fresh, db)
            _fsync_folder(folder)
            return warning
    except TrackingStoreError:
        raise
    except (OSError, TimeoutError) as exc:
        cause = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TrackingStoreError(
            f"the tracking store {db} cannot be prepared ({cause}); check that {folder} is writable and has free space"
        ) from exc


def local_artifact_root(home: Path | None = None) -> str:
    return ((home or workbench_home()) / "mlflow" / "artifacts").as_uri()


def resolve_tracking_uri(home: Path | None = None) -> tuple[str, str | None]:
    """(URI to use, warning or None). A user's http(s) server is probed first so MLflow's retries never stall a step.

    The local store is made ready (``ensure_local_store``) before its URI is handed out.
    """
    wanted = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    local = local_tracking_uri(home)
    if not wanted:
        return local, ensure_local_store(home)
    if wanted.startswith(("http://", "https://")):
        try:
            urllib.request.urlopen(wanted.rstrip("/") + "/health", timeout=REACHABILITY_TIMEOUT_S).close()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            unreachable = (
                f"MLflow tracking server {wanted} is unreachable ({reason}); this run is kept in the local store {local} instead"
            )
            repaired = ensure_local_store(home)
            return local, unreachable if repaired is None else f"{unreachable}. {repaired}"
    return wanted, None


def _configure_client_env() -> None:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")


def client(home: Path | None = None) -> tuple[Any, str, str | None]:
    """An MlflowClient on the resolved store, its URI, and the warning (server unreachable, store repaired).

    Runs left RUNNING by processes that have died are marked KILLED first.
    """
    _configure_client_env()
    from mlflow.tracking import MlflowClient

    uri, warning = resolve_tracking_uri(home)
    mlflow_client = MlflowClient(tracking_uri=uri)
    close_orphaned_runs(mlflow_client)
    return mlflow_client, uri, warning


def close_orphaned_runs(mlflow_client: Any) -> list[str]:
    """Mark KILLED every RUNNING run whose owner process (``workbench.owner`` tag) has died; their ids."""
    closed: list[str] = []
    try:
        ids = [e.experiment_id for e in mlflow_client.search_experiments()]
        if not ids:
            return closed
        running = mlflow_client.search_runs(ids, filter_string="attributes.status = 'RUNNING'", max_results=1000)
        for run in running:
            owner = from_tag(run.data.tags.get(OWNER_TAG, ""))
            if owner is not None and not is_alive(owner):
                mlflow_client.set_terminated(run.info.run_id, status="KILLED")
                closed.append(run.info.run_id)
    except Exception:  # best-effort, like all tracking: a read-only store keeps its RUNNING rows
        pass
    return closed


def ensure_experiment(mlflow_client: Any, name: str, uri: str) -> str:
    """The experiment's id, creating it (with artifacts under the workbench home for the local store)."""
    found = mlflow_client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    location = local_artifact_root() + f"/{name}" if uri.startswith("sqlite:") else None
    return mlflow_client.create_experiment(name, artifact_location=location)


class ExperimentRun:
    """One MLflow run; every method is best-effort and the first failure is reported once."""

    def __init__(
        self, experiment: str, run_name: str, tags: dict[str, str] | None = None, parent_run_id: str | None = None
    ) -> None:
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
            events.log(f"MLflow: could not {what} ({type(exc).__name__}: {exc}); the lesson continues untracked", level="warning")
        self.run_id = None

    def __enter__(self) -> ExperimentRun:
        try:
            self._client, self.uri, warning = client()
            if warning:
                events.log(warning, level="warning")
            experiment_id = ensure_experiment(self._client, self.experiment, self.uri)
            tags = {**self.tags, OWNER_TAG: as_tag(identity())}
            if self.parent_run_id:
                tags["mlflow.parentRunId"] = self.parent_run_id
            run = self._client.create_run(experiment_id, run_name=self.run_name, tags=tags)
            self.run_id = run.info.run_id
            print(f"MLflow run {self.run_id} ({self.experiment}/{self.run_name}) in {self.uri}")
        except Exception as exc:  # tracking must never break a lesson
            self._fail("start a run", exc)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.end("FINISHED")
        else:  # Ctrl-C is the learner stopping it, not a failure of the training
            self.end("KILLED" if issubclass(exc_type, KeyboardInterrupt) else "FAILED")

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


store_warnings: list[str] = []  # what opening the store in this process said (shown by `runs` and the runs screen)


def _shortened(text: str, limit: int = 1200) -> str:
    """One line, long enough for the fix a library's own message ends with (MLflow's file-store message is ~600)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reading(what: str, uri: str | None, exc: Exception) -> TrackingStoreError:
    """One line for a store that cannot be read: the root cause and what to do."""
    root: BaseException = exc
    while (deeper := root.__cause__ or root.__context__) is not None:
        root = deeper
    cause = _shortened(" ".join(str(getattr(root, "orig", None) or root).split())) or type(root).__name__
    where = uri or "the tracking store"
    if uri and uri == os.environ.get("MLFLOW_TRACKING_URI", "").strip():
        fix = f"check MLFLOW_TRACKING_URI={uri}, or unset it to use the workbench's local store"
    elif uri and uri.startswith("sqlite:"):
        fix = f"move {uri.removeprefix('sqlite:///')} aside and run again (the workbench starts a fresh store)"
    else:
        fix = "check that the workbench home is readable and writable"
    return TrackingStoreError(f"could not {what} {where}: {cause}; fix: {fix}")


def _reading_client() -> tuple[Any, str]:
    try:
        mlflow_client, uri, warning = client()
    except TrackingStoreError:
        raise
    except Exception as exc:
        raise _reading("open", os.environ.get("MLFLOW_TRACKING_URI") or local_tracking_uri(), exc) from exc
    if warning and warning not in store_warnings:
        store_warnings.append(warning)
    return mlflow_client, uri


def search_runs(experiments: list[str] | None = None, max_runs: int = 200) -> tuple[list[Any], str]:
    """Runs of the named experiments (all when None), newest first, and the store they came from.

    Raises ``TrackingStoreError`` (one line: cause and fix) when the store cannot be read.
    """
    mlflow_client, uri = _reading_client()
    try:
        if experiments is None:
            ids = [e.experiment_id for e in mlflow_client.search_experiments()]
        else:
            ids = [e.experiment_id for name in experiments if (e := mlflow_client.get_experiment_by_name(name))]
        if not ids:
            return [], uri
        return list(mlflow_client.search_runs(ids, max_results=max_runs, order_by=["attributes.start_time DESC"])), uri
    except Exception as exc:
        raise _reading("read runs from", uri, exc) from exc


def metric_history(run_id: str, key: str) -> list[tuple[int, float]]:
    mlflow_client, uri = _reading_client()
    try:
        return [(m.step, m.value) for m in mlflow_client.get_metric_history(run_id, key)]
    except Exception as exc:
        raise _reading("read metrics from", uri, exc) from exc
