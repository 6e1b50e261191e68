"""The serving screen's hands: start/stop `bentoml serve` and locust as child processes, send requests, scrape.

Nothing here imports BentoML. Each child (the service, a load test) and
everything it starts carry a run token of their own (``shared.utils.process_tree``):
a stop ends that whole tree, BentoML's worker included though it runs in a
process group of its own. The kernel sends the child SIGTERM if the app dies
(kill -9) — each runs under a guard (``shared.utils.process_guard``) that then ends the whole tree, SIGKILL
after 1 s — and the app ends them on quit, SIGTERM and SIGHUP (``stop_all``).
Requests are plain HTTP from a thread, and ``/metrics`` is parsed with
prometheus_client's parser.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from application.inference.iris_requests import GOOD_ROWS, SERVICE
from application.inference.load_testing import locust_command, locust_results, read_locust_stats
from infrastructure.deployment.local_server import serve_command
from shared.configs.repository import REPO_ROOT, with_repo_on_path
from shared.configs.workbench_home import child_environment
from shared.utils import process_tree
from shared.utils.local_http import is_ready, post
from shared.utils.local_network import free_local_port, nothing_listens
from shared.utils.process_guard import guarded

EXAMPLE_REQUEST = json.dumps({"features": list(GOOD_ROWS.values())}, indent=2)
_live: set[ChildGroup] = set()


@atexit.register
def end_leftovers(stages: tuple[tuple[int, float], ...] = process_tree.LEFTOVER_STAGES) -> None:
    """Last resort when the app exits without unmounting its screens: no server outlives the workbench."""
    for child in list(_live):
        child.end_tree(stages)


async def stop_all() -> None:
    """Stop every service and load test the app started (quit, SIGTERM, SIGHUP)."""
    await asyncio.gather(*(child.stop(grace_s=3.0) for child in list(_live)))


@dataclass
class Reply:
    status: int
    body: str
    elapsed_ms: float


def _post(url: str, body: bytes, timeout_s: float) -> Reply:
    status, answer, elapsed_ms = post(url, body, timeout_s)
    return Reply(status, answer if isinstance(answer, str) else json.dumps(answer, indent=2), elapsed_ms)


class ChildGroup:
    """A child process and everything it starts; ``stop`` ends that whole tree (SIGTERM, then SIGKILL)."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.token = process_tree.new_token()
        self._pump: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def spawn(self, command: list[str], env: dict[str, str], on_line: Callable[[str], None]) -> None:
        self.token = process_tree.new_token()  # a fresh token per start: an old tree's stop never touches the new one
        self.process = await asyncio.create_subprocess_exec(
            *guarded(command),  # the app killed with -9: the guard ends the whole tree (the server's worker too)
            cwd=str(REPO_ROOT),
            env=process_tree.mark(dict(env), self.token),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=process_tree.die_with_parent(signal.SIGTERM),  # and the kernel tells the guard at once
        )
        _live.add(self)
        self._pump = asyncio.create_task(self._read(on_line))

    async def _read(self, on_line: Callable[[str], None]) -> None:
        assert self.process and self.process.stdout
        async for raw in self.process.stdout:
            on_line(raw.decode(errors="replace").rstrip())

    async def wait(self) -> int:
        assert self.process
        code = await self.process.wait()
        if self._pump:
            await asyncio.wait({self._pump}, timeout=2)
        return code

    def end_tree(self, stages: tuple[tuple[int, float], ...]) -> bool:
        """End every process the child started, stage by stage, then SIGKILL; True when none is left. The guard
        itself is left out: it passes signals on (the command would get each twice) and exits with the command."""
        if self.process is None:
            return True
        return process_tree.stop_tree(self.token, session=self.process.pid, stages=stages, exclude=(self.process.pid,))

    async def stop(self, grace_s: float = 10.0) -> None:
        """End the child and every process it started (its workers too), SIGTERM then SIGKILL after ``grace_s``."""
        if self.process is None:
            return
        await asyncio.to_thread(self.end_tree, ((signal.SIGTERM, grace_s),))  # the loop never waits on /proc
        with contextlib.suppress(TimeoutError):  # let asyncio reap it
            await asyncio.wait_for(self.process.wait(), 2.0)
        _live.discard(self)
        if self._pump:
            self._pump.cancel()


class ServiceControl:
    """The iris service on 127.0.0.1 (a free port), as the serving screen drives it."""

    def __init__(self, home: Path, on_line: Callable[[str], None]) -> None:
        self.home = home
        self.on_line = on_line
        self.port: int | None = None
        self.server = ChildGroup()
        self.load = ChildGroup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.server.running

    def environment(self) -> dict[str, str]:
        env = with_repo_on_path()
        env.update(child_environment(self.home, "serving-screen", "service"))
        return env

    def command(self) -> list[str]:
        return serve_command(SERVICE, self.port or 3000)

    async def start(self, timeout_s: float = 90.0) -> float:
        """Start and wait for /readyz; seconds it took. Raises RuntimeError with the server's last lines."""
        self.port = free_local_port()
        tail: list[str] = []

        def line(text: str) -> None:
            tail[:] = (tail + [text])[-5:]
            self.on_line(text)

        started = time.monotonic()
        await self.server.spawn(self.command(), self.environment(), line)
        while time.monotonic() - started < timeout_s:
            if not self.server.running:
                await self.server.wait()
                code = self.server.process.returncode if self.server.process else None
                raise RuntimeError(f"bentoml serve exited with code {code}: " + " | ".join(tail))
            ready = await asyncio.to_thread(is_ready, self.url)
            if ready:
                return time.monotonic() - started
            await asyncio.sleep(0.3)
        await self.stop()
        raise RuntimeError(f"not ready within {timeout_s:g} s: " + " | ".join(tail))

    async def stop(self) -> bool:
        """Stop the load test and the service; True when nothing listens on the port any more."""
        await self.load.stop(grace_s=3.0)
        await self.server.stop()
        return True if self.port is None else await asyncio.to_thread(nothing_listens, self.port)

    async def send(self, path: str, body: str, timeout_s: float = 15.0) -> Reply:
        return await asyncio.to_thread(_post, self.url + "/" + path.lstrip("/"), body.encode(), timeout_s)

    async def scrape(self):
        from infrastructure.monitoring.prometheus_metrics import scrape

        return await asyncio.to_thread(scrape, self.url, 3.0)

    async def load_test(self, users: int = 8, duration_s: int = 10) -> dict[str, float]:
        """locust --headless against the running service; its summary (requests, failures, rps, p50/p95/p99)."""
        with tempfile.TemporaryDirectory(prefix="locust-") as tmp:
            prefix = str(Path(tmp) / "run")
            await self.load.spawn(
                locust_command(self.url, users, float(users), duration_s, prefix),
                self.environment(),
                lambda text: self.on_line(f"[locust] {text}"),
            )
            code = await self.load.wait()
            await self.load.stop(grace_s=1.0)
            if code != 0 and not Path(prefix + "_stats.csv").exists():
                raise RuntimeError(f"locust exited with code {code}")
            return locust_results(read_locust_stats(prefix)["Aggregated"])
