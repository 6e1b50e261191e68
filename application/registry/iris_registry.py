"""Use cases over the model store: the latest trained / validated iris model.

``probe_trained`` and ``probe_validated`` are the lessons' ``provides`` probes:
the headless runner calls them to decide whether a prerequisite lesson must
run first on this machine.
"""

from __future__ import annotations

from infrastructure.storage.bentoml_model_store import StoredModel, list_models
from shared.constants import IRIS_MODEL_NAME, STAGE_LABEL, VALIDATED_STAGE


def latest_trained() -> StoredModel | None:
    models = list_models(IRIS_MODEL_NAME)
    return models[0] if models else None


def latest_validated() -> StoredModel | None:
    return next((m for m in list_models(IRIS_MODEL_NAME) if m.labels.get(STAGE_LABEL) == VALIDATED_STAGE), None)


def _probe(model: StoredModel | None, what: str) -> dict:
    if model is None:
        print(f"no {what} {IRIS_MODEL_NAME} model in the store")
        return {"present": False}
    print(f"found {what} model {model.tag} ({model.created})")
    return {"present": True, "model_tag": model.tag}


def probe_trained() -> dict:
    return _probe(latest_trained(), "trained")


def probe_validated() -> dict:
    return _probe(latest_validated(), "validated")
