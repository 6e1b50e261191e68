"""The app in a real pseudo-terminal, a step running whose grandchild left its session and ignores SIGTERM:
SIGTERM, SIGHUP, the terminal closing and kill -9 of the app each end the whole step tree, and the terminal
is given back as it was (canonical mode, echo, main screen)."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from tests.conftest import REPO_ROOT
from tests.faults.conftest import (
    PtyProcess,
    cmdline,
    listening_ports,
    marked,
    new_mark,
    nothing_left,
    refuses,
    start_tui_step,
    wait_until,
)
from workbench.progress_store import ProgressStore

LESSON, STEP = "fault-steps", "detached"


@pytest.fixture
def app_with_step(home, fault_lessons, cleanup_marks):
    """The app with the fault lesson's step running; its token and the port the detached grandchild holds."""
    token, variable = new_mark()
    cleanup_marks.append(token)
    env = {
        **os.environ,
        "WORKBENCH_HOME": str(home),
        "WORKBENCH_LESSONS_DIR": str(fault_lessons),
        "TERM": "xterm-256color",
        variable: "1",
    }
    terminal = PtyProcess([sys.executable, "-m", "workbench"], env, REPO_ROOT)
    try:
        start_tui_step(terminal, LESSON)
        ports: set[int] = set()
        assert wait_until(lambda: bool(ports.update(listening_ports(marked(token))) or ports), 60, 0.2), (
            f"the step never started: {bytes(terminal.output[-1500:])!r}"
        )
        assert not any(refuses(port) for port in ports)
        yield terminal, token, ports
    finally:
        terminal.close()


def left(token: str) -> list[str]:
    return [cmdline(pid)[:90] for pid in marked(token)]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_to_the_app_ends_the_step_tree_records_a_cancel_and_restores_the_terminal(sig, app_with_step, home):
    terminal, token, ports = app_with_step
    terminal.process.send_signal(sig)
    assert nothing_left(token, ports, within=5.0), f"left 5 s after {sig.name}: {left(token)}"
    assert terminal.process.wait(1) == 1
    assert terminal.terminal_restored(), "the app left the terminal in raw mode or on the alternate screen"
    assert ProgressStore.open(home).step_record(LESSON, STEP)["status"] == "cancelled"


def test_closing_the_terminal_ends_the_app_and_the_step_tree(app_with_step, home):
    terminal, token, ports = app_with_step
    terminal.hang_up()
    assert nothing_left(token, ports, within=5.0), f"left 5 s after the hang-up: {left(token)}"
    assert ProgressStore.open(home).step_record(LESSON, STEP)["status"] == "cancelled"


def test_kill_9_of_the_app_ends_the_step_tree_within_3_seconds(app_with_step, home):
    terminal, token, ports = app_with_step
    terminal.process.kill()
    assert nothing_left(token, ports, within=3.0), f"left 3 s after kill -9 of the app: {left(token)}"
    assert ProgressStore.open(home).lesson_status(LESSON) == "interrupted"
