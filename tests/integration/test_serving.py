"""A real BentoML server on localhost: the lesson end to end, and cancel leaves nothing behind."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from shared.events import Log
from tests.conftest import processes_of_home
from workbench.curriculum.lesson_loader import load_curriculum
from workbench.runner.lesson_runner import step_request
from workbench.runner.step_runner import StepRun

pytestmark = pytest.mark.slow
SERVICE_MARK = "application.inference.iris_service"


def service_processes(home: Path) -> list[int]:
    """The iris service processes started for this test's home (not another workbench's on this machine)."""
    return processes_of_home(home, SERVICE_MARK)


def test_serving_and_monitoring_serve_refuse_bad_payloads_load_test_catch_drift_and_clean_up(validated_home, cli):
    """On a home holding the session's validated model (that prerequisites run first: test_headless_cli)."""
    home = validated_home
    result = cli("--lesson", "bentoml-serving,monitoring", "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    lessons = {l["id"]: l for l in result.json()["lessons"]}
    assert list(lessons) == ["bentoml-serving", "monitoring"]  # the satisfied prerequisites did not run again
    serve, load, build = lessons["bentoml-serving"]["steps"]
    assert serve["passed"] and load["passed"] and build["passed"], (serve["summary"], load["summary"], build["summary"])
    assert load["metrics"]["failures"] == 0 and load["metrics"]["requests"] >= 100
    assert (
        load["metrics"]["rps"] > 0
        and 0 < load["metrics"]["latency_p50_ms"] <= load["metrics"]["latency_p95_ms"] <= load["metrics"]["latency_p99_ms"]
    )
    assert "bad_requests_refused_400 = 7" in serve["summary"]
    assert "-> 400" in result.stderr
    assert not [line for line in result.stderr.splitlines() if " -> 5" in line]
    # Monitoring: the service's own counter saw every request; drift flagged on the shifted window only.
    watch, drift = lessons["monitoring"]["steps"]
    assert watch["passed"] and drift["passed"], (watch["summary"], drift["summary"])
    assert "counter_matches = True" in watch["summary"]
    assert 0 < watch["metrics"]["latency_p50_ms"] <= watch["metrics"]["latency_p95_ms"]
    assert drift["metrics"]["normal_max_psi"] < 0.1 < 0.2 < drift["metrics"]["shifted_max_psi"]
    assert "drift flagged on petal_length_cm in the shifted window" in drift["summary"]
    assert "petal_length_cm    PSI" in result.stderr
    assert service_processes(home) == []


def test_cancel_while_serving_ends_the_server_within_3_seconds(validated_home):
    home = validated_home
    curriculum = load_curriculum()
    lesson = curriculum.get("bentoml-serving")
    request = step_request(lesson, lesson.spec.steps[0], {"hold_s": 120.0})

    async def scenario() -> tuple[float, list[int]]:
        holding = asyncio.Event()
        run = StepRun(
            request, home, lambda e: holding.set() if isinstance(e, Log) and "holding the server" in e.message else None
        )
        task = asyncio.create_task(run.wait())
        await asyncio.wait_for(holding.wait(), 120)
        running = service_processes(home)
        started = time.monotonic()
        run.cancel()
        outcome = await task
        assert outcome.status == "cancelled"
        deadline = time.monotonic() + 3
        while service_processes(home) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return time.monotonic() - started, running

    elapsed, running = asyncio.run(scenario())
    assert running, "the server should have been running before the cancel"
    assert service_processes(home) == []
    assert elapsed < 6.0
