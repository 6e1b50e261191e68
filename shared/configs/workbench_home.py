"""The workbench home: one folder for everything the workbench persists.

    <home>/bentoml/      the BentoML model store (BENTOML_HOME)
    <home>/artifacts/    what each step produced, per lesson and step
    <home>/logs/         saved logs
    <home>/progress.json lesson and step states

``WORKBENCH_HOME`` wins; the default is the platform's user data folder.
Point it at a shared disk (or set ``BENTOML_HOME`` yourself) when one machine
is not enough.
"""

from __future__ import annotations

import os
from pathlib import Path

from shared.constants import ENV_ARTIFACTS_DIR, ENV_HOME

APP_NAME = "mlops-workbench"

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
    return env
