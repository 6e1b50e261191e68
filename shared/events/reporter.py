"""Helpers a step calls to report events.

Under the runner, events go to the pipe named by ``WORKBENCH_EVENT_FD``.
Run outside the workbench (``python -c "from application... import train; train()"``)
they are printed to stderr as readable lines instead, so every step also
works as a plain script.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Callable

from shared.constants import ENV_EVENT_FD, ENV_EVENT_STDOUT
from shared.events.protocol import Artifact, Event, Log, Metric, Progress, Status, encode

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


def emit(event: Event) -> None:
    """Send one event (thread-safe; one write per line so lines never interleave)."""
    if isinstance(event, Metric):
        _last_metrics[event.name] = event.value
    for listener in list(_listeners):
        listener(event)
    fd = _event_fd()
    with _lock:
        if fd is None and os.environ.get(ENV_EVENT_STDOUT):
            sys.stdout.write(STDOUT_EVENT_PREFIX + encode(event) + "\n")  # one write: lines from ranks never interleave
            sys.stdout.flush()
            return
        if fd is None:
            print(_human(event), file=sys.stderr, flush=True)
            return
        data = (encode(event) + "\n").encode("utf-8")
        while data:
            written = os.write(fd, data)
            data = data[written:]


def last_metrics() -> dict[str, float]:
    """The latest value of every metric this process reported."""
    return dict(_last_metrics)


def log(message: str, level: str = "info") -> None:
    emit(Log(message=message, level=level))


def metric(name: str, value: float, step: int | None = None) -> None:
    emit(Metric(name=name, value=float(value), step=step))


def progress(done: float, total: float | None = None, label: str = "") -> None:
    emit(Progress(done=done, total=total, label=label))


def artifact(kind: str, path: str | os.PathLike[str], description: str = "") -> None:
    emit(Artifact(kind=kind, path=str(path), description=description))


def status(message: str) -> None:
    emit(Status(message=message))
