"""The BentoML model store of a home: damaged entries are named and skipped; a crashed step's model is never trusted (issue 20, items 6 and 7)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from shared.events import Artifact
from tests.conftest import REPO_ROOT
from workbench.runner.step_runner import StepRequest, StepRun


def _py(code: str, home: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "WORKBENCH_HOME": str(home), "BENTOML_HOME": str(home / "bentoml"), "BENTOML_DO_NOT_TRACK": "True"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO_ROOT)


def _json(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


SAVE = """
import json, time
from infrastructure.storage.bentoml_model_store import save_joblib_model
tags = []
for stage in {stages!r}:
    tags.append(save_joblib_model({name!r}, {{"w": 1}}, metadata={{}}, labels={{"stage": stage}}).tag)
    time.sleep(0.01)
print(json.dumps(tags))
"""


def save(home: Path, name: str, *stages: str) -> list[str]:
    done = _py(SAVE.format(name=name, stages=list(stages)), home)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def damage(home: Path, name: str) -> dict[str, Path]:
    """Three damaged versions, all newer than anything saved before."""
    folder = home / "bentoml" / "models" / name
    bad = {
        "garbage": folder / "zzzgarbage",
        "not-a-mapping": folder / "zzzlist",
        "empty": folder / "zzzempty",
    }
    for path in bad.values():
        path.mkdir(parents=True)
    (bad["garbage"] / "model.yaml").write_bytes(b"\xff\xfe\x00 not yaml at all")
    (bad["not-a-mapping"] / "model.yaml").write_text("- a\n- b\n")
    return bad


def test_damaged_entries_are_named_by_path_and_the_good_ones_still_used(home):
    good = save(home, "fault_model", "trained", "validated")
    bad = damage(home, "fault_model")
    code = """
import json
from infrastructure.storage.bentoml_model_store import find_model, list_models, save_joblib_model
listed = [m.tag for m in list_models("fault_model")]
latest = find_model("fault_model:latest").tag
new = save_joblib_model("fault_model", {"w": 2}, metadata={}, labels={"stage": "trained"}).tag  # training still works
print(json.dumps({"listed": listed, "latest": latest, "new": new, "after": [m.tag for m in list_models("fault_model")]}))
"""
    done = _py(code, home)
    found = _json(done)
    assert found["listed"] == [good[1], good[0]]
    assert found["latest"] == good[1]
    assert found["after"] == [found["new"], good[1], good[0]]
    for kind, path in bad.items():
        assert done.stderr.count(str(path)) == 1, f"{kind} entry {path} not reported once:\n{done.stderr}"
    assert "Traceback" not in done.stderr


def test_a_damaged_newer_iris_entry_does_not_hide_the_validated_model_from_serving(home):
    [validated] = save(home, "iris_classifier", "validated")
    damage(home, "iris_classifier")
    done = _py(
        "import json\nfrom application.registry.iris_registry import probe_validated\nprint(json.dumps(probe_validated()))", home
    )
    assert _json(done) == {"present": True, "model_tag": validated}


async def _saved_then_killed(home: Path) -> str:
    seen: dict[str, str] = {}

    def sink(event) -> None:
        if isinstance(event, Artifact) and event.kind == "model":
            seen["tag"] = event.path

    request = StepRequest("fault-lesson", "save", "tests.fixtures.fault_steps:save_model_then_hang", {}, [], 300)
    run = StepRun(request, home, sink)
    task = asyncio.create_task(run.wait())
    deadline = time.monotonic() + 240
    while "tag" not in seen:
        assert time.monotonic() < deadline and not task.done(), "the fixture step did not save its model"
        await asyncio.sleep(0.05)
    os.kill(run.pid, signal.SIGKILL)
    outcome = await task
    assert outcome.status == "crashed"
    return seen["tag"]


def test_a_model_saved_by_a_step_that_was_then_killed_is_labelled_incomplete_and_no_probe_trusts_it(home):
    async def scenario():
        good = await StepRun(
            StepRequest("fault-lesson", "save", "tests.fixtures.fault_steps:save_model", {}, [], 300), home, lambda event: None
        ).wait()
        assert good.status == "passed", good.summary
        return await _saved_then_killed(home)

    crashed = asyncio.run(scenario())
    done = _py(
        "import json\nfrom application.registry.model_probes import probe_named\nprint(json.dumps(probe_named('fault_model')))",
        home,
    )
    probe = _json(done)
    assert probe["present"] is True and probe["model_tag"] != crashed  # the earlier, complete model
    assert f"{crashed} was saved by a step that did not finish" in done.stderr
    yaml_text = (home / "bentoml" / "models" / "fault_model" / crashed.split(":")[1] / "model.yaml").read_text()
    assert "stage: incomplete" in yaml_text and "workbench.pending" not in yaml_text


def test_a_model_from_a_step_that_finished_carries_no_pending_mark(home):
    outcome = asyncio.run(
        StepRun(
            StepRequest("fault-lesson", "save", "tests.fixtures.fault_steps:save_model", {}, [], 300), home, lambda event: None
        ).wait()
    )
    assert outcome.status == "passed", outcome.summary
    [version] = [p for p in (home / "bentoml" / "models" / "fault_model").iterdir() if p.is_dir()]
    text = (version / "model.yaml").read_text()
    assert "workbench.pending" not in text and "stage: trained" in text
