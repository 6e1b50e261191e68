"""The MLflow store of a home: never left half-made, repaired when found broken, never racing (issue 20, items 2, 7, 12)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shared.events import Artifact
from tests.conftest import REPO_ROOT, run_cli
from workbench.runner.step_runner import StepRequest, StepRun

TRIALS = 20


def _py(code: str, home: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    full.update({"WORKBENCH_HOME": str(home), "MLFLOW_DISABLE_TELEMETRY": "true", **env})
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=full, cwd=REPO_ROOT)


TRACKED_RUN = """
import json
from shared import events
from infrastructure.storage.mlflow_tracking import ExperimentRun
warnings = []
events.log = lambda message, level="info": warnings.append(message) if level != "info" else None
with ExperimentRun("fault-lesson", "next", {"lesson": "fault-lesson"}) as run:
    run.log_metric("score", 1.0)
    run_id = run.run_id
print(json.dumps({"run_id": run_id, "warnings": warnings}))
"""


def tracked_run(home: Path) -> dict:
    done = _py(TRACKED_RUN, home)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_interrupting_the_first_tracked_run_at_20_moments_of_the_store_creation_never_breaks_tracking(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.tracking_zygote", str(tmp_path), str(TRIALS)],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=REPO_ROOT,
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    trials = report["trials"]
    assert len(trials) == TRIALS
    for n, trial in enumerate(trials):
        # never a half-made store: either none yet, or a complete one
        assert trial["store_after_kill"] in ("missing", "ok"), (n, trial)
        nxt = trial["next"]
        assert nxt.get("run_id") and nxt.get("found"), f"trial {n}: the next run was not tracked: {trial}"
        assert not nxt.get("warnings"), (n, nxt["warnings"])
    killed_inside = [t for t in trials if t["killed"] and t["temporary_left"]]
    assert len(killed_inside) >= TRIALS // 4, (
        f"only {len(killed_inside)} kills landed inside the store's creation; the window was "
        f"{report['calibration']['begin']:.2f}-{report['calibration']['end']:.2f} s"
    )


def _tracked_request(n: int) -> StepRequest:
    return StepRequest("fault-lesson", f"tracked-{n}", "tests.fixtures.fault_steps:tracked_tiny", {"value": float(n)}, [], 300)


def test_two_tracked_steps_started_together_on_a_fresh_home_are_both_tracked(home):
    async def both():
        runs = [StepRun(_tracked_request(n), home, lambda event: None) for n in (1, 2)]
        return await asyncio.gather(*(run.wait() for run in runs))

    outcomes = asyncio.run(both())
    for outcome in outcomes:
        assert outcome.status == "passed", outcome.summary + "\n".join(outcome.log_tail)
        assert "untracked" not in "\n".join(outcome.log_tail)
    listing = run_cli("runs", "--json", home=home)
    assert listing.returncode == 0, listing.stderr
    steps = sorted(r["name"] for r in listing.json()["runs"])
    assert steps == ["tracked-1", "tracked-2"]


def _half_migrated(db: Path) -> None:
    """What a kill inside MLflow's in-place migrations left behind: a temporary table and an old schema version."""
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE _alembic_tmp_tags (key VARCHAR(250), value VARCHAR(5000))")
        connection.execute("UPDATE alembic_version SET version_num = '451aebb31d03'")
    connection.close()


@pytest.mark.parametrize("damage", ["garbage", "folder", "half-migrated", "no-schema-version"])
def test_a_broken_store_is_moved_aside_with_one_message_and_tracking_goes_on(home, damage):
    db = home / "mlflow" / "mlflow.db"
    if damage == "garbage":
        db.parent.mkdir(parents=True)
        db.write_bytes(os.urandom(8192))
    elif damage == "folder":
        db.mkdir(parents=True)
    else:
        assert tracked_run(home)["run_id"]
        if damage == "half-migrated":
            _half_migrated(db)
        else:
            with sqlite3.connect(db) as connection:
                connection.execute("DROP TABLE alembic_version")
            connection.close()
    before = db.read_bytes() if db.is_file() else None
    result = tracked_run(home)
    assert result["run_id"], result
    [warning] = result["warnings"]
    [aside] = list(db.parent.glob("mlflow.db.broken-*"))
    assert f"kept it as {aside}" in warning and "started a fresh store" in warning
    if before is not None:
        assert aside.read_bytes() == before  # the learner's old runs are kept, not deleted
    again = tracked_run(home)
    assert again["run_id"] and again["warnings"] == []  # repaired once, then quiet


def test_runs_on_a_garbage_store_says_one_line_with_the_cause_and_goes_on(home):
    db = home / "mlflow" / "mlflow.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 500)
    result = run_cli("runs", home=home)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "file is not a database" in lines[0] and "started a fresh store" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_runs_on_a_users_garbage_store_fails_in_one_line_with_the_cause_and_the_fix(home, tmp_path):
    garbage = tmp_path / "team.db"
    garbage.write_bytes(b"\x00garbage" * 1000)
    result = run_cli("runs", home=home, env={"MLFLOW_TRACKING_URI": f"sqlite:///{garbage}"})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "file is not a database" in lines[0] and "fix:" in lines[0] and "MLFLOW_TRACKING_URI" in lines[0]
    assert garbage.read_bytes() == b"\x00garbage" * 1000  # a user's own store is never moved


async def _start_then_kill(request: StepRequest, home: Path, kind: str) -> str:
    seen: dict[str, str] = {}

    def sink(event) -> None:
        if isinstance(event, Artifact) and event.kind == kind:
            seen[kind] = event.path

    run = StepRun(request, home, sink)
    task = asyncio.create_task(run.wait())
    deadline = time.monotonic() + 240
    while kind not in seen:
        assert time.monotonic() < deadline and not task.done(), "the fixture step did not get going"
        await asyncio.sleep(0.05)
    os.kill(run.pid, signal.SIGKILL)  # the step child dies without any clean-up
    outcome = await task
    assert outcome.status == "crashed", outcome
    return seen[kind]


def test_a_killed_steps_mlflow_run_is_marked_killed_at_the_next_start(home):
    request = StepRequest("fault-lesson", "hang", "tests.fixtures.fault_steps:tracked_then_hang", {}, [], 300)
    run_id = asyncio.run(_start_then_kill(request, home, "mlflow_run"))
    assert run_id != "untracked"
    listing = run_cli("runs", "--json", home=home)
    assert listing.returncode == 0, listing.stderr
    [row] = [r for r in listing.json()["runs"] if r["run_id"] == run_id]
    assert row["status"] == "KILLED"


def test_runs_on_a_file_store_uri_keeps_mlflows_whole_reason_and_its_way_out_in_one_line(home, tmp_path):
    """The cause was cut at 300 characters: MLflow's own way out (MLFLOW_ALLOW_FILE_STORE=true) was lost at 'See htt'."""
    result = run_cli("runs", home=home, env={"MLFLOW_TRACKING_URI": f"file://{tmp_path / 'mlruns'}"})
    assert result.returncode == 1
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert "MLFLOW_ALLOW_FILE_STORE=true" in line and "fix: check MLFLOW_TRACKING_URI" in line
