"""The baseline for the serving benchmark: the same validated iris model behind a bare Starlette endpoint.

    uvicorn tests.benchmarks.bare_iris_endpoint:app --host 127.0.0.1 --port 3001

Same input contract as the BentoML service (an (n, 4) float array, 400 otherwise),
no batching: one model call per request.
"""

from __future__ import annotations

import os

import joblib
import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from application.registry.iris_registry import latest_validated
from infrastructure.storage.bentoml_model_store import MODEL_FILE
from shared.utils.steady_gc import steady_gc


def _load():
    import bentoml

    tag = os.environ.get("IRIS_MODEL_TAG") or latest_validated().tag
    return joblib.load(bentoml.models.get(tag).path_of(MODEL_FILE))


MODEL = _load()
steady_gc()  # the same garbage-collector settings as the BentoML service, so the comparison is about serving, not GC


async def predict_proba(request: Request) -> JSONResponse:
    try:
        features = np.asarray((await request.json())["features"], dtype=np.float32)
    except (ValueError, KeyError, TypeError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    if features.ndim != 2 or features.shape[1] != 4 or not len(features) or not np.isfinite(features).all():
        return JSONResponse({"error": "expected an (n, 4) array of finite numbers"}, status_code=400)
    return JSONResponse(MODEL.predict_proba(features).tolist())


app = Starlette(routes=[Route("/predict_proba", predict_proba, methods=["POST"])])
