"""Helpers for the fault tests: find a run's processes by the mark in their environment, never by name.

Every process a run starts carries ``WORKBENCH_TREE_<token>=1`` in its environment (the runner sets it
for a step; a test sets its own token on the process it starts, and every descendant inherits it).
These helpers read ``/proc`` independently of the code under test.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path

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
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)


class PtyProcess:
    """A command in a pseudo-terminal of its own (session leader, controlling terminal), as in a real terminal."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, size: tuple[int, int] = (120, 40)) -> None:
        import fcntl
        import struct
        import subprocess
        import termios
        import threading

        self.master, self.slave = os.openpty()
        cols, rows = size
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.attrs_before = termios.tcgetattr(self.slave)
        self.output = bytearray()
        self._closing = False
        self.process = subprocess.Popen(
            argv,
            stdin=self.slave,
            stdout=self.slave,
            stderr=self.slave,
            cwd=cwd,
            env=env,
            start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        import select

        while not self._closing:  # never blocked in read(): closing the master must hang the terminal up at once
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                chunk = os.read(self.master, 65536) if ready else b"-"
            except (OSError, ValueError):
                return
            if not chunk:
                return
            if ready:
                self.output += chunk

    def write(self, text: str) -> None:
        os.write(self.master, text.encode())

    def hang_up(self) -> None:
        """Close the terminal window: the kernel sends SIGHUP to the session leader and the terminal is gone."""
        self._closing = True
        self._reader.join()
        os.close(self.slave)
        os.close(self.master)
        self.slave = self.master = -1

    def terminal_restored(self) -> bool:
        """Canonical mode and echo are back as before the app started, and the alternate screen was left."""
        import termios

        now = termios.tcgetattr(self.slave)
        lflag_keys = termios.ICANON | termios.ECHO
        left_alt_screen = self.output.rfind(b"\x1b[?1049l") > self.output.rfind(b"\x1b[?1049h") >= 0
        return (now[3] & lflag_keys) == (self.attrs_before[3] & lflag_keys) and left_alt_screen

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._closing = True
        self._reader.join()
        for fd in (self.master, self.slave):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)


FAULT_LESSON_TOML = """format_version = 1
id = "fault-steps"
title = "Fixture lesson: a step whose grandchild leaves its session"
layer = "shared"
summary = "One step that starts a detached, SIGTERM-ignoring, port-holding grandchild and then waits."
objectives = ["Exercise the fault tests cheaply"]
prerequisites = []

[[steps]]
id = "detached"
title = "Detached grandchild"
entry = "steps.py:detached"
params = { seconds = 600.0 }
timeout_s = 900
checks = [{ output = "value", min = 1 }]
"""
FAULT_LESSON_STEPS = '''"""The fault lesson's step: the fixture step from tests/fixtures/steps.py."""
from tests.fixtures.steps import detached_grandchild


def detached(seconds: float = 600.0) -> dict:
    return detached_grandchild(seconds)
'''


@pytest.fixture
def fault_lessons(tmp_path: Path) -> Path:
    """A lessons folder with only the fixture lesson ``fault-steps``."""
    folder = tmp_path / "fault-lessons" / "001-fault-steps"
    folder.mkdir(parents=True)
    (folder / "lesson.toml").write_text(FAULT_LESSON_TOML)
    (folder / "steps.py").write_text(FAULT_LESSON_STEPS)
    (folder / "README.md").write_text("# Fault steps\n\nA fixture lesson for the fault tests.\n")
    return folder.parent


def start_tui_step(terminal: PtyProcess, lesson_id: str) -> None:
    """In the app: open the lesson from the command palette and run its first step with `r`, as a user would."""
    assert wait_until(lambda: b"\x1b[?1049h" in terminal.output, 60, 0.1), "the app never drew its screen"
    time.sleep(2.5)  # the lessons load after the first frame
    for keys, pause in (("\x10", 1.5), (lesson_id, 1.5), ("\r", 2.0), ("r", 0.0)):  # ctrl+p, the id, Enter, r
        terminal.write(keys)
        time.sleep(pause)
