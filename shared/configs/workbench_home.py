"""The workbench home: one folder for everything the workbench persists.

    <home>/bentoml/      the BentoML model store (BENTOML_HOME)
    <home>/artifacts/    what each step produced, per lesson and step
    <home>/logs/         saved logs
    <home>/mlflow/       the MLflow tracking store (mlflow.db) and its artifacts
    <home>/workspace/    the learner's copies of exercise files
    <home>/progress.json lesson and step states
    <home>/settings.json, keymap.toml   the app's remembered choices, the learner's key bindings

``WORKBENCH_HOME`` wins; the default is the platform's user data folder.
Point it at a shared disk (or set ``BENTOML_HOME`` yourself) when one machine
is not enough.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from shared.constants import ENV_ARTIFACTS_DIR, ENV_HOME

APP_NAME = "mlops-workbench"
# Below this much free space the home counts as full before anything runs (a step's model, logs and
# tracking need more than that; the write probe alone would pass on a disk with a few KB left).
MIN_FREE_BYTES = 4 * 1024 * 1024
# Names in the home that must be folders; a file in their place is moved aside.
HOME_FOLDERS = ("artifacts", "bentoml", "logs", "mlflow", "workspace")

# Environment every step child gets: no telemetry, no hub downloads, live output.
OFFLINE_AND_QUIET = {
    "BENTOML_DO_NOT_TRACK": "True",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONUNBUFFERED": "1",
}


def workbench_home() -> Path:
    raw = os.environ.get(ENV_HOME)
    if raw:
        return Path(raw).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


class HomeUnusable(OSError):
    """The workbench home cannot be made: the message names it, the cause and what to do."""


def created_workbench_home() -> Path:
    """The workbench home, created if it is not there yet (what the app and the command line start in)."""
    path = workbench_home()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # HOME=/nonexistent in a CI container, --home under a file, a read-only disk
        raise HomeUnusable(
            f"the workbench home {path} cannot be created ({exc.strerror or exc}); "
            f"choose another with --home DIR or WORKBENCH_HOME=DIR"
        ) from exc
    return path


def bentoml_home(home: Path | None = None) -> Path:
    return (home or workbench_home()) / "bentoml"


def artifacts_dir(lesson_id: str, step_id: str, home: Path | None = None) -> Path:
    return (home or workbench_home()) / "artifacts" / lesson_id / step_id


def step_artifacts_dir() -> Path:
    """Inside a step: the folder to write artifacts to (created on demand)."""
    raw = os.environ.get(ENV_ARTIFACTS_DIR)
    path = Path(raw) if raw else workbench_home() / "artifacts" / "adhoc"
    path.mkdir(parents=True, exist_ok=True)
    return path


def child_environment(home: Path, lesson_id: str, step_id: str) -> dict[str, str]:
    """Variables added to a step child's environment (the user's own BENTOML_HOME wins)."""
    env = dict(OFFLINE_AND_QUIET)
    env[ENV_HOME] = str(home)
    env[ENV_ARTIFACTS_DIR] = str(artifacts_dir(lesson_id, step_id, home))
    env["BENTOML_HOME"] = os.environ.get("BENTOML_HOME") or str(bentoml_home(home))
    # OpenMP threads that spin while waiting starve each other on a busy machine (15 torch training steps:
    # 172 s spinning vs 7 s passive on 2 loaded cores); on an idle one passive costs ~20 %. The user's choice wins.
    env["OMP_WAIT_POLICY"] = os.environ.get("OMP_WAIT_POLICY") or "PASSIVE"
    return env


def write_problem(home: Path, exc: OSError) -> str:
    """One line for a write to the home that failed: not writable, or full (with the bytes left)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the workbench home {home} is full ({free_bytes(home)} bytes free)"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"the workbench home {home} is not writable ({exc.strerror})"
    return f"the workbench home {home} could not be written ({exc.strerror or exc})"


def free_bytes(path: Path) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return 0


@dataclass
class HomeCheck:
    problem: str | None = None  # nothing can run: the home is not writable or full
    warnings: list[str] = field(default_factory=list)  # something was moved aside; the run goes on


def check_home(home: Path, min_free: int = MIN_FREE_BYTES) -> HomeCheck:
    """Before running: can steps write to ``home``? A file where one of its folders belongs is moved aside."""
    from shared.utils.atomic_files import set_aside

    check = HomeCheck()
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-probe-", dir=home)
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        check.problem = write_problem(home, exc)
        return check
    free = free_bytes(home)
    if free < min_free:
        check.problem = f"the workbench home {home} is full ({free} bytes free)"
        return check
    for name in HOME_FOLDERS:
        path = home / name
        if (path.exists() or path.is_symlink()) and not path.is_dir():
            try:
                aside = set_aside(path)
            except OSError as exc:
                check.problem = f"{path} should be a folder but is a file that cannot be moved aside ({exc.strerror})"
                return check
            check.warnings.append(f"{path} should be a folder; kept the file as {aside}")
    return check
