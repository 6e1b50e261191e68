"""The docker-build lesson against a real Docker Engine, and without one.

Tests that need an engine skip when none is reachable — unless
WORKBENCH_REQUIRE_DOCKER=1 (CI sets it): then they fail, so CI cannot pass by
skipping them.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time

import pytest

from infrastructure.deployment.containers.docker import engine, hadolint, images
from infrastructure.deployment.containers.docker.build_context import DOCKERFILE
from shared.events import Log
from workbench.curriculum.lesson_loader import load_curriculum
from workbench.runner.lesson_runner import step_request
from workbench.runner.step_runner import StepRun

# One Docker Engine for the whole run: these tests build and remove images of the same name, so they run one after
# another on one xdist worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tests/integration/test_docker_build.py")]
NO_ENGINE = {"DOCKER_HOST": "unix:///nonexistent.sock", "WORKBENCH_REQUIRE_DOCKER": ""}


@pytest.fixture
def client():
    """A Docker Engine client; skip without an engine, fail instead when WORKBENCH_REQUIRE_DOCKER=1."""
    import docker

    try:
        found = docker.from_env(timeout=30)
        found.ping()
    except Exception as exc:
        message = f"no Docker Engine reachable: {engine.engine_address()} ({str(exc).splitlines()[0][:160]})"
        if engine.docker_required():
            pytest.fail(f"{message}; {engine.REQUIRE_ENV}=1 makes this a failure")
        pytest.skip(message)
    yield found
    found.close()


def steps_of(result) -> dict[str, dict]:
    lessons = {lesson["id"]: lesson for lesson in result.json()["lessons"]}
    return {step["id"]: step for step in lessons["docker-build"]["steps"]}


def test_hadolint_finds_nothing_in_the_dockerfile_and_it_needs_no_buildkit():
    assert hadolint.hadolint(DOCKERFILE) == []
    text = DOCKERFILE.read_text()
    instructions = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "--mount" not in instructions and "<<" not in instructions  # the SDK's classic builder knows neither
    assert "USER 10001" in text and "HEALTHCHECK" in text and "--no-index" in text
    assert (DOCKERFILE.parent / ".dockerignore").is_file()


def test_the_lesson_builds_runs_as_non_root_answers_and_leaves_no_container(validated_home, cli, client):
    started = time.monotonic()
    result = cli("--lesson", "docker-build", "--json", timeout=1200)
    assert result.returncode == 0, result.stderr[-4000:]
    steps = steps_of(result)
    assert [s["status"] for s in steps.values()] == ["passed"] * 5, {k: s["summary"] for k, s in steps.items()}
    assert steps["lint"]["summary"].startswith("0 hadolint findings")
    run = steps["run"]["metrics"]
    assert run["predictions_correct"] == 3 and run["uid_in_container"] == 10001 and run["containers_left"] == 0
    assert "answered setosa, versicolor, virginica" in steps["run"]["summary"]

    image = client.images.get(images.IMAGE + ":latest")
    user = image.attrs["Config"]["User"]
    assert images.numeric_non_root(user), user
    inspected = json.loads(
        subprocess.run(["docker", "inspect", images.IMAGE + ":latest"], capture_output=True, text=True, check=True).stdout
    )
    assert inspected[0]["Config"]["User"] == "10001:10001"
    assert engine.our_containers(client) == []
    # Runs do not pile up images: at most the 3 newest (plus :latest), no leftover builder stage of ours.
    assert len(client.images.list(name=images.IMAGE)) <= 4
    assert client.images.list(filters={"dangling": True, "label": engine.BUILDER_LABEL}) == []
    assert "127.0.0.1:" in result.stderr and "[build] Step 1/" in result.stderr
    print(f"docker-build lesson: {time.monotonic() - started:.0f} s, image {image.attrs['Size'] / 1e6:.0f} MB, user {user}")

    again = cli("--lesson", "docker-build", "--step", "prepare", "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    assert steps_of(again)["prepare"]["metrics"]["wheelhouse_reused"] == 1  # nothing downloaded the second time


def test_cancel_while_the_container_runs_removes_it(validated_home, cli, home, client):
    assert cli("--lesson", "docker-build", timeout=1200).returncode == 0
    lesson = load_curriculum().get("docker-build")
    run_step = next(step for step in lesson.spec.steps if step.id == "run")
    request = step_request(lesson, run_step, {"hold_s": 120.0})

    async def scenario() -> tuple[float, int]:
        holding = asyncio.Event()
        run = StepRun(
            request, home, lambda e: holding.set() if isinstance(e, Log) and "holding the container" in e.message else None
        )
        task = asyncio.create_task(run.wait())
        await asyncio.wait_for(holding.wait(), 180)
        running = len(engine.our_containers(client))
        started = time.monotonic()
        run.cancel()
        outcome = await task
        assert outcome.status == "cancelled"
        deadline = time.monotonic() + 10
        while engine.our_containers(client) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return time.monotonic() - started, running

    elapsed, running = asyncio.run(scenario())
    assert running == 1, "the container should have been running before the cancel"
    assert engine.our_containers(client) == []
    assert elapsed < 10


def test_without_an_engine_lint_passes_and_the_rest_is_skipped_with_the_reason(validated_home, cli):
    result = cli("--lesson", "docker-build", "--json", env=NO_ENGINE)
    assert result.returncode == 0, result.stderr[-3000:]
    steps = steps_of(result)
    assert steps["lint"]["status"] == "passed"
    for step_id in ("prepare", "build", "inspect", "run"):
        assert steps[step_id]["status"] == "skipped", steps[step_id]
        assert "no Docker Engine reachable at unix:///nonexistent.sock" in steps[step_id]["summary"]
        assert "dockerd" in steps[step_id]["summary"]


def test_without_an_engine_it_fails_when_docker_is_required(validated_home, cli):
    result = cli("--lesson", "docker-build", "--json", env={**NO_ENGINE, "WORKBENCH_REQUIRE_DOCKER": "1"})
    assert result.returncode == 1
    steps = steps_of(result)
    assert steps["lint"]["status"] == "passed"
    assert steps["prepare"]["status"] == "failed"
    assert "no Docker Engine reachable at unix:///nonexistent.sock" in steps["prepare"]["summary"]
    assert "WORKBENCH_REQUIRE_DOCKER=1" in steps["prepare"]["summary"]
