"""Isolation: a learner's own code (a step, an exercise) cannot write into another learner's home.

Run as root, `classroom serve` starts each learner's app as that learner's Unix user, so every step it runs
does too. Here alice's copy of a lesson tries to write into bob's home (and to read the class's token hashes
and links, and to write into the repository): each try fails with PermissionError, bob's home is unchanged,
and the lesson fails showing the PermissionError. Not as root: the server still serves and says once that the
learners are not isolated.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.classroom.conftest import (
    IS_ROOT,
    Screen,
    let_learners_reach_python,
    make_class,
    read_links,
    start_server,
    stop_server,
)
from tests.conftest import FIXTURE_CURRICULUM, REPO_ROOT, processes_of_home

pytestmark = pytest.mark.slow
pytest.importorskip("textual_serve", reason="classroom mode needs the classroom extra (pip install -e '.[classroom]')")

INTRUDER_STEP = '''
"""check-the-machine, as learner code that tries to reach into another learner's home."""

import json, os
from pathlib import Path

from shared import events


def report() -> dict:
    home = Path(os.environ["WORKBENCH_HOME"])
    if home.name != "alice":  # bob: an honest run that leaves something in his home
        (home / "mine.txt").write_text("bob's work")
        return {"cores": os.cpu_count() or 1}
    other, class_dir = home.parent / "bob", home.parent.parent
    tries = {
        "write into bob's home": lambda: (other / "from-alice.txt").write_text("alice was here"),
        "overwrite bob's progress": lambda: (other / "progress.json").write_text("{}"),
        "list bob's home": lambda: os.listdir(other),
        "read class.json": lambda: (class_dir / "class.json").read_text(),
        "read links.txt": lambda: (class_dir / "links.txt").read_text(),
        "write into the repository": lambda: (Path.cwd() / "written-by-a-learner.txt").write_text("x"),
    }
    outcome = {}
    for what, attempt in tries.items():
        try:
            attempt()
            outcome[what] = "allowed"
        except OSError as exc:
            outcome[what] = type(exc).__name__
    (home / "tries.json").write_text(json.dumps({"uid": os.getuid(), "outcome": outcome}))
    events.log(f"tried: {outcome}")
    (other / "from-alice.txt").write_text("alice was here")  # the exercise's own attempt: ends the step
    return {"cores": 1}
