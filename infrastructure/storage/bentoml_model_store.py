"""Adapter to BentoML's model store (``$BENTOML_HOME/models``; the workbench points it at its home).

Models are saved with ``bentoml.models.create`` and a joblib file inside the
model folder, so the same store serves them later (``bentoml serve``) and
``bentoml models list`` shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

MODEL_FILE = "model.joblib"


@dataclass(frozen=True)
class StoredModel:
    tag: str
    path: Path
    labels: dict[str, str]
    metadata: dict[str, Any]
    created: str


def _describe(model: Any) -> StoredModel:
    return StoredModel(
        tag=str(model.tag),
        path=Path(model.path),
        labels=dict(model.info.labels),
        metadata=dict(model.info.metadata),
        created=model.info.creation_time.isoformat(),
    )


def save_model_files(
    name: str, write: Callable[[Path], None], *, metadata: dict[str, Any], labels: dict[str, str] | None = None
) -> StoredModel:
    """Create a new version of ``name`` in the store; ``write(folder)`` puts the model's files in it."""
    import bentoml

    with bentoml.models.create(name, labels=labels or {}, metadata=metadata, module=__name__) as model:
        write(Path(model.path))
    stored = find_model(str(model.tag))  # re-read: the model now lives in the store, not the staging folder
    assert stored is not None, f"{model.tag} missing from the store right after saving"
    return stored


def save_joblib_model(name: str, obj: Any, *, metadata: dict[str, Any], labels: dict[str, str] | None = None) -> StoredModel:
    import joblib

    return save_model_files(name, lambda folder: joblib.dump(obj, folder / MODEL_FILE), metadata=metadata, labels=labels)


def find_model(tag: str) -> StoredModel | None:
    """The model with this tag (``name`` or ``name:latest`` = newest), or None when there is none."""
    import bentoml
    from bentoml.exceptions import NotFound

    try:
        return _describe(bentoml.models.get(tag))
    except NotFound:
        return None


def list_models(name: str) -> list[StoredModel]:
    """All versions of ``name``, newest first."""
    import bentoml

    try:
        models = bentoml.models.list(name)
    except Exception:  # the store raises NotFound when the name was never saved
        return []
    return sorted((_describe(m) for m in models), key=lambda m: m.created, reverse=True)


def load_joblib_model(tag: str) -> tuple[Any, StoredModel]:
    import bentoml
    import joblib

    model = bentoml.models.get(tag)
    return joblib.load(model.path_of(MODEL_FILE)), _describe(model)


def set_label(tag: str, key: str, value: str | None) -> StoredModel:
    """Add, change or (value None) remove one label of a stored model."""
    import bentoml

    model = bentoml.models.get(tag)
    if value is None:
        model.info.labels.pop(key, None)
    else:
        model.info.labels[key] = value
    model.flush()  # rewrites model.yaml in the store
    return _describe(model)
