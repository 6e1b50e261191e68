"""Which process owns something (a "running" lesson, an MLflow run, a freshly saved model), and is it still alive?

A pid alone is not enough: pids are reused. The owner is recorded as its pid, its
start time (clock ticks since boot, from ``/proc/<pid>/stat``) and the host, so a
later reader can tell "still running" from "died, and its pid now belongs to
someone else".
"""

from __future__ import annotations

import os
import socket
from functools import lru_cache


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), or None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = raw.rpartition(")")[2].split()  # the command name may hold spaces and parentheses
    if len(fields) < 20:
        return None
    if fields[0] in ("Z", "X"):  # a zombie has ended; only its exit status is left
        return "ended"
    return fields[19]


@lru_cache(maxsize=1)
def _host() -> str:
    return socket.gethostname()


def identity(pid: int | None = None) -> dict[str, object]:
    """This process (or ``pid``) as a JSON-able owner record."""
    pid = os.getpid() if pid is None else pid
    return {"pid": pid, "started": _start_ticks(pid), "host": _host()}


def as_tag(owner: dict[str, object]) -> str:
    """``host:pid:start`` — one string for a tag or label."""
    return f"{owner.get('host')}:{owner.get('pid')}:{owner.get('started')}"


def from_tag(tag: str) -> dict[str, object] | None:
    """The owner record in a tag written by ``as_tag``; None when it is not one."""
    parts = str(tag).rsplit(":", 2)
    if len(parts) != 3:
        return None
    host, pid, started = parts
    try:
        return {"host": host, "pid": int(pid), "started": None if started == "None" else started}
    except ValueError:
        return None


def is_alive(owner: object) -> bool:
    """False when the owner process has certainly ended (or its pid now names another process).

    An owner on another host cannot be checked from here and counts as alive; a record that is not an
    owner record counts as ended.
    """
    if not isinstance(owner, dict):
        return False
    pid = owner.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    if owner.get("host") not in (None, _host()):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    except (OSError, OverflowError):  # OverflowError: a hand-edited pid beyond what the kernel can hold
        return False
    now = _start_ticks(pid)
    if now == "ended":
        return False
    recorded = owner.get("started")
    if recorded is None or now is None:
        return True  # no start time to compare (not Linux): the pid exists
    return str(recorded) == now
