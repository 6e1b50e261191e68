"""What a valid request to the iris service is, checked one request at a time, and the one error object it answers with.

A request body is a JSON object with one key, ``features``: 1 to 1,000 rows,
each row exactly 4 finite numbers (sepal length, sepal width, petal length,
petal width, in cm). Nothing is reshaped or coerced: a row of 3 or 8 values, a
string, a boolean, ``null``, ``NaN`` or a number beyond float32 is refused and
the error names the field (``features[2][1]``), what was expected and what came.

Every refusal is the same JSON object (``ERROR_SCHEMA``)::

    {"error": "features[0] has 3 values; expected 4 finite numbers ...",
     "field": "features[0]", "expected": "4 finite numbers: ...", "got": "[5.1, 3.5, 1.4]"}

with HTTP 400, or 413 when the body is larger than ``MAX_BODY_BYTES``. The
schemas below are what the served OpenAPI document states, so a client
generator or a fuzzer knows the contract too. No BentoML import: the checks
are plain Python, usable (and tested) without a server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from domain.data.sources.iris_source import CLASS_NAMES, FEATURE_NAMES

MIN_ROWS = 1
MAX_ROWS = 1000
N_FEATURES = len(FEATURE_NAMES)
MAX_BODY_BYTES = 1024 * 1024  # 1,000 rows of 4 numbers is ~60 KB of JSON; anything past 1 MiB is refused with 413 unread
FLOAT32_MAX = 3.4028234663852886e38  # the model computes in float32: a larger magnitude would become infinity
JSON_MEDIA_TYPE = "application/json"

ROW_EXPECTED = f"{N_FEATURES} finite numbers: {', '.join(FEATURE_NAMES)} (cm)"
BODY_EXPECTED = f'a JSON object {{"features": [[{N_FEATURES} numbers], ...]}} with {MIN_ROWS} to {MAX_ROWS} rows'


@dataclass
class ContractViolation(Exception):
    """One refused request: the HTTP status and the error object's fields."""

    field: str
    expected: str
    got: str
    status: int = 400
    message: str = ""

    def __str__(self) -> str:
        return self.message or f"{self.field}: expected {self.expected}; got {self.got}"

    def body(self) -> dict[str, str]:
        return {"error": str(self), "field": self.field, "expected": self.expected, "got": self.got}


