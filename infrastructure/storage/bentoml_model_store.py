"""Adapter to BentoML's model store (``$BENTOML_HOME/models``; the workbench points it at its home).

Models are saved with ``bentoml.models.create`` and a joblib file inside the
model folder, so the same store serves them later (``bentoml serve``) and
``bentoml models list`` shows them.

The store is read entry by entry: one damaged version folder (a garbage or
non-mapping ``model.yaml``, an empty folder) is reported by its path and
skipped, and the good versions are still used. A model is saved with a
``workbench.pending`` label naming the saving process; the label is removed
when that process exits normally. A model whose saving process was killed
first (a cancel, a timeout, kill -9) is relabelled ``stage=incomplete`` the
next time the store is read and is never returned as "the latest model", so
no prerequisite probe trusts it.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import events
from shared.constants import STAGE_LABEL
from shared.utils.process_identity import as_tag, from_tag, identity, is_alive

MODEL_FILE = "model.joblib"
PENDING_LABEL = "workbench.pending"  # host:pid:start of the process that saved it, until that process exits normally
INCOMPLETE_STAGE = "incomplete"

_reported: set[str] = set()
_pending_here: list[str] = []


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


def _report(path: Path | str, problem: str) -> None:
    """One warning per damaged entry per process, naming its path."""
    key = f"{path}: {problem}"
    if key not in _reported:
        _reported.add(key)
        events.log(f"model store: {path} {problem}", level="warning")


def _why(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "model.yaml is not text"
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__


def _store_root() -> Path:
    from bentoml._internal.configuration.containers import BentoMLContainer

    store = BentoMLContainer.model_store.get()
    return Path(getattr(store, "_path", None) or Path(BentoMLContainer.bentoml_home.get()) / "models")


def _confirm_saved() -> None:
    """At a normal exit of the saving process: its models are complete."""
    for tag in _pending_here:
        try:
            set_label(tag, PENDING_LABEL, None)
        except Exception as exc:  # the store went away: the next reader decides
            _report(tag, f"could not be confirmed as complete ({_why(exc)})")


def save_model_files(
    name: str, write: Callable[[Path], None], *, metadata: dict[str, Any], labels: dict[str, str] | None = None
) -> StoredModel:
    """Create a new version of ``name`` in the store; ``write(folder)`` puts the model's files in it."""
    import bentoml

    owned = {**(labels or {}), PENDING_LABEL: as_tag(identity())}
    with bentoml.models.create(name, labels=owned, metadata=metadata, module=__name__) as model:
        write(Path(model.path))
    if not _pending_here:
        atexit.register(_confirm_saved)
    _pending_here.append(str(model.tag))
    stored = find_model(str(model.tag))  # re-read: the model now lives in the store, not the staging folder
    assert stored is not None, f"{model.tag} missing from the store right after saving"
    return stored


def save_joblib_model(name: str, obj: Any, *, metadata: dict[str, Any], labels: dict[str, str] | None = None) -> StoredModel:
    import joblib

    return save_model_files(name, lambda folder: joblib.dump(obj, folder / MODEL_FILE), metadata=metadata, labels=labels)


def _read_entry(name: str, version: str, folder: Path) -> StoredModel | None:
    """One version, or None (reported by path) when it is damaged or was left by a step that did not finish."""
    import bentoml

    try:
        model = bentoml.models.get(f"{name}:{version}")
        stored = _describe(model)
    except Exception as exc:  # garbage model.yaml, an empty folder, labels that are not a mapping...
        _report(folder, f"is damaged ({_why(exc)}); skipped it (delete or move that folder)")
        return None
    owner = stored.labels.get(PENDING_LABEL)
    if owner is not None:
        record = from_tag(owner)
        if record is not None and is_alive(record):
            return stored  # being saved or used by a running step
        try:
            model.info.labels.pop(PENDING_LABEL, None)
            model.info.labels[STAGE_LABEL] = INCOMPLETE_STAGE
            model.flush()
        except Exception as exc:
            _report(folder, f"could not be relabelled ({_why(exc)})")
        _report(stored.tag, f"was saved by a step that did not finish; labelled {STAGE_LABEL}={INCOMPLETE_STAGE}, not used")
        return None
    if stored.labels.get(STAGE_LABEL) == INCOMPLETE_STAGE:
        return None
    return stored


def find_model(tag: str) -> StoredModel | None:
    """The model with this tag (``name`` or ``name:latest`` = newest usable), or None when there is none."""
    name, _, version = tag.partition(":")
    if version in ("", "latest"):
        found = list_models(name)
        return found[0] if found else None
    folder = _store_root() / name.lower() / version
    if not folder.is_dir():
        return None
    return _read_entry(name, version, folder)


def list_models(name: str) -> list[StoredModel]:
    """All usable versions of ``name``, newest first; damaged and unfinished ones are reported and left out."""
    folder = _store_root() / name.lower()
    try:
        versions = [entry for entry in folder.iterdir() if entry.is_dir()] if folder.is_dir() else []
    except OSError as exc:
        _report(folder, f"could not be read ({exc.strerror})")
        return []
    found = [m for entry in versions if (m := _read_entry(name, entry.name, entry)) is not None]
    return sorted(found, key=lambda m: m.created, reverse=True)


def load_joblib_model(tag: str) -> tuple[Any, StoredModel]:
    """The stored object and its entry; ``name`` or ``name:latest`` means the newest usable version."""
    import bentoml
    import joblib
    from bentoml.exceptions import NotFound

    stored = find_model(tag)
    if stored is None:
        raise NotFound(f"no usable model {tag} in the model store {_store_root()}")
    model = bentoml.models.get(stored.tag)
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