'''


def intruder_curriculum(folder: Path) -> Path:
    root = folder / "lessons"
    shutil.copytree(FIXTURE_CURRICULUM / "010-check-the-machine", root / "010-check-the-machine")
    (root / "010-check-the-machine" / "steps.py").write_text(INTRUDER_STEP)
    os.chmod(folder, 0o711)
    for path in (root, *root.rglob("*")):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return root


def snapshot(folder: Path) -> dict[str, tuple[int, int, int, int]]:
    """Every entry under ``folder``: size, modification time, mode, owner."""
    found = {}
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        found[str(path.relative_to(folder))] = (st.st_size, st.st_mtime_ns, st.st_mode, st.st_uid)
    return found


async def run_lesson(running, who: str, expect: str) -> str:  # noqa: ANN001 - RunningClass
    async with aiohttp.ClientSession() as session, session.ws_connect(running.ws_url(who)) as ws:
        await ws.send_json(["resize", {"width": 140, "height": 45}])
        screen = Screen(ws)
        assert await screen.wait_for("lessons passed", 90), f"{who} got no map: {screen.text[-800:]}"
        await screen.press("\r")
        assert await screen.wait_for("Run step", 60), f"{who}: no lesson screen"
        await screen.press("r")
        assert await screen.wait_for(expect, 120), f"{who}: {screen.text[-2000:]}"
        if "FAIL" in expect:
            await screen.wait_for("PermissionError", 10)
        return screen.text


@pytest.mark.skipif(not IS_ROOT, reason="a Unix user per learner needs the server to run as root (this run is not root)")
def test_a_learners_code_cannot_write_into_another_learners_home(tmp_path: Path, reachable: Path, monkeypatch) -> None:
    root = reachable / "class"
    make_class(root, ("alice", "bob"))
    lessons = intruder_curriculum(reachable)
    monkeypatch.setenv("WORKBENCH_LESSONS_DIR", str(lessons))
    running = start_server(root, tmp_path, "--lessons-dir", str(lessons))
    alice, bob = running.home("alice"), running.home("bob")
    stray = REPO_ROOT / "written-by-a-learner.txt"
    try:
        assert "isolation: each learner's app" in running.log.read_text()
        asyncio.run(run_lesson(running, "bob", "PASS check-the-machine/report"))
        assert (bob / "mine.txt").read_text() == "bob's work"
        before = snapshot(bob)
        text = asyncio.run(run_lesson(running, "alice", "FAIL"))
        assert "PermissionError" in text, text[-2000:]
        after = snapshot(bob)
    finally:
        stop_server(running)
        leftover = stray.exists()
        stray.unlink(missing_ok=True)
    assert not leftover, "a learner's step wrote into the repository"
    assert after == before, f"bob's home changed: {set(after.items()) ^ set(before.items())}"
    assert not (bob / "from-alice.txt").exists()
    tries = json.loads((alice / "tries.json").read_text())
    assert set(tries["outcome"].values()) == {"PermissionError"}, tries["outcome"]
    users = {who: pwd.getpwuid((running.home(who)).stat().st_uid) for who in ("alice", "bob")}
    assert tries["uid"] == users["alice"].pw_uid != users["bob"].pw_uid, "alice's step did not run as her own user"
    assert users["alice"].pw_uid != 0 and users["alice"].pw_shell.endswith(("nologin", "false"))
    assert (alice / "tries.json").stat().st_uid == users["alice"].pw_uid
    progress = json.loads((alice / "progress.json").read_text())
    assert progress["lessons"]["check-the-machine"]["status"] == "failed"
    assert not processes_of_home(alice) and not processes_of_home(bob)


INSTRUCTOR = "wb-test-instructor"


@pytest.fixture
def unprivileged(reachable: Path):
    """How to run a command as a user that is not root: as is when this run is not root; else as a throwaway
    user (in wb-learners, so it may cross to Python like a learner)."""
    if not IS_ROOT:
        yield []
        return
    let_learners_reach_python()
    subprocess.run(["groupadd", "-f", "wb-learners"], check=True)
    subprocess.run(["userdel", INSTRUCTOR], capture_output=True, check=False)
    subprocess.run(
        ["useradd", "--no-create-home", "--home-dir", str(reachable), "--shell", "/usr/sbin/nologin", "--user-group",
         "--groups", "wb-learners", INSTRUCTOR],
        check=True,
    )  # fmt: skip
    entry = pwd.getpwnam(INSTRUCTOR)
    os.chown(reachable, entry.pw_uid, entry.pw_gid)
    try:
        yield ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups", "--"]
    finally:
        for pid in [int(p.name) for p in Path("/proc").glob("[0-9]*") if p.stat().st_uid == entry.pw_uid]:
            os.kill(pid, 9)
        time.sleep(0.5)
        subprocess.run(["userdel", INSTRUCTOR], check=False)


def test_not_as_root_the_server_serves_and_warns_once_that_learners_are_not_isolated(
    unprivileged: list[str], reachable: Path
) -> None:
    root = reachable / "class"
    env = {**os.environ, "WORKBENCH_LESSONS_DIR": str(FIXTURE_CURRICULUM), "HOME": str(reachable)}
    env.pop("WORKBENCH_HOME", None)
    roster = reachable / "roster.csv"
    roster.write_text("id,name\nalice,Alice\nbob,Bob\n")
    os.chmod(roster, 0o644)
    cli = [*unprivileged, sys.executable, "-m", "workbench", "classroom"]
    init = subprocess.run(
        [*cli, "init", str(root), "--roster", str(roster)], capture_output=True, text=True, env=env, cwd=REPO_ROOT
    )
    assert init.returncode == 0, init.stderr
    assert "learners are not isolated" in init.stderr
    log = reachable / "serve.log"
    with log.open("w") as handle:
        server = subprocess.Popen(
            [*cli, "serve", str(root), "--port", "0"], stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT
        )
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"on (http://127\.0\.0\.1:\d+)", log.read_text())):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        url, token = found.group(1), read_links(root)["alice"]

        async def map_of_alice() -> bool:
            async with aiohttp.ClientSession() as session, session.ws_connect(f"{url.replace('http', 'ws')}/l/{token}/ws") as ws:
                return await Screen(ws).wait_for("lessons passed", 90)

        assert asyncio.run(map_of_alice()), "no layer map for alice from an unprivileged server"
    finally:
        server.terminate()
        server.wait(20)
    output = log.read_text()
    assert output.count("learners are not isolated from each other") == 1, output
    assert "not run as root" in output and "README" in output
