"""The iris service: BentoML 1.4 serving the latest *validated* iris model from the model store.

    bentoml serve application.inference.iris_service:IrisService --host 127.0.0.1 --port 3000

The request contract (``request_contract.py``): ``{"features": [[4 finite
numbers], ...]}`` with 1 to 1,000 rows, nothing reshaped or coerced. Each
request is checked on its own at the ASGI boundary
(``contract_middleware.py``) before BentoML parses it: a malformed one gets
HTTP 400 (413 if over 1 MiB) with one JSON error object naming the field, what
was expected and what came — never a 5xx — and the adaptive batcher only ever
merges valid requests, so one bad request can only fail itself. The served
OpenAPI document (``/docs.json``) states the same contract.

``predict_proba`` is batchable: concurrent requests are merged into one model call.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import bentoml
import numpy as np
from bentoml.validators import DType, Shape

from application.inference.contract_middleware import RequestContractMiddleware, contract_routes
from application.inference.feature_monitoring import FeatureRecorder
from application.inference.request_contract import CLASSIFY_SCHEMA, PROBABILITIES_SCHEMA
from application.registry.iris_registry import latest_validated
from domain.data.sources.iris_source import CLASS_NAMES, FEATURE_NAMES
from domain.models.traditional.sklearn.iris_classifier import IrisClassifier as IrisModel
from infrastructure.storage.bentoml_model_store import MODEL_FILE
from shared.utils.steady_gc import steady_gc

FEATURES_SEEN = FeatureRecorder()  # Prometheus histograms of served feature values, for drift monitoring
Features = Annotated[np.ndarray, Shape((-1, 4)), DType("float32")]  # already checked: exactly (n, 4) finite, 1 to 1,000 rows


def _validated_tag() -> str:
    """The model this service serves: IRIS_MODEL_TAG if set, else the newest model labelled stage=validated."""
    if os.environ.get("IRIS_MODEL_TAG"):
        return os.environ["IRIS_MODEL_TAG"]
    found = latest_validated()
    if found is None:
        raise RuntimeError(
            "no validated iris_classifier in the model store: run `mlops-workbench --lesson model-validation` first"
        )
    return found.tag


@bentoml.service(name="iris_service", traffic={"timeout": 10}, workers=1)
class IrisService:
    model_ref = bentoml.models.BentoModel(_validated_tag())

    def __init__(self) -> None:
        import joblib

        metadata = self.model_ref.info.metadata
        names = (tuple(metadata["feature_names"]), tuple(metadata["class_names"]))
        if names != (tuple(FEATURE_NAMES), tuple(CLASS_NAMES)):  # the contract and the OpenAPI document are written for these
            raise RuntimeError(
                f"{self.model_ref.tag} has features/classes {names}; this service's contract is "
                f"{(tuple(FEATURE_NAMES), tuple(CLASS_NAMES))}"
            )
        self.model = IrisModel(
            joblib.load(self.model_ref.path_of(MODEL_FILE)), tuple(metadata["feature_names"]), tuple(metadata["class_names"])
        )
        steady_gc()

    @bentoml.api(batchable=True, max_batch_size=64, max_latency_ms=1000)  # a latency budget: beyond it requests get 503
    def predict_proba(self, features: Features) -> np.ndarray:
        """One probability per class for each row (concurrent calls are batched)."""
        FEATURES_SEEN.observe(features)
        return self.model.estimator.predict_proba(features)

    @bentoml.api
    def classify(self, features: Features) -> list[dict[str, Any]]:
        """The class name and the probability of every class, per row."""
        FEATURES_SEEN.observe(features)
        probabilities = self.model.estimator.predict_proba(features)
        names = list(self.model.class_names)
        return [
            {"class": names[int(row.argmax())], "probabilities": dict(zip(names, map(float, row), strict=True))}
            for row in probabilities
        ]


# Every request is checked against the contract before BentoML parses it (see contract_middleware.py for why).
service: Any = IrisService  # @bentoml.service returns a Service object; its type stubs still say the class
service.add_asgi_middleware(
    RequestContractMiddleware,
    answers=contract_routes(service.apis.values(), {"classify": CLASSIFY_SCHEMA, "predict_proba": PROBABILITIES_SCHEMA}),
)
