"""A real classroom: a class folder made with `classroom init`, served by `classroom serve` in a child process.

Run as root (as on CI), `init` and `serve` give each learner their own Unix user, as an instructor's would:
the class folders then live in a folder the learners can cross (`reachable`, not pytest's 0700 tmp_path),
the learners' group may cross the folders above Python (an ACL, the README's one-time setup), and every
class a test made has its users and group deleted after the test (`classroom teardown`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CURRICULUM, REPO_ROOT, processes_of_home

ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x1b\][^\x07]*\x07")
LEARNERS = ("alice", "bob", "carol")
IS_ROOT = os.geteuid() == 0
_CLASSES: list[Path] = []  # made by this test: their Unix users are deleted after it


def workbench_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
    )


def read_links(root: Path) -> dict[str, str]:
    """who → token, from the links file `init` wrote."""
    links = {}
    for line in (root / "links.txt").read_text().splitlines():
        who, link = line.split()
        links[who] = link.rsplit("/", 1)[1]
    return links


@dataclass
class RunningClass:
    root: Path
    url: str
    tokens: dict[str, str]
    process: subprocess.Popen[str]
    log: Path
    extra: dict[str, str] = field(default_factory=dict)

    def home(self, learner: str) -> Path:
        return self.root / "homes" / learner

    def ws_url(self, learner: str, token: str | None = None) -> str:
        return self.url.replace("http", "ws", 1) + f"/l/{token or self.tokens[learner]}/ws?width=140&height=45"

    def instructor(self, path: str = "") -> str:
        return f"{self.url}/i/{self.tokens['instructor']}{path}"


def make_class(root: Path, learners: tuple[str, ...] = LEARNERS) -> dict[str, str]:
    roster = root.parent / f"{root.name}-roster.csv"
    roster.write_text("id,name\n" + "".join(f"{l},{l.title()}\n" for l in learners))
    done = workbench_cli("classroom", "init", str(root), "--roster", str(roster))
    register_class(root)
    assert done.returncode == 0, done.stderr
    return read_links(root)


def register_class(root: Path) -> None:
    _CLASSES.append(root)


def _teardown_classes() -> None:
    while _CLASSES:
        root = _CLASSES.pop()
        if IS_ROOT and (root / "class.json").exists():
            done = workbench_cli("classroom", "teardown", str(root))
            assert done.returncode == 0, f"teardown of {root}: {done.stderr}"


@pytest.fixture(autouse=True)
def _delete_the_classes_unix_users() -> Iterator[None]:
    yield
    _teardown_classes()


@pytest.fixture
def reachable() -> Iterator[Path]:
    """A folder every user may cross (0711) for class folders and lessons; removed after the test."""
    path = Path(tempfile.mkdtemp(prefix="wb-classroom-test-", dir="/tmp"))
    os.chmod(path, 0o711)
    try:
        yield path
    finally:
        _teardown_classes()  # before the folder goes: teardown reads class.json
        shutil.rmtree(path, ignore_errors=True)


def let_learners_reach_python() -> None:
    """As root: the README's one-time setup, so the learners' users can run this venv's Python.

    Each folder above Python and the repository that others may not cross gets an ACL entry letting the
    group wb-learners cross it (x only: no listing). Skips, with the reason, without setfacl."""
    if not IS_ROOT:
        return
    blocked = set()
    for target in (Path(os.path.realpath(sys.executable)), REPO_ROOT.resolve()):
        for folder in target.parents:
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                blocked.add(folder)
    if not blocked:
        return
    if shutil.which("setfacl") is None:
        pytest.skip(
            f"learners' Unix users cannot cross {sorted(map(str, blocked))} to Python and setfacl is missing (apt-get install acl)"
        )
    subprocess.run(["groupadd", "-f", "wb-learners"], check=True)
    for folder in sorted(blocked):
        subprocess.run(["setfacl", "-m", "g:wb-learners:x", str(folder)], check=True)


def start_server(root: Path, tmp_path: Path, *args: str) -> RunningClass:
    let_learners_reach_python()
    log = tmp_path / "serve.log"
    env = {**os.environ, "WORKBENCH_LESSONS_DIR": str(FIXTURE_CURRICULUM)}
    env.pop("WORKBENCH_HOME", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "classroom", "serve", str(root), "--port", "0", *args],
        stdout=log.open("w"),  # noqa: SIM115 - the server's child writes it for the whole test
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO_ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"on (http://127\.0\.0\.1:\d+)", log.read_text())
        if found:
            return RunningClass(root, found.group(1), read_links(root), process, log)
        assert process.poll() is None, log.read_text()
        time.sleep(0.1)
    process.kill()
    raise AssertionError("the classroom server did not start in 30 s: " + log.read_text())


def stop_server(running: RunningClass) -> None:
    if running.process.poll() is None:
        running.process.send_signal(signal.SIGTERM)
        try:
            running.process.wait(20)
        except subprocess.TimeoutExpired:
            running.process.kill()
            running.process.wait(5)
            raise AssertionError("the classroom server did not stop within 20 s of SIGTERM") from None


@pytest.fixture
def running_class(tmp_path: Path, reachable: Path) -> Iterator[RunningClass]:
    root = reachable / "class"
    make_class(root)
    running = start_server(root, tmp_path, "--max-running", "2")
    try:
        yield running
    finally:
        stop_server(running)
        left = [pid for learner in LEARNERS for pid in processes_of_home(running.home(learner))]
        assert not left, f"processes of learners' homes outlived the server: {left}"


class Screen:
    """A websocket client that plays the browser: reads the app's terminal output as plain text, types keys."""

    def __init__(self, ws) -> None:  # noqa: ANN001 - aiohttp's ClientWebSocketResponse
        self.ws = ws
        self.text = ""

    async def wait_for(self, needle: str, timeout: float = 30.0) -> bool:
        import aiohttp

        end = time.monotonic() + timeout
        while needle not in self.text and time.monotonic() < end:
            try:
                message = await self.ws.receive(timeout=0.5)
            except TimeoutError:
                continue
            if message.type == aiohttp.WSMsgType.BINARY:
                self.text += ANSI.sub("", message.data.decode("utf-8", "replace"))
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                return needle in self.text
        return needle in self.text

    async def press(self, keys: str) -> None:
        await self.ws.send_json(["stdin", keys])
