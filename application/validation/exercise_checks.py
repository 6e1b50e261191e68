"""Check for the latency-gate exercise: the learner's p95 against numpy, on skewed and on real timings."""

from __future__ import annotations

import time

import numpy as np

from domain.data.sources.iris_source import load_iris_dataset
from shared.utils.learner_code import load_learner_module, require


def check_p95(path: str) -> dict:
    from sklearn.ensemble import RandomForestClassifier

    p95_ms = require(load_learner_module(path), "p95_ms", "a function: list of timings in ms -> their 95th percentile")
    skewed = [1.0] * 90 + [50.0] * 10  # most requests fast, a slow tail: the mean hides it
    data = load_iris_dataset()
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(data.features, data.labels)
    real = []
    for i in range(200):
        start = time.perf_counter()
        model.predict(data.features[i % 150: i % 150 + 1])
        real.append((time.perf_counter() - start) * 1000)
    cases = {"skewed timings (90 × 1 ms, 10 × 50 ms)": skewed, "200 real single predictions": real}
    wrong = []
    for name, timings in cases.items():
        expected = float(np.percentile(timings, 95))
        yours = float(p95_ms(list(timings)))
        print(f"{name}: yours {yours:.3f} ms, numpy.percentile {expected:.3f} ms, mean {np.mean(timings):.3f} ms")
        if not np.isclose(yours, expected, rtol=0.02, atol=1e-6):
            wrong.append(f"{name}: p95 {yours:.3f} ms, expected {expected:.3f} ms")
    return {"wrong_cases": len(wrong), "summary": wrong[0] if wrong else "your p95 matches on skewed and real timings"}
