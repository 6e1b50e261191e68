"""Check for the input-contract exercise: the learner's validator guards a real model."""

from __future__ import annotations

import numpy as np

from domain.data.sources.iris_source import load_iris_dataset
from shared.utils.learner_code import load_learner_module, require

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
            print(f"refused {name}: {exc}")
            if not str(exc).strip():
                problems.append(f"{name}: refused, but with an empty message (say what was expected)")
        except Exception as exc:
            problems.append(f"{name}: raised {type(exc).__name__} instead of ValueError: {exc}")
        else:
            problems.append(f"{name}: accepted")
    for problem in problems:
        print(f"problem: {problem}")
    return {"problems": len(problems), "summary": problems[0] if problems else "valid rows pass, every bad input is refused clearly"}
