"""A live BentoML server never outlives its step, however the step, the runner or the UI ends.

Each test starts the real ``bentoml-serving`` serve step (held open with ``hold_s``) in a process the
test marks with a token of its own (``WORKBENCH_TREE_<token>=1``; every descendant inherits it), waits
until one of *those* processes listens on a port, ends something the hard way and then asserts that,
5 s later, no process of that run is left and the port refuses connections. Before this was fixed the
BentoML worker (a process group of its own) went on answering ``POST /classify`` for minutes.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        any(importlib.util.find_spec(m) is None for m in ("bentoml", "sklearn")),
        reason="needs the 'serving' and 'sklearn' extras (bentoml, scikit-learn) to serve a real model",
    ),
]
LESSON, STEP = "bentoml-serving", "serve-and-call"
SERVE_WITHIN_S = 240  # prerequisite probe + `bentoml serve` start-up on a busy 2-core machine
STEP_CHILD = "workbench.runner.child.step_process"


@pytest.fixture
def serving_home(validated_home: Path) -> Path:
    """This test's home, with a copy of the run's trained and validated iris model (tests/conftest.py)."""
    return validated_home


@pytest.fixture
def run_mark(cleanup_marks) -> tuple[str, str]:
    token, variable = new_mark()
    cleanup_marks.append(token)
    return token, variable


def environment(home: Path, variable: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "WORKBENCH_HOME": str(home), variable: "1", **extra}
    env.pop("BENTOML_HOME", None)
    return env


def wait_serving(token: str, describe) -> set[int]:
    """The ports a process of the run listens on, once the service answers on one of them."""
    ports: set[int] = set()

    def serving() -> bool:
        ports.clear()
        ports.update(listening_ports(marked(token)))
        return any(not refuses(port) for port in ports)

    assert wait_until(serving, SERVE_WITHIN_S, poll=0.5), (
        f"the service never came up; the run's processes: {[cmdline(p)[:80] for p in marked(token)]}; output: {describe()}"
    )
    return set(ports)


def headless(home: Path, variable: str, log: Path) -> subprocess.Popen:
    """`mlops-workbench --lesson bentoml-serving --step serve-and-call`, the server held open; output to ``log``."""
    argv = [sys.executable, "-m", "workbench", "--lesson", LESSON, "--step", STEP, "--param", "hold_s=600", "--plain"]
    with open(log, "wb") as handle:
        return subprocess.Popen(
            argv, cwd=REPO_ROOT, env=environment(home, variable), start_new_session=True, stdout=handle, stderr=subprocess.STDOUT
        )


def the_step_child(token: str) -> int:
    [child] = [pid for pid in marked(token) if STEP_CHILD in cmdline(pid)]
    return child


def test_kill_9_of_the_step_child_while_serving_leaves_nothing(serving_home, run_mark, tmp_path):
    token, variable = run_mark
    log = tmp_path / "headless.log"
    runner = headless(serving_home, variable, log)
    ports = wait_serving(token, lambda: log.read_text()[-2000:])
    os.kill(the_step_child(token), signal.SIGKILL)
    assert nothing_left(token, ports, within=5.0), f"left: {[cmdline(p)[:90] for p in marked(token)]}"
    assert runner.wait(5) == 1
    assert "killed by SIGKILL" in log.read_text()


def test_kill_9_of_the_headless_runner_while_serving_leaves_nothing(serving_home, run_mark, tmp_path):
    token, variable = run_mark
    log = tmp_path / "headless.log"
    runner = headless(serving_home, variable, log)
    ports = wait_serving(token, lambda: log.read_text()[-2000:])
    runner.kill()
    assert nothing_left(token, ports, within=5.0), f"left: {[cmdline(p)[:90] for p in marked(token)]}"
    runner.wait()
    assert ProgressStore.open(serving_home).lesson_status(LESSON) == "interrupted"


def test_sighup_of_the_headless_runner_while_serving_is_a_cancel(serving_home, run_mark, tmp_path):
    token, variable = run_mark
    log = tmp_path / "headless.log"
    runner = headless(serving_home, variable, log)
    ports = wait_serving(token, lambda: log.read_text()[-2000:])
    runner.send_signal(signal.SIGHUP)
    assert nothing_left(token, ports, within=5.0), f"left: {[cmdline(p)[:90] for p in marked(token)]}"
    assert runner.wait(5) == 1
    assert ProgressStore.open(serving_home).step_record(LESSON, STEP)["status"] == "cancelled"
    assert f"CANCELLED {LESSON}/{STEP}" in log.read_text()


def test_closing_the_terminal_of_the_headless_runner_while_serving_leaves_nothing(serving_home, run_mark):
    token, variable = run_mark
    argv = [sys.executable, "-m", "workbench", "--lesson", LESSON, "--step", STEP, "--param", "hold_s=600"]
    terminal = PtyProcess(argv, environment(serving_home, variable), REPO_ROOT)
    try:
        ports = wait_serving(token, lambda: terminal.output[-2000:])
        terminal.hang_up()
        assert nothing_left(token, ports, within=5.0), f"left: {[cmdline(p)[:90] for p in marked(token)]}"
        assert terminal.process.wait(5) == 1
        assert ProgressStore.open(serving_home).step_record(LESSON, STEP)["status"] == "cancelled"
    finally:
        terminal.close()


# ---- the TUI in a real pseudo-terminal ----------------------------------------------------------------------------
def tui_serving(home: Path, variable: str, lessons_copy: Path) -> PtyProcess:
    """The app, the bentoml-serving lesson opened from the palette, its serve step started with `r` (held open)."""
    toml = lessons_copy / "070-bentoml-serving" / "lesson.toml"
    text = toml.read_text()
    assert "hold_s = 0.0" in text
    toml.write_text(text.replace("hold_s = 0.0", "hold_s = 600.0"))
    env = environment(home, variable, WORKBENCH_LESSONS_DIR=str(lessons_copy), TERM="xterm-256color")
    terminal = PtyProcess([sys.executable, "-m", "workbench"], env, REPO_ROOT)
    start_tui_step(terminal, LESSON)
    return terminal


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_to_the_tui_while_serving_ends_the_step_tree_and_restores_the_terminal(
    sig, serving_home, run_mark, lessons_copy
):
    token, variable = run_mark
    terminal = tui_serving(serving_home, variable, lessons_copy)
    try:
        ports = wait_serving(token, lambda: terminal.output[-1500:])
        terminal.process.send_signal(sig)
        assert nothing_left(token, ports, within=5.0), f"left: {[cmdline(p)[:90] for p in marked(token)]}"
        terminal.process.wait(5)
        assert terminal.terminal_restored(), "the app left the terminal in raw mode or on the alternate screen"
        assert ProgressStore.open(serving_home).step_record(LESSON, STEP)["status"] == "cancelled"
    finally:
        terminal.close()


def test_closing_the_terminal_of_the_tui_while_serving_leaves_nothing(serving_home, run_mark, lessons_copy):
    token, variable = run_mark
    terminal = tui_serving(serving_home, variable, lessons_copy)
    try:
        ports = wait_serving(token, lambda: terminal.output[-1500:])
        terminal.hang_up()
        assert nothing_left(token, ports, within=5.0), f"left: {[cmdline(p)[:90] for p in marked(token)]}"
    finally:
        terminal.close()


def test_kill_9_of_the_tui_while_serving_ends_the_step_tree_within_3_seconds(serving_home, run_mark, lessons_copy):
    token, variable = run_mark
    terminal = tui_serving(serving_home, variable, lessons_copy)
    try:
        ports = wait_serving(token, lambda: terminal.output[-1500:])
        terminal.process.kill()
        assert nothing_left(token, ports, within=3.0), f"left: {[cmdline(p)[:90] for p in marked(token)]}"
        assert ProgressStore.open(serving_home).lesson_status(LESSON) == "interrupted"
    finally:
        terminal.close()


# ---- the serving screen's own service (started by the app, not by a step) -----------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=["SIGTERM", "SIGHUP", "SIGKILL"])
def test_the_serving_screens_service_ends_with_the_app_however_it_ends(sig, serving_home, run_mark):
    token, variable = run_mark
    env = environment(serving_home, variable, TERM="xterm-256color")
    terminal = PtyProcess([sys.executable, "-m", "workbench"], env, REPO_ROOT)
    try:
        assert wait_until(lambda: b"\x1b[?1049h" in terminal.output, 60, 0.1), "the app never drew its screen"
        time.sleep(2.5)
        for _ in range(5):  # `v`: the serving screen (a key pressed before the app listens is lost: press again)
            mark = len(terminal.output)
            terminal.write("v")
            if wait_until(lambda mark=mark: b"iris_service.py" in terminal.output[mark:], 5.0, 0.1):
                break
        # The screen first asks the model store (a child process of the run) for a validated model; `s` means
        # something only once it says "stopped" — on a busy machine that takes a while.
        assert wait_until(lambda: b"stopped" in terminal.output[mark:], 120, 0.2), "the screen never found the model"
        for _ in range(6):  # `s` starts the service unless a text field has the focus: then undo, move on, try again
            mark = len(terminal.output)
            terminal.write("s")
            if wait_until(lambda mark=mark: b"starting" in terminal.output[mark:], 5.0, 0.1):
                break
            terminal.write("\x7f\x1b[Z")  # backspace, shift+tab
            time.sleep(0.5)
        ports = wait_serving(token, lambda: terminal.output[-1500:])
        terminal.process.send_signal(sig)
        assert nothing_left(token, ports, within=5.0), f"left 5 s after {sig.name}: {[cmdline(p)[:90] for p in marked(token)]}"
        if sig != signal.SIGKILL:
            assert terminal.process.wait(1) == 1
            assert terminal.terminal_restored(), "the app left the terminal in raw mode or on the alternate screen"
    finally:
        terminal.close()
