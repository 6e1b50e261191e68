"""Requests to the iris service that every client of it shares: the lessons, the serving screen, the container check.

``GOOD_ROWS`` are one flower of each species from the iris data (rows 0, 50
and 100), so a client can tell a right answer from a wrong one;
``BAD_PAYLOADS`` are the malformed bodies the service must refuse with 400.
"""

from __future__ import annotations

import json

SERVICE = "application.inference.iris_service:IrisService"
BENTOFILE = "application/inference/bentofile.yaml"
GOOD_ROWS = {
    "setosa": [5.1, 3.5, 1.4, 0.2],
    "versicolor": [7.0, 3.2, 4.7, 1.4],
    "virginica": [6.3, 3.3, 6.0, 2.5],
}
EXAMPLE_BODY = {"features": list(GOOD_ROWS.values())}
BAD_PAYLOADS: dict[str, bytes] = {
    "three features instead of four": json.dumps({"features": [[5.1, 3.5, 1.4]]}).encode(),
    "text instead of numbers": json.dumps({"features": [["long", "wide", "short", "thin"]]}).encode(),
    "no rows": json.dumps({"features": []}).encode(),
    "missing field": json.dumps({"rows": [[5.1, 3.5, 1.4, 0.2]]}).encode(),
    "a missing value (NaN)": b'{"features": [[5.1, NaN, 1.4, 0.2]]}',
    "1001 rows (over the limit)": json.dumps({"features": [[5.0, 3.0, 1.0, 0.2]] * 1001}).encode(),
    "not JSON at all": b"features=5.1,3.5",
}


def species_correct(answer: object) -> int:
    """How many of GOOD_ROWS the service classified right, from a /classify answer."""
    if not isinstance(answer, list):
        return 0
    return sum(
        1 for expected, row in zip(GOOD_ROWS, answer, strict=False) if isinstance(row, dict) and row.get("class") == expected
    )
