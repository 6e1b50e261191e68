"""`classroom serve`: a learner's link opens the workbench with that learner's home; anything else gets 403."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import aiohttp
import pytest

from tests.classroom.conftest import LEARNERS, RunningClass, Screen, workbench_cli
from tests.conftest import FIXTURE_CURRICULUM, processes_of_home

pytestmark = pytest.mark.slow
pytest.importorskip("textual_serve", reason="classroom mode needs the classroom extra (pip install -e '.[classroom]')")


def _no_learner_processes(running: RunningClass) -> list[int]:
    return [pid for learner in LEARNERS for pid in processes_of_home(running.home(learner))]


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def test_missing_or_wrong_tokens_get_403_and_start_nothing(running_class: RunningClass) -> None:
    tokens = running_class.tokens

    async def main() -> None:
        url = running_class.url
        for path in (
            "/",
            "/l/",
            f"/l/{tokens['alice'][:-2]}",
            f"/l/{tokens['instructor']}",
            f"/i/{tokens['alice']}",
            f"/i/{tokens['bob']}/status.json",
        ):
            status, text = await _get(url + path)
            assert status == 403, path
            assert "alice" not in text and tokens["alice"] not in text
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(running_class.ws_url("alice", token="x" * 32))
            assert refused.value.status == 403
        assert (await _get(url + f"/l/{tokens['alice']}"))[0] == 200
        assert (await _get(url + f"/i/{tokens['instructor']}"))[0] == 200

    asyncio.run(main())
    time.sleep(0.5)
    assert not _no_learner_processes(running_class), "a wrong token started an app"
    assert tokens["alice"] not in running_class.log.read_text(), "the server log holds a token"


def test_repeated_wrong_tokens_from_one_address_are_slowed_down(running_class: RunningClass) -> None:
    async def main() -> list[float]:
        took = []
        for n in range(9):
            start = time.monotonic()
            status, _ = await _get(f"{running_class.url}/l/wrong-{n}")
            took.append(time.monotonic() - start)
            assert status == 403
        return took

    took = asyncio.run(main())
    assert max(took[:5]) < 0.2, took
    assert took[-1] >= 0.9, f"the 9th wrong try in a row answered in {took[-1]:.2f} s: not slowed down"


def test_a_learner_link_opens_their_own_home_and_the_instructor_sees_the_pass(running_class: RunningClass) -> None:
    alice, bob = running_class.home("alice"), running_class.home("bob")

    async def main() -> tuple[float, dict]:
        async with aiohttp.ClientSession() as session, session.ws_connect(running_class.ws_url("alice")) as ws:
            await ws.send_json(["resize", {"width": 140, "height": 45}])
            screen = Screen(ws)
            assert await screen.wait_for("check-the-machine", 30), screen.text[-2000:]
            assert await screen.wait_for("lessons passed", 10), screen.text[-2000:]  # the layer map
            assert processes_of_home(alice), "no app runs with alice's home"
            assert not processes_of_home(bob)
            await screen.press("\r")  # the map starts on the first lesson: open it
            assert await screen.wait_for("Run step", 20), screen.text[-2000:]
            await screen.press("r")
            assert await screen.wait_for("PASS check-the-machine/report", 30), screen.text[-2000:]
            passed_at = time.monotonic()
            while True:
                async with session.get(running_class.instructor("/status.json")) as response:
                    status = await response.json()
                row = next(r for r in status["learners"] if r["id"] == "alice")
                if row["lessons"]["check-the-machine"]["state"] == "passed":
                    return time.monotonic() - passed_at, status
                assert time.monotonic() - passed_at < 5, "the instructor did not see the pass within 5 s"
                await asyncio.sleep(0.25)

    delay, status = asyncio.run(main())
    rows = {row["id"]: row for row in status["learners"]}
    assert rows["alice"]["connected"] and not rows["bob"]["connected"]
    assert rows["alice"]["passed"] == 1 and rows["alice"]["lessons"]["check-the-machine"]["attempts"] == 1
    assert rows["bob"]["passed"] == 0 and rows["bob"]["lessons"]["check-the-machine"]["state"] == "not started"
    progress = json.loads((alice / "progress.json").read_text())
    assert progress["lessons"]["check-the-machine"]["status"] == "passed"
    assert not (bob / "progress.json").exists(), "alice's run was recorded in bob's home"
    # Closing the tab ends alice's app (and nothing of it is left).
    deadline = time.monotonic() + 10
    while processes_of_home(alice) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not processes_of_home(alice), "alice's app outlived her session"


def test_a_second_tab_takes_the_session_over(running_class: RunningClass) -> None:
    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            first = await session.ws_connect(running_class.ws_url("bob"))
            assert await Screen(first).wait_for("lessons passed", 30)
            second = await session.ws_connect(running_class.ws_url("bob"))
            assert await Screen(second).wait_for("lessons passed", 30)
            end = time.monotonic() + 10
            while not first.closed and time.monotonic() < end:  # read what is left: the close frame comes last
                with contextlib.suppress(asyncio.TimeoutError):
                    await first.receive(timeout=0.5)
            assert first.closed, "the first tab still drives an app"
            assert len(processes_of_home(running_class.home("bob"), "workbench")) == 1
            await second.close()

    asyncio.run(main())


def test_status_after_real_runs_in_two_homes_with_csv_and_junit(running_class: RunningClass, tmp_path) -> None:
    from junitparser import Failure, JUnitXml, Skipped

    env = {"WORKBENCH_LESSONS_DIR": str(FIXTURE_CURRICULUM)}
    for learner in ("alice", "bob"):
        done = workbench_cli("--lesson", "check-the-machine", "--plain", "--home", str(running_class.home(learner)), env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    for _ in range(3):  # the same step fails three times in a row: bob is stuck
        done = workbench_cli(
            "--lesson",
            "train-a-model",
            "--step",
            "fit",
            "--param",
            "epochs=1",
            "--plain",
            "--home",
            str(running_class.home("bob")),
            env=env,
        )
        assert done.returncode == 1, done.stdout + done.stderr
    csv_path, junit_path = tmp_path / "grades.csv", tmp_path / "grades.xml"
    done = workbench_cli(
        "classroom", "status", str(running_class.root), "--json", "--csv", str(csv_path), "--junit", str(junit_path), env=env
    )
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["lessons"] == ["check-the-machine", "clean-data", "train-a-model", "ship-it"]
    rows = {row["id"]: row for row in status["learners"]}
    assert rows["alice"]["lessons"]["check-the-machine"]["state"] == "passed" and not rows["alice"]["stuck"]
    assert rows["bob"]["lessons"]["train-a-model"]["state"] == "failed"
    assert rows["bob"]["lessons"]["train-a-model"]["attempts"] == 3
    assert rows["bob"]["stuck"] and "step fit failed 3 times in a row" in rows["bob"]["stuck_reasons"][0]
    assert rows["carol"]["passed"] == 0 and not rows["carol"]["stuck"]
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("learner,name,passed,exercises_done,stuck,connected,check-the-machine")
    assert lines[1].startswith("alice,Alice,1,0,,no,passed")
    suites = {suite.name: suite for suite in JUnitXml.fromfile(str(junit_path))}
    assert set(suites) == set(LEARNERS)
    assert suites["alice"].tests == 4 and suites["alice"].failures == 0 and suites["alice"].skipped == 3
    bob_cases = {case.name: case for case in suites["bob"]}
    assert any(isinstance(r, Failure) for r in bob_cases["train-a-model"].result)
    assert any(isinstance(r, Skipped) for r in bob_cases["ship-it"].result)
    # The same, live, from the server the instructor's page polls.
    status_live = asyncio.run(_get(running_class.instructor("/status.json")))
    assert status_live[0] == 200 and json.loads(status_live[1])["learners"][1]["stuck"]
    assert asyncio.run(_get(running_class.instructor("/class.csv")))[1].splitlines()[1].startswith("alice,Alice,1")
