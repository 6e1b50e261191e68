"""Helpers for the fault tests: find a run's processes by the mark in their environment, never by name.

Every process a run starts carries ``WORKBENCH_TREE_<token>=1`` in its environment (the runner sets it
for a step; a test sets its own token on the process it starts, and every descendant inherits it).
These helpers read ``/proc`` independently of the code under test.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    """Every test in tests/faults is a fault test (``pytest -m faults`` runs them alone)."""
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.faults)

if not Path("/proc/self/environ").exists():  # pragma: no cover - Linux only
    pytest.skip("the fault tests read /proc (Linux)", allow_module_level=True)


def new_mark() -> tuple[str, str]:
    """A fresh token and the environment variable that marks a process tree with it."""
    token = "test" + uuid.uuid4().hex[:16]
    return token, f"WORKBENCH_TREE_{token}"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in (b"Z", b"X")


def marked(token: str) -> list[int]:
    """Live processes whose environment carries the run's mark."""
    entry = f"WORKBENCH_TREE_{token}=1".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            if entry in Path(f"/proc/{name}/environ").read_bytes().split(b"\0") and _alive(int(name)):
                found.append(int(name))
        except OSError:
            continue
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def listening_ports(pids: list[int]) -> set[int]:
    """TCP ports on which one of ``pids`` holds a listening socket (matched by socket inode)."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return True
    return False


def wait_until(condition: Callable[[], bool], within: float, poll: float = 0.05) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return condition()


def nothing_left(token: str, ports: set[int] | list[int], within: float = 5.0) -> bool:
    """True when, within ``within`` seconds, no process of the run is alive and every port refuses."""
    return wait_until(lambda: not marked(token) and all(refuses(p) for p in ports), within)


@pytest.fixture
def cleanup_marks():
    """Tokens a test marked; whatever a failing test leaves is killed afterwards (by the mark only)."""
    tokens: list[str] = []
    yield tokens
    for token in tokens:
        for pid in marked(token):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
