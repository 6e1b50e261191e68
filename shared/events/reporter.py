"""Helpers a step calls to report events.

Under the runner, events go to the pipe named by ``WORKBENCH_EVENT_FD``.
Run outside the workbench (``python -c "from application... import train; train()"``)
they are printed to stderr as readable lines instead, so every step also
works as a plain script.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from shared.constants import ENV_EVENT_FD, ENV_EVENT_STDOUT
from shared.events.protocol import MAX_EVENT_CHARS, Artifact, Event, Log, Metric, Progress, Result, Status, encode

# Prefix of an event written to stdout, for processes that cannot inherit the
# event pipe (workers started by torchrun): their parent step reads its
# children's output and turns these lines back into events.
STDOUT_EVENT_PREFIX = "@@workbench-event "

_lock = threading.Lock()
_last_metrics: dict[str, float] = {}
_listeners: list[Callable[[Event], None]] = []


class StepSkipped(Exception):
    """Raised by a step that cannot apply on this machine (no Docker Engine, no GPU).

    The step is reported as *skipped* with the message as its reason — not as a
    failure — so the lesson still passes where the rest of it could run::

        raise StepSkipped("no Docker Engine reachable at unix:///var/run/docker.sock; start one with `sudo dockerd &`")
    """


class StepError(Exception):
    """Raised by a step that ran and found its work cannot be done: "the step said no", not "the step crashed".

    The step fails with the message as its summary and no traceback::

        raise StepError("bentoml build exited with code 1; its output is above")
    """


def add_listener(listener: Callable[[Event], None]) -> Callable[[], None]:
    """Also hand every event of this process to ``listener`` (e.g. experiment tracking); returns the remover."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def _event_fd() -> int | None:
    raw = os.environ.get(ENV_EVENT_FD)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return None


def _human(event: Event) -> str:
    if isinstance(event, Metric):
        at = "" if event.step is None else f" (step {event.step})"
        return f"[metric] {event.name} = {event.value:.6g}{at}"
    if isinstance(event, Progress):
        total = "?" if event.total is None else f"{event.total:g}"
        return f"[progress] {event.done:g}/{total} {event.label}".rstrip()
    if isinstance(event, Artifact):
        return f"[artifact] {event.kind}: {event.path}"
    if isinstance(event, Status):
        return f"[status] {event.message}"
    if isinstance(event, Log):
        return event.message
    return encode(event)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]} …(cut: {len(text)} characters, more than one event carries)"


def _line(event: Event) -> str:
    """The event's JSON line, never longer than the runner reads whole (MAX_EVENT_CHARS): long texts are cut, and say so."""
    line = encode(event)
    if len(line) <= MAX_EVENT_CHARS:
        return line
    texts = [f.name for f in dataclasses.fields(event) if isinstance(getattr(event, f.name), str)]
    details = event.details if isinstance(event, Result) else {}
    budget = MAX_EVENT_CHARS // (8 * (len(texts) + len(details) + 1))  # 8: room for JSON escapes
    changes: dict[str, Any] = {name: _cut(getattr(event, name), budget) for name in texts}
    if isinstance(event, Result):
        changes["details"] = {k: _cut(v, budget) if isinstance(v, str) else v for k, v in details.items()}
    smaller = encode(dataclasses.replace(event, **changes))
    if len(smaller) <= MAX_EVENT_CHARS:
        return smaller
    why = f"an event of {len(line)} characters, more than {MAX_EVENT_CHARS}, was cut"
    if isinstance(event, Result):
        return encode(Result(event.passed, _cut(event.summary, budget), {"details_cut": why}))
    return encode(Log(why, level="warning"))


def emit(event: Event) -> None:
    """Send one event (thread-safe; one write per line so lines never interleave)."""
    if isinstance(event, Metric):
        _last_metrics[event.name] = event.value
    for listener in list(_listeners):
        listener(event)
    fd = _event_fd()
    with _lock:
        if fd is None and os.environ.get(ENV_EVENT_STDOUT):
            sys.stdout.write(STDOUT_EVENT_PREFIX + _line(event) + "\n")  # one write: lines from ranks never interleave
            sys.stdout.flush()
            return
        if fd is None:
            print(_human(event), file=sys.stderr, flush=True)
            return
        data = (_line(event) + "\n").encode("utf-8")
        while data:
            written = os.write(fd, data)
            data = data[written:]


def last_metrics() -> dict[str, float]:
    """The latest value of every metric this process reported."""
    return dict(_last_metrics)


def log(message: str, level: str = "info") -> None:
    """One log line per line of ``message`` (a table or a report prints as it would with print)."""
    for line in str(message).splitlines() or [""]:
        emit(Log(message=line, level=level))


def metric(name: str, value: float, step: int | None = None) -> None:
    emit(Metric(name=name, value=float(value), step=step))


def progress(done: float, total: float | None = None, label: str = "") -> None:
    emit(Progress(done=done, total=total, label=label))


def artifact(kind: str, path: str | os.PathLike[str], description: str = "") -> None:
    emit(Artifact(kind=kind, path=str(path), description=description))


def status(message: str) -> None:
    emit(Status(message=str(message)))
