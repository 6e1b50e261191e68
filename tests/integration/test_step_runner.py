"""The runner against real child processes: events, failures, kills, timeouts, cancel."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from shared.events import Artifact, Log, Metric, Progress
from workbench.runner.step_runner import StepRequest, StepRun, run_step

FIXTURES = "tests.fixtures.steps"


def request(function: str, timeout_s: float = 60, checks=None, **params) -> StepRequest:
    return StepRequest("test-lesson", "test-step", f"{FIXTURES}:{function}", params, checks or [], timeout_s)


def gone(pid: int) -> bool:
    """True when no live process has this pid (a zombie waiting for init counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


def wait_gone(pid: int, within: float = 2.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if gone(pid):
            return True
        time.sleep(0.02)
    return gone(pid)


def test_events_stdout_and_stderr_all_reach_the_caller(home):
    seen = []
    outcome = asyncio.run(run_step(request("report", checks=[{"output": "value", "min": 0.4}]), home, seen.append))
    assert outcome.passed, outcome.summary
    assert outcome.summary == "value = 0.5 (≥ 0.4)"
    assert Log("hello from stdout", stream="stdout") in seen
    assert Log("hello from stderr", stream="stderr") in seen
    assert [e.value for e in seen if isinstance(e, Metric)] == [1.0, 0.5, pytest.approx(1 / 3)]
    assert [e.done for e in seen if isinstance(e, Progress)] == [1, 2, 3]
    assert outcome.artifacts == [Artifact("report", "/tmp/report.json", "a report")]
    assert outcome.metrics["loss"] == pytest.approx(1 / 3)


def test_a_failing_check_fails_the_step_with_the_measured_value(home):
    outcome = asyncio.run(run_step(request("report", checks=[{"output": "value", "min": 0.9}], value=0.2), home))
    assert outcome.status == "failed"
    assert outcome.summary == "value = 0.2, expected ≥ 0.9"


def test_an_exception_in_the_step_becomes_a_failed_step_with_its_message(home):
    outcome = asyncio.run(run_step(request("raise_error"), home))
    assert outcome.status == "failed"
    assert outcome.summary == "ValueError: boom: the data had 3 columns, expected 4"
    assert any("Traceback" in line for line in outcome.log_tail)


def test_a_child_that_exits_without_a_result_is_a_crash_with_its_last_output(home):
    outcome = asyncio.run(run_step(request("exit_hard", code=3), home))
    assert outcome.status == "crashed"
    assert outcome.exit_code == 3
    assert "exited with code 3" in outcome.summary and "leaving without a result" in outcome.summary


def test_sigkill_fails_the_step_within_two_seconds_and_leaves_no_process_behind(home):
    async def scenario():
        pids: list[int] = []
        run = StepRun(
            request("sleep_with_grandchild", seconds=60),
            home,
            lambda e: pids.append(int(e.path)) if isinstance(e, Artifact) and e.kind == "pid" else None,
        )
        task = asyncio.create_task(run.wait())
        while len(pids) < 2:
            await asyncio.sleep(0.02)
        os.kill(run.pid, 9)
        killed_at = time.monotonic()
        outcome = await task
        return outcome, time.monotonic() - killed_at, pids

    outcome, elapsed, (child, grandchild) = asyncio.run(scenario())
    assert outcome.status == "crashed"
    assert "killed by SIGKILL" in outcome.summary
    assert elapsed < 2.0
    assert wait_gone(child) and wait_gone(grandchild), "a process of the killed step is still running"
    # The runner keeps working after a kill.
    again = asyncio.run(run_step(request("report", checks=[{"output": "value", "min": 0}]), home))
    assert again.passed


def test_a_timeout_ends_the_whole_tree_and_says_so(home):
    pids: list[int] = []
    sink = lambda e: pids.append(int(e.path)) if isinstance(e, Artifact) and e.kind == "pid" else None
    outcome = asyncio.run(run_step(request("sleep_with_grandchild", timeout_s=1.5, seconds=60), home, sink))
    assert outcome.status == "timeout"
    assert outcome.summary == "timed out after 1.5 s"
    assert all(wait_gone(pid) for pid in pids)


def test_cancel_escalates_to_sigkill_when_the_step_ignores_sigint_and_sigterm(home):
    async def scenario():
        pids: list[int] = []
        run = StepRun(
            request("sleep_with_grandchild", seconds=60, ignore_signals=True),
            home,
            lambda e: pids.append(int(e.path)) if isinstance(e, Artifact) and e.kind == "pid" else None,
            grace_s=(0.3, 0.3),
        )
        task = asyncio.create_task(run.wait())
        while len(pids) < 2:
            await asyncio.sleep(0.02)
        started = time.monotonic()
        run.cancel()
        outcome = await task
        return outcome, time.monotonic() - started, pids

    outcome, elapsed, pids = asyncio.run(scenario())
    assert outcome.status == "cancelled"
    assert elapsed < 3.0
    assert all(wait_gone(pid) for pid in pids)


def test_a_step_whose_framework_is_missing_says_which_extra_to_install(home):
    outcome = asyncio.run(run_step(StepRequest("l", "s", "tests.fixtures.torch_hidden_step:train", {}, [], 30), home))
    assert outcome.status == "failed"
    assert outcome.summary == "needs extra 'torch' (module 'torch' is not installed): pip install 'mlops-workbench[torch]'"
    assert not any("Traceback" in line for line in outcome.log_tail)


def test_a_step_that_cannot_apply_here_is_skipped_with_its_reason_not_failed(home):
    outcome = asyncio.run(run_step(request("needs_missing_engine", checks=[{"output": "image_built", "equals": True}]), home))
    assert outcome.status == "skipped"
    assert outcome.ok and not outcome.passed
    assert outcome.summary == "skipped: no Docker Engine reachable; start one with `sudo dockerd &`"
