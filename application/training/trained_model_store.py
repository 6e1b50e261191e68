"""The last part of every training use case: record the settings, store the model, say where it went."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from infrastructure.storage.bentoml_model_store import StoredModel, save_model_files
from shared import events
from shared.configs.workbench_home import step_artifacts_dir
from shared.constants import STAGE_LABEL
from shared.utils.atomic_files import write_json_atomic


def keep_trained_model(
    name: str,
    write: Callable[[Path], None],
    *,
    framework: str,
    settings: dict[str, Any],
    metadata: dict[str, Any],
) -> StoredModel:
    """Settings as an artifact; the model in the store with metadata + settings and the label stage=trained."""
    events.artifact("config", write_json_atomic(step_artifacts_dir() / "config.json", settings), "training settings")
    stored = save_model_files(
        name, write, metadata={**metadata, "settings": settings}, labels={STAGE_LABEL: "trained", "framework": framework}
    )
    events.log(f"saved {stored.tag} to {stored.path}")
    events.artifact("model", stored.tag, f"BentoML model store: {stored.path}")
    return stored
