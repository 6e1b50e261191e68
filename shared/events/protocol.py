"""Event types and their JSON-lines encoding.

The runner and the step child always come from the same installation, so the
protocol carries no version number: a change to it changes both sides at once.

Each event is one JSON object on one line with a ``type`` field:

    {"type": "metric", "name": "val_accuracy", "value": 0.97, "step": 3}

Decoding never raises and checks every field's type: a line that is not a
valid event becomes a warning ``Log`` that quotes it, and a malformed
``result`` becomes a failed one that says what was wrong (never a pass), so a
misbehaving step cannot break the reader or the UI. Text fields lose any
terminal control sequences (see ``terminal_text``) whoever builds the event.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, ClassVar

from shared.events.terminal_text import printable

MAX_QUOTED_CHARS = 200
# The longest event line (characters) the runner reads whole; the reporter never sends a longer one.
MAX_EVENT_CHARS = 4 * 1024 * 1024
# Metric steps beyond this lose precision as floats (the chart's x axis).
MAX_STEP = 2**53


def _clean(event: Any, *names: str) -> None:
    """Drop terminal control sequences from an event's text fields (frozen dataclass: set through object)."""
    for name in names:
        value = getattr(event, name)
        if isinstance(value, str):
            object.__setattr__(event, name, printable(value))


@dataclass(frozen=True)
class Log:
    """A line of output. ``stream`` is stdout/stderr for captured output, else "event"."""

    message: str
    level: str = "info"
    stream: str = "event"
    type: ClassVar[str] = "log"

    def __post_init__(self) -> None:
        _clean(self, "message")


@dataclass(frozen=True)
class Metric:
    """One value of a named series (``step`` is the x axis: epoch, batch, trees...)."""

    name: str
    value: float
    step: int | None = None
    type: ClassVar[str] = "metric"

    def __post_init__(self) -> None:
        _clean(self, "name")


@dataclass(frozen=True)
class Progress:
    """Work done so far out of ``total`` (``total`` None: unknown)."""

    done: float
    total: float | None = None
    label: str = ""
    type: ClassVar[str] = "progress"

    def __post_init__(self) -> None:
        _clean(self, "label")


@dataclass(frozen=True)
class Artifact:
    """Something the step produced: a file path or a URI (model tag, image id, URL)."""

    kind: str
    path: str
    description: str = ""
    type: ClassVar[str] = "artifact"

    def __post_init__(self) -> None:
        _clean(self, "kind", "path", "description")


@dataclass(frozen=True)
class Status:
    """A phase change the learner should see ("loading data", "saving model")."""

    message: str
    type: ClassVar[str] = "status"

    def __post_init__(self) -> None:
        _clean(self, "message")


@dataclass(frozen=True)
class Result:
    """The step's verdict; the last event a step child sends."""

    passed: bool
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    type: ClassVar[str] = "result"

    def __post_init__(self) -> None:
        _clean(self, "summary")


Event = Log | Metric | Progress | Artifact | Status | Result
EVENT_TYPES: dict[str, type] = {cls.type: cls for cls in (Log, Metric, Progress, Artifact, Status, Result)}


def json_safe(value: Any) -> Any:
    """``value`` as strict JSON can hold it: NaN and infinities as the strings "nan", "inf", "-inf", other objects as str."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def encode(event: Event) -> str:
    """One JSON line (without the newline)."""
    payload = {"type": event.type, **json_safe(asdict(event))}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _quote(line: str) -> str:
    return line if len(line) <= MAX_QUOTED_CHARS else line[:MAX_QUOTED_CHARS] + "…"


def _malformed(line: str, why: str) -> Log:
    return Log(message=f"malformed event ({why}): {_quote(line)}", level="warning")


def _malformed_result(line: str, why: str) -> Result:
    return Result(passed=False, summary=f"the step sent a malformed result, counted as failed ({why}): {_quote(line)}")


# What each field must hold: (check, what it must be, for the message).
_Rule = tuple[Callable[[Any], bool], str]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_finite_number(value: Any) -> bool:
    try:
        return _is_number(value) and math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _is_step(value: Any) -> bool:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_STEP)


# A metric may be NaN or infinite (a diverging loss is worth seeing); the encoder writes those as strings.
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "infinity": math.inf, "-infinity": -math.inf}


def _is_metric_value(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _NON_FINITE
    if isinstance(value, int) and not isinstance(value, bool):
        return _is_finite_number(value)
    return _is_number(value)


_TEXT: _Rule = (lambda v: isinstance(v, str), "a string")
RULES: dict[type, dict[str, _Rule]] = {
    Log: {"message": _TEXT, "level": _TEXT, "stream": _TEXT},
    Metric: {
        "name": (lambda v: isinstance(v, str) and bool(v.strip()), "a non-empty string"),
        "value": (_is_metric_value, "a number"),
        "step": (_is_step, f"a whole number up to {MAX_STEP} or null"),
    },
    Progress: {
        "done": (_is_finite_number, "a finite number"),
        "total": (lambda v: v is None or (_is_finite_number(v) and v >= 0), "a finite number ≥ 0 or null"),
        "label": _TEXT,
    },
    Artifact: {"kind": _TEXT, "path": _TEXT, "description": _TEXT},
    Status: {"message": _TEXT},
    Result: {
        "passed": (lambda v: isinstance(v, bool), "true or false"),
        "summary": _TEXT,
        "details": (lambda v: isinstance(v, dict), "an object"),
    },
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _field_problem(cls: Any, kwargs: dict[str, Any]) -> str | None:
    for name, (valid, expected) in RULES[cls].items():
        if name in kwargs and not valid(kwargs[name]):
            value = kwargs[name]
            return f"{cls.type}.{name} must be {expected}, got {type(value).__name__} {_shown(value)}"
    return None


def _typed(cls: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Field values in the types the dataclass declares (validated already)."""
    if cls is Metric:
        value = kwargs["value"]
        kwargs["value"] = _NON_FINITE[value.strip().lower()] if isinstance(value, str) else float(value)
        if isinstance(kwargs.get("step"), float):
            kwargs["step"] = int(kwargs["step"])
    return kwargs


def decode(line: str) -> Event:
    """Parse one JSON line into an event; never raises."""
    try:
        payload = json.loads(line)
    except json.JSONDecodeError as exc:
        return _malformed(line, f"not JSON: {exc.msg}")
    except RecursionError:
        return _malformed(line, "not JSON: nested too deeply")
    except ValueError as exc:  # e.g. an integer of 5000 digits
        return _malformed(line, f"not JSON: {str(exc).split(';')[0]}")
    if not isinstance(payload, dict):
        return _malformed(line, "expected a JSON object")
    kind = payload.get("type")
    cls: Any = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        return _malformed(line, f"unknown type {_shown(kind)}, expected one of {sorted(EVENT_TYPES)}")
    bad = _malformed_result if cls is Result else _malformed
    names = {f.name for f in fields(cls)}
    kwargs = {k: v for k, v in payload.items() if k in names}
    missing = [f.name for f in fields(cls) if f.name not in kwargs and f.default is MISSING and f.default_factory is MISSING]
    if missing:
        return bad(line, f"{cls.type} is missing {', '.join(missing)}")
    problem = _field_problem(cls, kwargs)
    if problem is not None:
        return bad(line, problem)
    return cls(**_typed(cls, kwargs))
