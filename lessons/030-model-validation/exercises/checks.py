"""Checks for the model-validation exercises: the learner's input contract guards a real model; their p95 matches numpy."""

from __future__ import annotations

import time

import numpy as np

from domain.data.sources.iris_source import load_iris_dataset
from shared import events
from workbench.runner.child.learner_code import load_learner_module, require

BAD_INPUTS = {
    "three features instead of four": [[5.1, 3.5, 1.4]],
    "a missing value": [[5.1, float("nan"), 1.4, 0.2]],
    "text instead of numbers": [["long", "wide", "short", "thin"]],
    "no rows": np.empty((0, 4)),
}


def check_input_contract(path: str) -> dict:
    from sklearn.ensemble import RandomForestClassifier

    validate = require(load_learner_module(path), "validate_features", "a function: features -> 2-D float array, or ValueError")
    data = load_iris_dataset()
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(data.features, data.labels)
    problems = []
    try:
        good = validate(data.features[:2].tolist())
        predictions = model.predict(good)
        if len(predictions) != 2:
            problems.append("two valid rows did not give two predictions")
    except Exception as exc:
        problems.append(f"two valid rows were refused: {type(exc).__name__}: {exc}")
    for name, features in BAD_INPUTS.items():
        try:
            validate(features)
        except ValueError as exc:
            events.log(f"refused {name}: {exc}")
            if not str(exc).strip():
                problems.append(f"{name}: refused, but with an empty message (say what was expected)")
        except Exception as exc:
            problems.append(f"{name}: raised {type(exc).__name__} instead of ValueError: {exc}")
        else:
            problems.append(f"{name}: accepted")
    for problem in problems:
        events.log(f"problem: {problem}")
    return {
        "problems": len(problems),
        "summary": problems[0] if problems else "valid rows pass, every bad input is refused clearly",
    }


def check_p95(path: str) -> dict:
    from sklearn.ensemble import RandomForestClassifier

    p95_ms = require(load_learner_module(path), "p95_ms", "a function: list of timings in ms -> their 95th percentile")
    skewed = [1.0] * 90 + [50.0] * 10  # most requests fast, a slow tail: the mean hides it
    data = load_iris_dataset()
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(data.features, data.labels)
    real = []
    for i in range(200):
        start = time.perf_counter()
        model.predict(data.features[i % 150 : i % 150 + 1])
        real.append((time.perf_counter() - start) * 1000)
    cases = {"skewed timings (90 × 1 ms, 10 × 50 ms)": skewed, "200 real single predictions": real}
    wrong = []
    for name, timings in cases.items():
        expected = float(np.percentile(timings, 95))
        yours = float(p95_ms(list(timings)))
        events.log(f"{name}: yours {yours:.3f} ms, numpy.percentile {expected:.3f} ms, mean {np.mean(timings):.3f} ms")
        if not np.isclose(yours, expected, rtol=0.02, atol=1e-6):
            wrong.append(f"{name}: p95 {yours:.3f} ms, expected {expected:.3f} ms")
    return {"wrong_cases": len(wrong), "summary": wrong[0] if wrong else "your p95 matches on skewed and real timings"}
