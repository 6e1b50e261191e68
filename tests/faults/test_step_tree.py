"""Everything a step starts ends when the step ends — also a grandchild that left the step's session.

The fixture step ``detached_grandchild`` double-forks a grandchild that calls ``setsid()``, ignores
SIGINT/SIGTERM/SIGHUP and listens on a port: the case that survived every stop when the runner only
signalled the step's process group.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

from shared.events import Artifact
from tests.conftest import REPO_ROOT
from tests.faults.conftest import marked, new_mark, nothing_left, refuses
from workbench.runner.step_runner import StepRequest, StepRun

ENTRY = "tests.fixtures.steps:detached_grandchild"


def request(timeout_s: float = 60, **params) -> StepRequest:
    return StepRequest("fault-lesson", "detached", ENTRY, params, [], timeout_s)


async def start(home, **params) -> tuple[StepRun, asyncio.Task, int, int]:
    """Start the step; return once its detached grandchild listens (its pid and port)."""
    seen: dict[str, int] = {}

    def sink(event) -> None:
        if isinstance(event, Artifact) and event.kind in ("pid", "port"):
            seen[event.kind] = int(event.path)

    run = StepRun(request(**params), home, sink, grace_s=(0.5, 0.5))
    task = asyncio.create_task(run.wait())
    deadline = time.monotonic() + 30
    while len(seen) < 2:
        assert time.monotonic() < deadline, "the fixture step did not start its grandchild"
        assert not task.done(), task.result().summary if task.done() else ""
        await asyncio.sleep(0.02)
    assert not refuses(seen["port"]), "the grandchild should be listening"
    return run, task, seen["pid"], seen["port"]


def test_cancel_ends_a_setsid_grandchild_that_ignores_sigterm(home):
    async def scenario():
        run, task, pid, port = await start(home)
        assert pid in marked(run.token), "the grandchild carries the step's mark"
        run.cancel()
        outcome = await task
        return outcome, run.token, port

    outcome, token, port = asyncio.run(scenario())
    assert outcome.status == "cancelled"
    assert nothing_left(token, [port], within=0.5), "a process of the cancelled step is still running"


def test_timeout_ends_a_setsid_grandchild_that_ignores_sigterm(home):
    async def scenario():
        run, task, _, port = await start(home, timeout_s=3)
        outcome = await task
        return outcome, run.token, port

    outcome, token, port = asyncio.run(scenario())
    assert outcome.status == "timeout"
    assert nothing_left(token, [port], within=0.5)


def test_a_grandchild_left_behind_by_a_finished_step_is_ended_with_the_step(home):
    async def scenario():
        seen: dict[str, int] = {}
        run = StepRun(
            request(leave=True), home, lambda e: seen.__setitem__(e.kind, int(e.path)) if isinstance(e, Artifact) else None
        )
        outcome = await run.wait()
        return outcome, run.token, seen["port"]

    outcome, token, port = asyncio.run(scenario())
    assert outcome.status == "passed", outcome.summary
    assert nothing_left(token, [port], within=0.5), "the step returned but its grandchild still listens"


def test_kill_9_of_the_step_child_ends_its_detached_grandchild(home):
    async def scenario():
        run, task, _, port = await start(home)
        os.kill(run.pid, 9)
        outcome = await task
        return outcome, run.token, port

    outcome, token, port = asyncio.run(scenario())
    assert outcome.status == "crashed" and "SIGKILL" in outcome.summary
    assert nothing_left(token, [port], within=0.5)


PARENT = """
import asyncio, json, sys
from pathlib import Path
from shared.events import Artifact
from workbench.runner.step_runner import StepRequest, StepRun

def sink(event):
    if isinstance(event, Artifact):
        print(json.dumps([event.kind, event.path]), flush=True)

asyncio.run(StepRun(StepRequest("fault-lesson", "detached", sys.argv[1], {}, [], 120), Path(sys.argv[2]), sink).wait())
"""


def test_kill_9_of_the_runner_process_ends_the_step_tree_within_3_seconds(home, cleanup_marks):
    """The UI or the headless runner killed with SIGKILL: the step child notices and ends its tree."""
    token, variable = new_mark()
    cleanup_marks.append(token)
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, ENTRY, str(home)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), variable: "1"},
    )
    seen = {}
    assert parent.stdout is not None
    while len(seen) < 2:
        line = parent.stdout.readline()
        assert line, "the runner process ended before its step started the grandchild"
        kind, value = json.loads(line)
        seen[kind] = int(value)
    assert len(marked(token)) >= 3  # the runner, the step child, the detached grandchild
    parent.kill()
    parent.wait()
    assert nothing_left(token, [seen["port"]], within=3.0), f"still running 3 s after the runner died: {marked(token)}"
