"""Ten learners at once on one server with --max-running 2, and a server killed mid-run.

Ten websocket clients play the browsers (the real-browser test covers the page itself). The lesson is the
fixture curriculum's check-the-machine, copied with a step that takes a second and writes down when it ran,
so the queue is visible: exactly 2 run at a time, the others see their place in line, all ten pass, and
every home holds only its own learner's run.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from tests.classroom.conftest import RunningClass, Screen, make_class, start_server, stop_server, workbench_cli
from tests.conftest import FIXTURE_CURRICULUM, processes_of_home

pytestmark = pytest.mark.slow
pytest.importorskip("textual_serve", reason="classroom mode needs the classroom extra (pip install -e '.[classroom]')")

SLOW_STEP = '''
"""check-the-machine, slowed down: each run takes HOLD_S and writes when it ran into the learner's home."""

import json, os, time

from shared import events


def report() -> dict:
    start = time.time()
    time.sleep(float(os.environ.get("CLASSROOM_TEST_HOLD_S", "1.0")))
    home = os.environ["WORKBENCH_HOME"]
    with open(os.path.join(home, f"span-{os.getpid()}.json"), "w") as handle:
        json.dump({"start": start, "end": time.time(), "home": home}, handle)
    events.log(f"held the machine for {time.time() - start:.1f} s")
    return {"cores": os.cpu_count() or 1}