def _excerpt(value: Any, limit: int = 80) -> str:
    """A short JSON rendering of what the client sent, for the error object."""
    try:
        text = json.dumps(value, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = "(nested too deeply to show)"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def check_content_type(header: str | None) -> None:
    """JSON only. A missing header is read as JSON (BentoML's default); anything else is refused, never guessed."""
    if header is None:
        return
    media_type, _, params = header.partition(";")
    charset = next(
        (p.split("=", 1)[1].strip().strip('"').lower() for p in params.split(";") if p.strip().lower().startswith("charset=")),
        None,
    )
    if media_type.strip().lower() != JSON_MEDIA_TYPE or charset not in (None, "utf-8", "utf8"):
        raise ContractViolation(
            "Content-Type",
            f"{JSON_MEDIA_TYPE} (UTF-8)",
            _excerpt(header),
            message=f"Content-Type {header!r} is not accepted; send {JSON_MEDIA_TYPE} (UTF-8)",
        )


def too_large(size: int | None) -> ContractViolation:
    got = f"{size} bytes" if size is not None else f"more than {MAX_BODY_BYTES} bytes"
    return ContractViolation(
        "body",
        f"at most {MAX_BODY_BYTES} bytes",
        got,
        status=413,
        message=f"the request body is {got}; at most {MAX_BODY_BYTES} bytes are accepted",
    )


def _is_number(value: Any) -> bool:
    """A JSON number the model can take: not a boolean, not NaN or infinite, within float32 (compared exactly, ints too)."""
    return type(value) in (int, float) and -FLOAT32_MAX <= value <= FLOAT32_MAX  # NaN fails both comparisons


def _check_number(value: Any, field: str) -> None:
    if _is_number(value):
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        shown = _kind(value) if value is None else f"{_kind(value)} ({_excerpt(value)})"
        raise ContractViolation(
            field,
            "a finite number (cm)",
            f"{_excerpt(value)} ({_kind(value)})",
            message=f"{field} is {shown}; expected a finite number (cm)",
        )
    what = _excerpt(value)
    raise ContractViolation(
        field,
        f"a finite number of magnitude at most {FLOAT32_MAX:.7g} (float32)",
        what,
        message=f"{field} is {what}; expected a finite number (float32 range)",
    )


def check_features(features: Any) -> list[list[float]]:
    """The rows, each exactly ``N_FEATURES`` finite numbers; the first problem found is raised."""
    if not isinstance(features, list):
        raise ContractViolation(
            "features",
            f"an array of {MIN_ROWS} to {MAX_ROWS} rows",
            f"{_kind(features)} {_excerpt(features)}",
            message=f"features is {_kind(features)}; expected an array of rows, each {ROW_EXPECTED}",
        )
    if not MIN_ROWS <= len(features) <= MAX_ROWS:
        raise ContractViolation(
            "features",
            f"{MIN_ROWS} to {MAX_ROWS} rows",
            f"{len(features)} rows",
            message=f"features has {len(features)} rows; expected {MIN_ROWS} to {MAX_ROWS} rows per request",
        )
    rows = []
    for index, row in enumerate(features):
        # The fast path (a valid row) builds no message; the first doubt goes to _row_problem for the exact one.
        if type(row) is list and len(row) == N_FEATURES and all(_is_number(value) for value in row):
            rows.append([float(value) for value in row])
        else:
            raise _row_problem(index, row)
    return rows


def _row_problem(index: int, row: Any) -> ContractViolation:
    field = f"features[{index}]"
    if not isinstance(row, list):
        return ContractViolation(
            field,
            f"an array of {ROW_EXPECTED}",
            f"{_kind(row)} {_excerpt(row)}",
            message=f"{field} is {_kind(row)} ({_excerpt(row)}); expected an array of {ROW_EXPECTED}",
        )
    if len(row) != N_FEATURES:
        values = f"{len(row)} value{'' if len(row) == 1 else 's'}"
        return ContractViolation(
            field,
            ROW_EXPECTED,
            f"{values}: {_excerpt(row)}",
            message=f"{field} has {values} ({_excerpt(row)}); expected exactly {ROW_EXPECTED}",
        )
    column = next(column for column, value in enumerate(row) if not _is_number(value))  # the fast path found one
    try:
        _check_number(row[column], f"{field}[{column}] ({FEATURE_NAMES[column]})")
    except ContractViolation as violation:
        return violation
    raise AssertionError("unreachable: _is_number was False")


def parse_request(body: bytes) -> list[list[float]]:
    """The rows of one request body, or ``ContractViolation`` saying what is wrong with it."""
    if len(body) > MAX_BODY_BYTES:
        raise too_large(len(body))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractViolation(
            "body",
            f"UTF-8 JSON: {BODY_EXPECTED}",
            f"bytes that are not UTF-8 (at byte {exc.start})",
            message=f"the body is not UTF-8 text (byte {exc.start}); expected {BODY_EXPECTED}",
        ) from None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError; so is the 4,300-digit integer limit
        reason = str(exc) if not isinstance(exc, RecursionError) else "nested too deeply"
        raise ContractViolation(
            "body",
            BODY_EXPECTED,
            f"invalid JSON: {reason}"[:120],
            message=f"the body is not valid JSON ({reason}); expected {BODY_EXPECTED}"[:300],
        ) from None
    if not isinstance(document, dict):
        raise ContractViolation(
            "body",
            BODY_EXPECTED,
            f"{_kind(document)} {_excerpt(document)}",
            message=f"the body is {_kind(document)}; expected {BODY_EXPECTED}",
        )
    if "features" not in document:
        keys = _excerpt(sorted(document))
        raise ContractViolation(
            "features",
            f"an array of {MIN_ROWS} to {MAX_ROWS} rows",
            f'no "features" key (keys: {keys})',
            message=f'the body has no "features" key (its keys: {keys}); expected {BODY_EXPECTED}',
        )
    unknown = sorted(key for key in document if key != "features")
    if unknown:
        raise ContractViolation(
            unknown[0],
            'only the key "features"',
            f"unknown key {_excerpt(unknown[0])}",
            message=f"unknown key {_excerpt(unknown[0])} in the body; expected {BODY_EXPECTED}",
        )
    return check_features(document["features"])


# -- what the OpenAPI document states (application/inference/contract_middleware.py puts these into /docs.json) --

FEATURE_ROW_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": ROW_EXPECTED,
    "minItems": N_FEATURES,
    "maxItems": N_FEATURES,
    "items": {"type": "number", "minimum": -FLOAT32_MAX, "maximum": FLOAT32_MAX},
}
REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "IrisRequest",
    "description": f"{MIN_ROWS} to {MAX_ROWS} flowers, each {ROW_EXPECTED}. No reshaping: any other shape is refused (400).",
    "required": ["features"],
    "additionalProperties": False,
    "properties": {
        "features": {"type": "array", "minItems": MIN_ROWS, "maxItems": MAX_ROWS, "items": FEATURE_ROW_SCHEMA},
    },
    "example": {"features": [[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]]},
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "IrisRequestError",
    "description": "Why a request was refused: the offending field, what it should be, and what was sent.",
    "required": ["error", "field", "expected", "got"],
    "additionalProperties": False,
    "properties": {
        "error": {"type": "string", "description": "the whole message, for a person"},
        "field": {"type": "string", "description": "body, Content-Type, features, features[i] or features[i][j] (name)"},
        "expected": {"type": "string"},
        "got": {"type": "string", "description": "an excerpt of what was sent"},
    },
}
PROBABILITIES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": f"one row per input row: the probability of {', '.join(CLASS_NAMES)}, in that order",
    "minItems": MIN_ROWS,
    "maxItems": MAX_ROWS,
    "items": {
        "type": "array",
        "minItems": len(CLASS_NAMES),
        "maxItems": len(CLASS_NAMES),
        "items": {"type": "number", "minimum": 0, "maximum": 1},
    },
}
CLASSIFY_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "one prediction per input row",
    "minItems": MIN_ROWS,
    "maxItems": MAX_ROWS,
    "items": {
        "type": "object",
        "required": ["class", "probabilities"],
        "additionalProperties": False,
        "properties": {
            "class": {"type": "string", "enum": list(CLASS_NAMES)},
            "probabilities": {
                "type": "object",
                "required": list(CLASS_NAMES),
                "additionalProperties": False,
                "properties": {name: {"type": "number", "minimum": 0, "maximum": 1} for name in CLASS_NAMES},
            },
        },
    },
}
