"""The iris service: BentoML 1.4 serving the latest *validated* iris model from the model store.

    bentoml serve application.inference.iris_service:IrisService --host 127.0.0.1 --port 3000

Inputs are typed (an (n, 4) float32 array), so a malformed payload gets HTTP
400 with a message saying what was expected — never a 500. ``predict_proba``
is batchable: concurrent requests are merged into one model call.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import bentoml
import numpy as np
from bentoml.exceptions import InvalidArgument
from bentoml.validators import DType, Shape

from application.inference.feature_monitoring import FeatureRecorder
from application.registry.iris_registry import latest_validated
from domain.models.traditional.sklearn.iris_classifier import InputContractError
from domain.models.traditional.sklearn.iris_classifier import IrisClassifier as IrisModel
from infrastructure.storage.bentoml_model_store import MODEL_FILE
from shared.utils.steady_gc import steady_gc

MAX_ROWS = 1000
FEATURES_SEEN = FeatureRecorder()  # Prometheus histograms of served feature values, for drift monitoring
Features = Annotated[np.ndarray, Shape((-1, 4)), DType("float32")]


def _validated_tag() -> str:
    """The model this service serves: IRIS_MODEL_TAG if set, else the newest model labelled stage=validated."""
    if os.environ.get("IRIS_MODEL_TAG"):
        return os.environ["IRIS_MODEL_TAG"]
    found = latest_validated()
    if found is None:
        raise RuntimeError("no validated iris_classifier in the model store: run `mlops-workbench --lesson model-validation` first")
    return found.tag


@bentoml.service(name="iris_service", traffic={"timeout": 10}, workers=1)
class IrisService:
    model_ref = bentoml.models.BentoModel(_validated_tag())

    def __init__(self) -> None:
        import joblib

        metadata = self.model_ref.info.metadata
        self.model = IrisModel(joblib.load(self.model_ref.path_of(MODEL_FILE)),
                               tuple(metadata["feature_names"]), tuple(metadata["class_names"]))
        steady_gc()

    def _checked(self, features: np.ndarray) -> np.ndarray:
        if len(features) > MAX_ROWS:
            raise InvalidArgument(f"{len(features)} rows in one request; at most {MAX_ROWS}")
        try:
            checked = self.model.validate_features(features)
        except InputContractError as exc:
            raise InvalidArgument(str(exc)) from None
        FEATURES_SEEN.observe(checked)
        return checked

    @bentoml.api(batchable=True, max_batch_size=64, max_latency_ms=1000)  # a latency budget: beyond it requests get 503
    def predict_proba(self, features: Features) -> np.ndarray:
        """One probability per class for each row (concurrent calls are batched)."""
        return self.model.estimator.predict_proba(self._checked(features))

    @bentoml.api
    def classify(self, features: Features) -> list[dict[str, Any]]:
        """The class name and the probability of every class, per row."""
        probabilities = self.model.estimator.predict_proba(self._checked(features))
        names = list(self.model.class_names)
        return [{"class": names[int(row.argmax())], "probabilities": dict(zip(names, map(float, row)))} for row in probabilities]