'''


def slow_curriculum(folder: Path) -> Path:
    root = folder / "lessons"
    shutil.copytree(FIXTURE_CURRICULUM / "010-check-the-machine", root / "010-check-the-machine")
    (root / "010-check-the-machine" / "steps.py").write_text(SLOW_STEP)
    return root


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@pytest.fixture
def class_of_ten(tmp_path: Path, reachable: Path, monkeypatch: pytest.MonkeyPatch):
    learners = tuple(f"l{n:02d}" for n in range(10))
    root = reachable / "class"
    make_class(root, learners)
    lessons = slow_curriculum(reachable)
    monkeypatch.setenv("WORKBENCH_LESSONS_DIR", str(lessons))
    running = start_server(root, tmp_path, "--max-running", "2", "--lessons-dir", str(lessons))
    try:
        yield running, learners
    finally:
        stop_server(running)
        left = [pid for learner in learners for pid in processes_of_home(running.home(learner))]
        assert not left, f"processes of learners' homes outlived the server: {left}"


def test_ten_learners_press_run_at_once_two_run_at_a_time_all_pass(class_of_ten, tmp_path: Path) -> None:
    running, learners = class_of_ten

    async def learner(session: aiohttp.ClientSession, who: str, ready: asyncio.Barrier, go: asyncio.Event) -> Screen:
        ws = await session.ws_connect(running.ws_url(who))
        await ws.send_json(["resize", {"width": 140, "height": 45}])
        screen = Screen(ws)
        assert await screen.wait_for("lessons passed", 120), f"{who} got no map: {screen.text[-500:]}"
        await screen.press("\r")
        assert await screen.wait_for("Run step", 60), f"{who}: no lesson screen"
        await ready.wait()
        await go.wait()
        await screen.press("r")
        assert await screen.wait_for("PASS check-the-machine/report", 120), f"{who}: {screen.text[-1500:]}"
        return screen

    async def main() -> tuple[list[Screen], dict[str, int]]:
        ready, go = asyncio.Barrier(len(learners) + 1), asyncio.Event()
        async with aiohttp.ClientSession() as session:
            tasks = [asyncio.ensure_future(learner(session, who, ready, go)) for who in learners]
            await ready.wait()  # every learner has their lesson open: measure the idle sessions, then all press r
            await asyncio.sleep(2)
            idle = {who: sum(_pss_kib(pid) for pid in processes_of_home(running.home(who))) for who in learners}
            go.set()
            screens = await asyncio.gather(*tasks)
            for screen in screens:
                await screen.ws.close()
            return screens, idle

    screens, idle = asyncio.run(main())
    spans = []
    for who in learners:
        home = running.home(who)
        mine = [json.loads(p.read_text()) for p in home.glob("span-*.json")]
        assert len(mine) == 1 and mine[0]["home"] == str(home), f"{who}'s home holds {mine}"
        spans += mine
        progress = json.loads((home / "progress.json").read_text())
        assert progress["lessons"]["check-the-machine"]["status"] == "passed"
        assert len(progress["lessons"]["check-the-machine"]["attempts"]) == 1, f"{who}'s home holds another's run"
    edges = sorted([(s["start"], 1) for s in spans] + [(s["end"], -1) for s in spans], key=lambda e: (e[0], e[1]))
    at_once = most = 0
    for _, delta in edges:
        at_once += delta
        most = max(most, at_once)
    assert most == 2, f"{most} steps ran at once with --max-running 2"
    told = [who for who, screen in zip(learners, screens, strict=True) if "queued: " in screen.text]
    assert len(told) >= 7, f"only {told} were shown their place in the queue"
    assert any("queued: 8th in line" in screen.text for screen in screens)
    per_session_mib = sorted(kib / 1024 for kib in idle.values())
    (tmp_path / "idle-pss.json").write_text(json.dumps(per_session_mib))
    print(
        f"idle learner session PSS (MiB): median {per_session_mib[len(per_session_mib) // 2]:.1f}, max {per_session_mib[-1]:.1f}"
    )
    assert all(mib > 5 for mib in per_session_mib), "an idle learner had no app process"


def test_killing_the_server_mid_run_loses_no_progress_and_a_restart_resumes(
    tmp_path: Path, reachable: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = reachable / "class"
    make_class(root, ("alice", "bob"))
    lessons = slow_curriculum(reachable)
    monkeypatch.setenv("WORKBENCH_LESSONS_DIR", str(lessons))
    env = {"WORKBENCH_LESSONS_DIR": str(lessons), "CLASSROOM_TEST_HOLD_S": "0.1"}
    done = workbench_cli("--lesson", "check-the-machine", "--plain", "--home", str(root / "homes" / "bob"), env=env)
    assert done.returncode == 0, done.stdout + done.stderr  # bob passed before the class started
    monkeypatch.setenv("CLASSROOM_TEST_HOLD_S", "30")
    running: RunningClass = start_server(root, tmp_path, "--lessons-dir", str(lessons))
    alice = running.home("alice")

    async def start_a_long_step() -> None:
        async with aiohttp.ClientSession() as session, session.ws_connect(running.ws_url("alice")) as ws:
            screen = Screen(ws)
            assert await screen.wait_for("lessons passed", 60)
            await screen.press("\r")
            assert await screen.wait_for("Run step", 30)
            await screen.press("r")
            deadline = time.monotonic() + 30
            while not any(
                "step_process" in " ".join(Path(f"/proc/{pid}/cmdline").read_text().split("\0"))
                for pid in processes_of_home(alice)
                if Path(f"/proc/{pid}").exists()
            ):
                assert time.monotonic() < deadline, "the step did not start"
                await asyncio.sleep(0.2)
            os.kill(running.process.pid, signal.SIGKILL)  # the server dies mid-run
            running.process.wait(10)

    asyncio.run(start_a_long_step())
    deadline = time.monotonic() + 15
    while processes_of_home(alice) and time.monotonic() < deadline:  # the apps die with the server, steps with them
        time.sleep(0.2)
    assert not processes_of_home(alice), "alice's app or step outlived a killed server"
    status = json.loads(workbench_cli("classroom", "status", str(root), "--json", env=env).stdout)
    rows = {row["id"]: row for row in status["learners"]}
    assert rows["bob"]["lessons"]["check-the-machine"]["state"] == "passed", "bob's pass was lost"
    # The app got SIGTERM with its server (PR_SET_PDEATHSIG) and cancelled the step on its way out.
    assert rows["alice"]["lessons"]["check-the-machine"]["state"] in ("cancelled", "interrupted")
    assert not any(row["connected"] for row in rows.values()), "a dead server's sessions still count as connected"

    monkeypatch.setenv("CLASSROOM_TEST_HOLD_S", "0.1")
    restarted = start_server(root, tmp_path, "--lessons-dir", str(lessons))
    try:

        async def resume() -> str:
            async with aiohttp.ClientSession() as session, session.ws_connect(restarted.ws_url("bob")) as ws:
                screen = Screen(ws)
                assert await screen.wait_for("1/1 lessons passed", 60), screen.text[-1500:]
                return screen.text

        assert "1/1 lessons passed" in asyncio.run(resume())
    finally:
        stop_server(restarted)
