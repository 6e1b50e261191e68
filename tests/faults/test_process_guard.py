"""A server the app starts itself (the serving screen's service, its load test) ends with the app, kill -9 included,
even when its own shutdown never ends and its worker moved to a session of its own (shared.utils.process_guard).

Seen before the guard: after kill -9 of the app the real ``bentoml serve`` (told only by the kernel's parent-death
SIGTERM) and its worker were both still there 5 s later on a busy machine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO_ROOT
from tests.faults.conftest import cmdline, marked, new_mark, nothing_left, wait_until

pytestmark = pytest.mark.faults

# A server that ignores SIGTERM (a graceful shutdown that never ends) with a worker in a session of its own.
STUBBORN_SERVER = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
worker = "import os, signal, time; os.setsid(); signal.signal(signal.SIGTERM, signal.SIG_IGN); print('worker up', flush=True); time.sleep(600)"
subprocess.Popen([sys.executable, "-c", worker])
print("serving", flush=True)
time.sleep(600)
"""

# The app's side, as the serving screen does it: ChildGroup.spawn, lines read as they come.
APP = """
import asyncio, os, sys
from workbench.tui.service_control import ChildGroup

async def main():
    group = ChildGroup()
    await group.spawn([sys.executable, "-c", sys.argv[1]], dict(os.environ), lambda line: print(line, flush=True))
    print("guard", group.pid, flush=True)
    print("exit", await group.wait(), flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


@pytest.fixture
def mark(cleanup_marks) -> tuple[str, str]:
    token, variable = new_mark()
    cleanup_marks.append(token)
    return token, variable


def start_app(variable: str, server: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", APP, server],
        cwd=REPO_ROOT,
        env={**os.environ, variable: "1"},
        stdout=subprocess.PIPE,
        text=True,
    )


def read_until(app: subprocess.Popen, wanted: set[str], within: float = 30) -> list[str]:
    assert app.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + within
    while not all(any(line.startswith(w) for line in lines) for w in wanted) and time.monotonic() < deadline:
        line = app.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
    return lines


# The server's shutdown never ends; or it goes at once on the kernel's SIGTERM but its worker does not.
QUICK_SERVER = STUBBORN_SERVER.replace("signal.signal(signal.SIGTERM, signal.SIG_IGN)\n", "", 1)


@pytest.mark.parametrize("server", [STUBBORN_SERVER, QUICK_SERVER], ids=["server-ignores-sigterm", "server-stops-at-once"])
def test_kill_9_of_the_app_ends_the_server_and_its_worker_in_another_session(mark, server):
    token, variable = mark
    app = start_app(variable, server)
    try:
        lines = read_until(app, {"serving", "worker up", "guard"})
        assert {"serving", "worker up"} <= set(lines), lines
        assert len(marked(token)) >= 4, [cmdline(p)[:80] for p in marked(token)]  # app, guard, server, worker
        app.send_signal(signal.SIGKILL)
        app.wait(10)
        assert nothing_left(token, [], within=5.0), f"left 5 s after kill -9: {[cmdline(p)[:80] for p in marked(token)]}"
    finally:
        app.kill()
        app.wait(10)


def test_a_command_that_cannot_start_is_one_line_and_exit_127(mark):
    token, variable = mark
    done = subprocess.run(
        [sys.executable, "-m", "shared.utils.process_guard", "/nonexistent/bentoml", "serve"],
        cwd=REPO_ROOT,
        env={**os.environ, variable: "1", "WORKBENCH_RUN_ID": token},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 127
    assert done.stderr.strip() == "cannot start /nonexistent/bentoml: No such file or directory"


def test_the_guard_passes_sigterm_on_and_exits_with_the_servers_status(mark):
    token, variable = mark
    polite = "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *_: sys.exit(3)); print('serving', flush=True); time.sleep(600)"
    app = start_app(variable, polite)
    try:
        lines = read_until(app, {"serving", "guard"})
        [guard] = [int(line.split()[1]) for line in lines if line.startswith("guard")]
        os.kill(guard, signal.SIGTERM)
        assert "exit 3" in read_until(app, {"exit"}), "the server's own exit status, through the guard"
        assert wait_until(lambda: not [p for p in marked(token) if p != app.pid], 5.0), [cmdline(p)[:80] for p in marked(token)]
    finally:
        app.kill()
        app.wait(10)


def test_when_the_server_stops_at_once_on_sigterm_its_worker_goes_too_while_the_app_lives(mark):
    """The kernel's parent-death SIGTERM can reach the guard while the dying app is still being torn down (its pid
    still the guard's parent): the server stopped at once, the guard saw its parent alive, exited, and the worker
    (in a session of its own, ignoring SIGTERM) was left — seen under load. A SIGTERM with the app alive is the same."""
    token, variable = mark
    app = start_app(variable, QUICK_SERVER)
    try:
        lines = read_until(app, {"serving", "worker up", "guard"})
        [guard] = [int(line.split()[1]) for line in lines if line.startswith("guard")]
        os.kill(guard, signal.SIGTERM)
        # (not the app's "exit" line: the app reads the server's output until its end, which the worker holds open)
        left = lambda: [p for p in marked(token) if p != app.pid]  # noqa: E731
        assert wait_until(lambda: not left(), 5.0), f"left after the guard: {[cmdline(p)[:80] for p in left()]}"
    finally:
        app.kill()
        app.wait(10)


def test_the_guard_refuses_to_run_without_a_run_mark():
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_RUN_ID"}
    done = subprocess.run(
        [sys.executable, "-m", "shared.utils.process_guard", "true"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 2 and "WORKBENCH_RUN_ID" in done.stderr
