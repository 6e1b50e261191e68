"""``provides`` probes for lessons whose output is "a model of this name in the store"."""

from __future__ import annotations

from infrastructure.storage.bentoml_model_store import list_models

DIGITS_TORCH_MODEL = "digits_mlp_torch"


def probe_named(name: str) -> dict:
    models = list_models(name)
    if not models:
        print(f"no {name} model in the store")
        return {"present": False}
    print(f"found {models[0].tag} ({models[0].created})")
    return {"present": True, "model_tag": models[0].tag}


def probe_digits_torch() -> dict:
    return probe_named(DIGITS_TORCH_MODEL)
