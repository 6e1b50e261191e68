"""Run one step in its own child process (and session) and stream its events.

The child is ``python -m workbench.runner.child.step_process``. Three channels are
read concurrently: the event pipe (JSON lines), stdout and stderr (each line
becomes a ``Log`` event). Every process the step starts carries the step's
run token in its environment (``shared.utils.process_tree``), so the whole
tree is known even where parts of it moved to process groups or sessions of
their own (BentoML's worker, torchrun's ranks, a ``setsid()`` grandchild).
Cancel and timeout end that whole tree: SIGINT, then SIGTERM, then SIGKILL.
Whatever happens, the outcome arrives: a crash or a kill becomes a failed
step with the reason and the last lines of output, never a hang; and when
the child exits, anything of the tree it left running is ended too. The
child watches its parent: if the runner dies (kill -9 of the UI), the child
ends the tree itself.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.configs.repository import REPO_ROOT, with_repo_on_path
from shared.configs.workbench_home import child_environment
from shared.constants import ENV_EVENT_FD, ENV_STEP_SPEC
from shared.events import Artifact, Event, Log, Metric, Result, decode
from shared.events.protocol import MAX_EVENT_CHARS
from shared.events.step_status import OK_STATUSES, StepStatus
from shared.utils import process_tree

CHILD_MODULE = "workbench.runner.child.step_process"
READ_CHUNK = 65536
MAX_LINE_CHARS = 8000
LOG_TAIL_LINES = 12
DRAIN_TIMEOUT_S = 1.0
EXIT_POLL_S = 0.05

EventSink = Callable[[Event], None]

# Steps running now in this process: ended on a signal (end_live_runs) and, as a last resort, at exit.
_LIVE: set[StepRun] = set()


@atexit.register
def end_live_trees(stages: tuple[tuple[int, float], ...] = process_tree.LEFTOVER_STAGES) -> None:
    """The process is exiting with steps still running (the app was closed, a crash): no step tree outlives it.

    Synchronous, no event loop needed; ``stages=()`` kills at once (SIGKILL).
    """
    for run in list(_LIVE):
        process_tree.stop_tree(run.token, session=run.pid, stages=stages)


# The app or the runner was told to go (SIGTERM, SIGHUP): no Ctrl-C round, SIGTERM at once, SIGKILL soon after.
URGENT_STAGES: tuple[tuple[int, float], ...] = ((signal.SIGTERM, 1.5),)


def cancel_live_runs(stages: tuple[tuple[int, float], ...] | None = None) -> None:
    """Cancel every step running in this process (``stages``: how to end their trees; default SIGINT first)."""
    for run in list(_LIVE):
        run.cancel(stages)


async def end_live_runs(timeout_s: float = 15.0, stages: tuple[tuple[int, float], ...] | None = None) -> None:
    """Cancel every step running in this process and wait until each has ended its tree and reported."""
    runs = list(_LIVE)
    cancel_live_runs(stages)
    if runs:
        await asyncio.wait([asyncio.ensure_future(run.finished.wait()) for run in runs], timeout=timeout_s)


@dataclass(frozen=True)
class StepRequest:
    """Everything the child needs to run one step (JSON-serialisable)."""

    lesson_id: str
    step_id: str
    entry: str
    params: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    timeout_s: float = 300.0
    title: str = ""

    def spec_json(self) -> str:
        return json.dumps(
            {"lesson": self.lesson_id, "step": self.step_id, "entry": self.entry, "params": self.params, "checks": self.checks}
        )


# Passed, or skipped by the step itself with a reason (no Docker Engine here): the lesson goes on.


@dataclass
class StepOutcome:
    status: StepStatus
    summary: str
    duration_s: float
    exit_code: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    artifacts: list[Artifact] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    log_tail: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == StepStatus.PASSED

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name}"
    return f"exited with code {returncode}"


async def _exited(process: asyncio.subprocess.Process) -> int:
    """The exit status as soon as the child exits.

    ``Process.wait()`` (Python 3.11) also waits until every pipe closes, so a
    grandchild that inherited stdout would keep it waiting after a SIGKILL.
    """
    while process.returncode is None:
        await asyncio.sleep(EXIT_POLL_S)
    return process.returncode


class StepRun:
    """One execution of a step. ``await run.wait()`` gives the outcome; ``run.cancel()`` ends it."""

    def __init__(
        self,
        request: StepRequest,
        home: Path,
        on_event: EventSink | None = None,
        *,
        cwd: Path = REPO_ROOT,
        extra_env: dict[str, str] | None = None,
        grace_s: tuple[float, float] = (3.0, 2.0),
    ) -> None:
        self.request = request
        self.home = home
        self.on_event = on_event or (lambda event: None)
        self.cwd = cwd
        self.extra_env = extra_env or {}
        self.grace_s = grace_s
        self.pid: int | None = None
        self.token = process_tree.new_token()  # marks every process of this step, wherever it goes
        self.started = asyncio.Event()
        self.finished = asyncio.Event()  # set once the step's tree has ended and its outcome is known
        self._cancel = asyncio.Event()
        self._stages: tuple[tuple[int, float], ...] | None = None  # how a cancel ends the tree (None: SIGINT first)
        self._metrics: dict[str, float] = {}
        self._artifacts: list[Artifact] = []
        self._result: Result | None = None
        self._tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)

    def cancel(self, stages: tuple[tuple[int, float], ...] | None = None) -> None:
        """End the step's tree: SIGINT, SIGTERM, SIGKILL by default; ``stages`` (e.g. URGENT_STAGES) to hurry."""
        if stages is not None:
            self._stages = stages
        self._cancel.set()

    def _emit(self, event: Event) -> None:
        if isinstance(event, Metric):
            self._metrics[event.name] = event.value
        elif isinstance(event, Artifact):
            self._artifacts.append(event)
        elif isinstance(event, Result):
            self._result = event
        elif isinstance(event, Log):  # printed or sent with events.log: both are the step's output
            self._tail.append(event.message)
        try:
            self.on_event(event)
        except Exception as exc:  # a broken renderer must not orphan the child
            print(f"workbench: event handler failed: {exc!r}", file=sys.stderr)

    def _environment(self, event_fd: int) -> dict[str, str]:
        env = with_repo_on_path()
        env.update(child_environment(self.home, self.request.lesson_id, self.request.step_id))
        env[ENV_EVENT_FD] = str(event_fd)
        env[ENV_STEP_SPEC] = self.request.spec_json()
        env.update(self.extra_env)
        process_tree.mark(env, self.token)
        env[process_tree.PARENT_PID_ENV] = str(os.getpid())  # the child ends the tree if this process dies
        return env

    async def _pump_lines(
        self, reader: asyncio.StreamReader, make: Callable[[str], Event | None], max_chars: int = MAX_LINE_CHARS
    ) -> None:
        pending = bytearray()  # grows in place: a long line costs linear time, not quadratic
        while True:
            chunk = await reader.read(READ_CHUNK)
            if not chunk:
                break
            pending += chunk
            if b"\n" in chunk:
                *lines, rest = pending.split(b"\n")
                pending = bytearray(rest)
                for raw in lines:
                    self._line(raw, make, max_chars)
            if len(pending) > max_chars * 4:
                self._line(pending, make, max_chars)
                pending = bytearray()
            await asyncio.sleep(0)  # a flooding child must not starve the UI: yield after every chunk
        if pending:
            self._line(pending, make, max_chars)

    def _line(self, raw: bytes | bytearray, make: Callable[[str], Event | None], max_chars: int = MAX_LINE_CHARS) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        text = text.rsplit("\r", 1)[-1]  # a progress bar redrawn with \r: keep what the terminal would show
        if len(text) > max_chars:
            text = text[:max_chars] + " …(line cut)"
        event = make(text)
        if event is not None:
            self._emit(event)

    async def _end_tree(self, stages: tuple[tuple[int, float], ...]) -> None:
        """End every process of this step (marked, their descendants, the child's session), stage by stage."""
        await process_tree.stop_tree_async(self.token, session=self.pid, stages=stages)

    async def _terminate(self, waiter: asyncio.Future[int]) -> None:
        await self._end_tree(self._stages or ((signal.SIGINT, self.grace_s[0]), (signal.SIGTERM, self.grace_s[1])))
        await waiter

    async def wait(self) -> StepOutcome:
        from workbench.classroom.step_queue import step_slot  # classroom fair share; a no-op unless WORKBENCH_STEP_SLOTS

        async with step_slot(self._emit, self._cancel) as admitted:
            if not admitted:  # cancelled while queued: it never started
                self.finished.set()
                return self._outcome(None, "cancelled", 0.0)
            return await self._run()

    async def _run(self) -> StepOutcome:
        start = time.monotonic()
        loop = asyncio.get_running_loop()
        read_fd, write_fd = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                CHILD_MODULE,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                pass_fds=(write_fd,),
                start_new_session=True,
                env=self._environment(write_fd),
                cwd=str(self.cwd),
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        self.pid = process.pid
        _LIVE.add(self)
        self.started.set()

        event_reader = asyncio.StreamReader(limit=READ_CHUNK * 16)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(event_reader), os.fdopen(read_fd, "rb", buffering=0)
        )
        assert process.stdout is not None and process.stderr is not None
        pumps = [
            asyncio.create_task(self._pump_lines(process.stdout, lambda t: Log(t, stream="stdout"))),
            asyncio.create_task(self._pump_lines(process.stderr, lambda t: Log(t, stream="stderr"))),
            # An event (a result with a long output) is read whole up to MAX_EVENT_CHARS, never cut into "malformed" pieces.
            asyncio.create_task(self._pump_lines(event_reader, lambda t: decode(t) if t.strip() else None, MAX_EVENT_CHARS)),
        ]
        waiter: asyncio.Future[Any] = asyncio.ensure_future(_exited(process))
        cancelled: asyncio.Future[Any] = asyncio.ensure_future(self._cancel.wait())
        ended_by: str | None = None
        try:
            done, _ = await asyncio.wait({waiter, cancelled}, timeout=self.request.timeout_s, return_when=asyncio.FIRST_COMPLETED)
            if waiter not in done:
                ended_by = "cancelled" if cancelled in done else "timeout"
                await self._terminate(waiter)
        except asyncio.CancelledError:
            # The caller's task was cancelled (app quitting): still end the tree.
            await asyncio.shield(self._terminate(waiter))
            raise
        finally:
            cancelled.cancel()
            # Anything the step left running (servers, workers, setsid() grandchildren) ends with it.
            await asyncio.shield(self._end_tree(process_tree.LEFTOVER_STAGES))
            _, still_reading = await asyncio.wait(pumps, timeout=DRAIN_TIMEOUT_S)
            for task in still_reading:
                task.cancel()
            transport.close()
            with contextlib.suppress(TimeoutError):  # let asyncio reap and close the child's transport
                await asyncio.wait_for(process.wait(), timeout=DRAIN_TIMEOUT_S)
            _LIVE.discard(self)
            self.finished.set()
        return self._outcome(process.returncode, ended_by, time.monotonic() - start)

    def _outcome(self, returncode: int | None, ended_by: str | None, duration: float) -> StepOutcome:
        tail = list(self._tail)
        outcome = StepOutcome(
            status=StepStatus.FAILED,
            summary="",
            duration_s=duration,
            exit_code=returncode,
            metrics=dict(self._metrics),
            artifacts=list(self._artifacts),
            log_tail=tail,
        )
        if self._result is not None:
            outcome.details = dict(self._result.details)
        if ended_by == "timeout":
            outcome.status, outcome.summary = StepStatus.TIMEOUT, f"timed out after {self.request.timeout_s:g} s"
        elif ended_by == "cancelled":
            outcome.status, outcome.summary = StepStatus.CANCELLED, "cancelled"
        elif self._result is not None and returncode in (0, 1):
            outcome.status = StepStatus.PASSED if self._result.passed and returncode == 0 else StepStatus.FAILED
            if outcome.status == StepStatus.PASSED and self._result.details.get("skipped") is True:
                outcome.status = StepStatus.SKIPPED
            outcome.summary = self._result.summary
        else:
            outcome.status = StepStatus.CRASHED
            why = describe_exit(returncode if returncode is not None else -1)
            if returncode == 0:
                why = "ended without reporting a result"
            outcome.summary = f"step process {why}"
            if tail:
                outcome.summary += f"; last output: {tail[-1]}"
        return outcome


async def run_step(request: StepRequest, home: Path, on_event: EventSink | None = None, **kwargs: Any) -> StepOutcome:
    return await StepRun(request, home, on_event, **kwargs).wait()
