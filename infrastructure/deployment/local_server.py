"""`bentoml serve` on 127.0.0.1 as a child process: start it, wait until it is ready, stop it.

The server and everything it starts (BentoML's worker runs in a process
group of its own) carry the server's run token (``shared.utils.process_tree``):
``stop`` ends that whole tree, SIGTERM then SIGKILL. The server also gets
SIGTERM from the kernel if the process that started it dies, and a step's
runner ends whatever of its step is left, so no server outlives its step.
Its output is forwarded line by line (default: the step's log, tagged ``[server]``).

    server = LocalServer("application.inference.iris_service:IrisService", free_local_port())
    server.start(timeout_s=90)      # raises with the server's last lines if it does not come up
    ... HTTP to server.url ...
    server.stop()
"""

from __future__ import annotations

import contextlib
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from shared import events
from shared.configs.repository import REPO_ROOT, with_repo_on_path
from shared.utils import process_tree
from shared.utils.local_http import is_ready


def bentoml_cli() -> str:
    """The `bentoml` command of this Python environment (the venv's, not whatever is first on PATH)."""
    candidate = Path(sys.executable).with_name("bentoml")
    return str(candidate) if candidate.exists() else "bentoml"


def serve_command(service: str, port: int) -> list[str]:
    """`bentoml serve SERVICE` on 127.0.0.1:port (run it from the repository root)."""
    return [bentoml_cli(), "serve", service, "--host", "127.0.0.1", "--port", str(port)]


def build_command(bentofile: str) -> list[str]:
    """`bentoml build` of a bentofile; the new Bento's tag is printed as ``__tag__:<tag>``."""
    return [bentoml_cli(), "build", "-f", bentofile, "--output", "tag", "."]


def shown(command: list[str]) -> str:
    """A command as a learner would type it (`bentoml ...`, not the venv's absolute path)."""
    return shlex.join([Path(command[0]).name, *command[1:]])


def _log_server_line(line: str) -> None:
    events.log(f"[server] {line}")


class LocalServer:
    """One BentoML service on 127.0.0.1:port, served by `bentoml serve` in a child process."""

    def __init__(self, service: str, port: int, on_line: Callable[[str], None] = _log_server_line) -> None:
        self.port = port
        self.command = serve_command(service, port)
        self.on_line = on_line
        self.process: subprocess.Popen[str] | None = None
        self.tail: list[str] = []
        self.token = process_tree.new_token()  # marks the server and its workers

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _forward(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            line = line.rstrip()
            self.tail = (self.tail + [line])[-20:]
            self.on_line(line)

    def start(self, timeout_s: float) -> float:
        """Start and wait for ``/readyz``; returns the seconds it took."""
        events.log("$ " + shown(self.command))
        started = time.perf_counter()
        env = process_tree.mark(with_repo_on_path(), self.token)
        self.process = subprocess.Popen(
            self.command,
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            preexec_fn=process_tree.die_with_parent(signal.SIGTERM),
        )
        threading.Thread(target=self._forward, daemon=True).start()
        while time.perf_counter() - started < timeout_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"bentoml serve exited with code {self.process.returncode}: " + " | ".join(self.tail[-5:]))
            if is_ready(self.url):
                return time.perf_counter() - started
            time.sleep(0.25)
        raise RuntimeError(f"the service was not ready within {timeout_s:g} s: " + " | ".join(self.tail[-5:]))

    def stop(self, grace_s: float = 10.0) -> None:
        """End the server and its workers (SIGTERM, then SIGKILL after ``grace_s``), wherever they run."""
        if self.process is None:
            return
        process_tree.stop_tree(self.token, stages=((signal.SIGTERM, grace_s),))
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
