"""Use case: the validation gate between training and serving.

Loads a model from the store and checks accuracy on the held-out split it
was trained against, single-prediction latency (p50/p95), and the input /
output contract. A JSON report is written either way; only a model that
passes every gate gets the ``stage=validated`` label that serving looks for.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from domain.data.pipelines.splitting import stratified_split
from domain.data.sources.iris_source import load_iris_dataset
from domain.models.traditional.sklearn.iris_classifier import InputContractError, IrisClassifier
from infrastructure.storage.bentoml_model_store import load_joblib_model, set_label
from shared import events
from shared.configs.workbench_home import step_artifacts_dir
from shared.constants import IRIS_MODEL_NAME, STAGE_LABEL, VALIDATED_STAGE
from shared.utils.atomic_files import write_json_atomic


def _contract_cases(classifier: IrisClassifier, sample: np.ndarray) -> list[dict[str, Any]]:
    """Good input must give probabilities per class summing to 1; bad input must be refused clearly."""
    cases: list[dict[str, Any]] = []
    probabilities = classifier.predict_proba(sample[:2])
    good = probabilities.shape == (2, len(classifier.class_names)) and bool(np.allclose(probabilities.sum(axis=1), 1.0))
    cases.append({"case": "two valid rows", "passed": good, "observed": f"probabilities shape {probabilities.shape}"})
    bad_inputs = {
        "three features instead of four": [[5.1, 3.5, 1.4]],
        "a missing value": [[5.1, float("nan"), 1.4, 0.2]],
        "text instead of numbers": [["long", "wide", "short", "thin"]],
        "no rows": np.empty((0, 4)),
    }
    for name, features in bad_inputs.items():
        try:
            classifier.predict_proba(features)
        except InputContractError as exc:
            cases.append({"case": name, "passed": True, "observed": f"refused: {exc}"})
        else:
            cases.append({"case": name, "passed": False, "observed": "accepted bad input"})
    return cases


def validate(
    model_tag: str = f"{IRIS_MODEL_NAME}:latest",
    min_accuracy: float = 0.9,
    max_p95_latency_ms: float = 100.0,
    latency_samples: int = 1000,
) -> dict[str, Any]:
    events.status(f"loading {model_tag} from the model store")
    estimator, stored = load_joblib_model(model_tag)
    meta = stored.metadata
    classifier = IrisClassifier(estimator, tuple(meta["feature_names"]), tuple(meta["class_names"]))
    config = meta["config"]
    events.log(f"model {stored.tag}, trained with {config}")

    _, test_set = stratified_split(load_iris_dataset(), test_size=config["test_size"], seed=config["random_state"])
    accuracy = float(
        (np.asarray(classifier.predict(test_set.features)) == np.asarray(test_set.class_names)[test_set.labels]).mean()
    )
    events.metric("accuracy", accuracy)
    events.log(f"accuracy on the held-out split: {accuracy:.4f} (gate: ≥ {min_accuracy})")

    events.status(f"timing {latency_samples} single predictions")
    timings_ms = np.empty(latency_samples)
    report_every = max(latency_samples // 20, 1)
    for i in range(latency_samples):
        row = test_set.features[i % test_set.n_rows : i % test_set.n_rows + 1]
        start = time.perf_counter()
        classifier.predict_proba(row)
        timings_ms[i] = (time.perf_counter() - start) * 1000.0
        if (i + 1) % report_every == 0:
            events.progress(i + 1, latency_samples, "predictions")
    p50, p95 = (float(v) for v in np.percentile(timings_ms, [50, 95]))
    events.metric("latency_p50_ms", p50)
    events.metric("latency_p95_ms", p95)
    events.log(f"latency p50 {p50:.2f} ms, p95 {p95:.2f} ms (gate: p95 ≤ {max_p95_latency_ms} ms)")

    cases = _contract_cases(classifier, test_set.features)
    for case in cases:
        events.log(f"  contract {'ok  ' if case['passed'] else 'FAIL'} {case['case']}: {case['observed']}")
    contract_ok = all(case["passed"] for case in cases)

    gates = {
        "accuracy": accuracy >= min_accuracy,
        "latency": p95 <= max_p95_latency_ms,
        "contract": contract_ok,
    }
    validated = all(gates.values())
    report = {
        "model": stored.tag,
        "thresholds": {
            "min_accuracy": min_accuracy,
            "max_p95_latency_ms": max_p95_latency_ms,
            "latency_samples": latency_samples,
        },
        "measured": {"accuracy": accuracy, "latency_p50_ms": p50, "latency_p95_ms": p95},
        "contract": cases,
        "gates": gates,
        "validated": validated,
    }
    path = write_json_atomic(step_artifacts_dir() / "validation_report.json", report)
    events.artifact("report", path, "validation report (thresholds, measurements, contract cases)")

    set_label(stored.tag, STAGE_LABEL, VALIDATED_STAGE if validated else "rejected")
    verdict = "labelled stage=validated" if validated else "not validated: " + ", ".join(g for g, ok in gates.items() if not ok)
    events.log(f"{stored.tag}: {verdict}")
    events.artifact("model", stored.tag, verdict)
    return {
        "validated": validated,
        "accuracy": accuracy,
        "latency_p95_ms": p95,
        "contract_ok": contract_ok,
        "model_tag": stored.tag,
        "summary": f"{stored.tag} {verdict}",
    }
