"""Event types and their JSON-lines encoding (protocol version 1).

Each event is one JSON object on one line with a ``type`` field:

    {"type": "metric", "name": "val_accuracy", "value": 0.97, "step": 3}

Decoding never raises: a line that is not a valid event becomes a warning
``Log`` that quotes it, so a misbehaving step cannot break the reader.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Union

PROTOCOL_VERSION = 1
MAX_QUOTED_CHARS = 200


@dataclass(frozen=True)
class Log:
    """A line of output. ``stream`` is stdout/stderr for captured output, else "event"."""

    message: str
    level: str = "info"
    stream: str = "event"
    type: ClassVar[str] = "log"


@dataclass(frozen=True)
class Metric:
    """One value of a named series (``step`` is the x axis: epoch, batch, trees...)."""

    name: str
    value: float
    step: int | None = None
    type: ClassVar[str] = "metric"


@dataclass(frozen=True)
class Progress:
    """Work done so far out of ``total`` (``total`` None: unknown)."""

    done: float
    total: float | None = None
    label: str = ""
    type: ClassVar[str] = "progress"


@dataclass(frozen=True)
class Artifact:
    """Something the step produced: a file path or a URI (model tag, image id, URL)."""

    kind: str
    path: str
    description: str = ""
    type: ClassVar[str] = "artifact"


@dataclass(frozen=True)
class Status:
    """A phase change the learner should see ("loading data", "saving model")."""

    message: str
    type: ClassVar[str] = "status"


@dataclass(frozen=True)
class Result:
    """The step's verdict; the last event a step child sends."""

    passed: bool
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    type: ClassVar[str] = "result"


Event = Union[Log, Metric, Progress, Artifact, Status, Result]
EVENT_TYPES: dict[str, type] = {cls.type: cls for cls in (Log, Metric, Progress, Artifact, Status, Result)}


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def encode(event: Event) -> str:
    """One JSON line (without the newline)."""
    payload = {"type": event.type, **_json_safe(asdict(event))}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _malformed(line: str, why: str) -> Log:
    quoted = line if len(line) <= MAX_QUOTED_CHARS else line[:MAX_QUOTED_CHARS] + "…"
    return Log(message=f"malformed event ({why}): {quoted}", level="warning")


def decode(line: str) -> Event:
    """Parse one JSON line into an event; never raises."""
    try:
        payload = json.loads(line)
    except json.JSONDecodeError as exc:
        return _malformed(line, f"not JSON: {exc.msg}")
    if not isinstance(payload, dict):
        return _malformed(line, "expected a JSON object")
    cls = EVENT_TYPES.get(payload.get("type"))  # type: ignore[arg-type]
    if cls is None:
        return _malformed(line, f"unknown type {payload.get('type')!r}, expected one of {sorted(EVENT_TYPES)}")
    names = {f.name for f in fields(cls)}
    kwargs = {k: v for k, v in payload.items() if k in names}
    try:
        event = cls(**kwargs)
    except TypeError as exc:
        return _malformed(line, str(exc))
    if isinstance(event, Metric):
        try:
            event = Metric(name=str(event.name), value=float(event.value), step=None if event.step is None else int(event.step))
        except (TypeError, ValueError):
            return _malformed(line, "metric value must be a number")
    return event
