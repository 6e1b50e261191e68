from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CURRICULUM
from workbench.tui.app import WorkbenchApp


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    """Let the app run until ``condition`` holds (the screen updates between checks)."""
    deadline = time.monotonic() + timeout
    await pilot.pause()  # let what the test just did reach the screen
    while True:  # the condition is checked at least once after each wait, however long the wait took
        if condition():
            return
        if time.monotonic() >= deadline:
            break
        await pilot.pause(0.05)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


async def lessons_loaded(pilot) -> None:
    """The app loads lessons after its first frame; wait until the map shows them."""
    from workbench.tui.screens.home_screen import HomeScreen

    app = pilot.app
    await wait_for(pilot, lambda: any(isinstance(s, HomeScreen) and s.loaded for s in app.screen_stack), 10, "lessons to load")


async def open_lesson(pilot, lesson_id: str, settle_s: float = 0.0):  # noqa: ANN201 - the LessonScreen
    """The lesson ``lesson_id`` open in front, as from the map (after the lessons have loaded)."""
    from workbench.tui.screens.lesson_screen import LessonScreen

    app = pilot.app
    await lessons_loaded(pilot)
    app.open_lesson(lesson_id)
    await wait_for(
        pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.lesson.id == lesson_id, 5, f"the lesson {lesson_id}"
    )
    if settle_s:
        await pilot.pause(settle_s)
    return app.screen


def process_group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


@pytest.fixture
def make_app(home: Path):
    def _make(lessons_dir: Path | None = None) -> WorkbenchApp:
        return WorkbenchApp(home=home, lessons_dir=lessons_dir, show_startup_time=False)

    return _make


# ---- a lightweight fixture lesson: steps that run in milliseconds or on demand for a minute -------------------------
STORM_LESSON_ID = "storm-steps"
STORM_TOML = """format_version = 1
id = "storm-steps"
title = "Fixture steps for the key storm"
layer = "shared"
summary = "A quick step, a slow step that reports progress, and one that reports none."
objectives = ["Exercise every screen state cheaply"]
prerequisites = []

[[steps]]
id = "quick"
title = "Quick step"
entry = "steps.py:quick"
timeout_s = 60
checks = [{ output = "value", min = 1 }]

[[steps]]
id = "slow"
title = "Slow step with progress"
entry = "steps.py:slow"
params = { seconds = 60.0 }
timeout_s = 120
checks = [{ output = "value", min = 1 }]

[[steps]]
id = "silent"
title = "Step without progress"
entry = "steps.py:silent"
timeout_s = 60
checks = [{ output = "value", min = 1 }]

[[steps]]
id = "failing"
title = "Step whose check fails"
entry = "steps.py:quick"
timeout_s = 60
checks = [{ output = "value", min = 2 }]

[[steps]]
id = "noisy"
title = "Step that logs to stderr"
entry = "steps.py:noisy"
timeout_s = 60
checks = [{ output = "value", min = 1 }]

[[steps]]
id = "files"
title = "Step that writes reports"
entry = "steps.py:files"
timeout_s = 60
checks = [{ output = "value", min = 1 }]

[[exercises]]
id = "storm-answer"
title = "Return the answer"
task = "Make answer() return 42."
file = "exercises/answer.py"
solution = "exercises/solutions/answer.py"
check = "exercises/checks.py:check"
checks = [{ output = "ok", equals = true }]
hints = ["The answer is a number.", "return 42"]
timeout_s = 30
"""
STORM_STEPS = '''"""Fixture steps: each behaves like a real step (output, metrics, progress, a result)."""
import time

from shared import events


def quick() -> dict:
    print("quick step output")
    events.metric("loss", 0.5, step=0)
    events.progress(1, 1)
    return {"value": 1.0}


def slow(seconds: float = 60.0) -> dict:
    ticks = max(int(seconds * 10), 1)
    for tick in range(ticks):
        events.progress(tick, ticks)
        if tick % 10 == 0:
            events.metric("loss", 1.0 / (tick + 1), step=tick)
        time.sleep(0.1)
    return {"value": 1.0}


def silent() -> dict:
    time.sleep(0.2)
    return {"value": 1.0}


def files() -> dict:
    """Reports as the real lessons write them: a confusion matrix, Markdown, text; an image; a model in a store."""
    import json
    import tempfile
    from pathlib import Path

    out = Path(tempfile.mkdtemp(prefix="storm-files-"))
    (out / "confusion_matrix.json").write_text(json.dumps({"labels": ["setosa", "versicolor", "virginica"],
                                                           "matrix": [[10, 0, 0], [0, 9, 1], [0, 2, 8]]}))
    (out / "card.md").write_text("# Model card\\n\\nTrained on **iris**.\\n")
    (out / "report.txt").write_text("precision recall\\n" * 3)
    events.artifact("report", str(out / "confusion_matrix.json"),
                    "which class was predicted for each true class: a long description that a narrow table would cut")
    events.artifact("report", str(out / "card.md"), "model card")
    events.artifact("report", str(out / "report.txt"), "precision/recall per class")
    events.artifact("image", str(out / "curve.png"), "loss curve")
    events.artifact("model", "iris_classifier:abc123", "BentoML model store")
    return {"value": 1.0}


def noisy() -> dict:
    """What TensorFlow, absl and MLflow write to stderr while all is well, then a real traceback."""
    import sys
    import traceback

    print("I0000 00:00:1700000000.000000 123 cpu_feature_guard.cc:210] This TensorFlow binary is optimized", file=sys.stderr)
    print("2024/01/01 12:00:00 INFO mlflow.tracking.fluent: Experiment with name 'x' does not exist. Creating it.",
          file=sys.stderr)
    print("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR", file=sys.stderr)
    try:
        raise ValueError("a real problem")
    except ValueError:
        traceback.print_exc()
    print("back to normal output", file=sys.stderr)
    return {"value": 1.0}
'''
STORM_CHECK = """import importlib.util


def check(path: str) -> dict:
    spec = importlib.util.spec_from_file_location("answer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {"ok": module.answer() == 42}
"""


def write_storm_lesson(lessons_dir: Path, folder: str = "099-storm-steps") -> Path:
    """Add the fixture lesson to a lessons folder (a copy: never the shipped one)."""
    lesson = lessons_dir / folder
    (lesson / "exercises" / "solutions").mkdir(parents=True)
    (lesson / "lesson.toml").write_text(STORM_TOML, encoding="utf-8")
    (lesson / "README.md").write_text(
        "# Storm steps\n\nA fixture lesson. " + "Some words to wrap. " * 40 + "\n", encoding="utf-8"
    )
    (lesson / "steps.py").write_text(STORM_STEPS, encoding="utf-8")
    (lesson / "exercises" / "checks.py").write_text(STORM_CHECK, encoding="utf-8")
    (lesson / "exercises" / "answer.py").write_text("def answer():\n    return 0\n", encoding="utf-8")
    (lesson / "exercises" / "solutions" / "answer.py").write_text("def answer():\n    return 42\n", encoding="utf-8")
    return lesson


@pytest.fixture
def long_output_lessons(tmp_path: Path) -> Path:
    """The fixture lessons whose steps print at their worst (tests/tui/long_output_lesson.py)."""
    from tests.tui.long_output_lesson import make_long_output_lessons

    return make_long_output_lessons(tmp_path)


@pytest.fixture
def storm_lessons(tmp_path: Path) -> Path:
    """The fixture curriculum (tests/fixtures/curriculum: four millisecond lessons, one per layer) plus the
    fixture lesson ``storm-steps`` — a copy: tests may run and edit it."""
    lessons = tmp_path / "storm-curriculum"
    shutil.copytree(FIXTURE_CURRICULUM, lessons)
    write_storm_lesson(lessons)
    return lessons


RUNS = {
    "tracking_uri": "sqlite:///storm.db",
    "warnings": [],
    "runs": [
        {
            "run_id": f"run{i}",
            "lesson": "sklearn-iris",
            "step": "train",
            "name": "train",
            "status": "FINISHED",
            "start_ms": 1_700_000_000_000 + i * 60_000,
            "duration_s": 1.5,
            "params": {"n_estimators": 10 * i},
            "metrics": {"test_accuracy": 0.9 + i / 100},
            "tags": {},
            "parent_run_id": None,
        }
        for i in (1, 2)
    ],
}


@pytest.fixture
def quick_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runs and GPU screens ask a child process (MLflow, torch) for their data: seconds of CPU per key that
    opens them. The storm is about keys, so they get the same shape of answer at once (the real queries have
    their own tests: test_runs_screen..., test_gpu_screen)."""
    from shared.utils.gpu_utils.gpu_report import build_report

    def query_child(module: str, args: list[str] | None = None, **_: object) -> object:
        if module == "application.registry.experiment_runs":
            if args and args[0] == "--history":
                return {run_id: {"test_accuracy": [[0, 0.8], [1, 0.9]]} for run_id in args[1:]}
            return RUNS
        if module == "shared.utils.gpu_utils.gpu_report":
            return build_report(frameworks=False)
        raise AssertionError(f"unexpected child query {module}")

    monkeypatch.setattr("workbench.runner.child_query.query_child", query_child)


@pytest.fixture
def quick_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot waits for the whole process to look idle twice per key: at least 40 ms, and up to a second while a
    step streams output. A storm sends ~130 keys per screen, so it waits instead until every widget on the screen
    has handled what it was sent (Pilot._wait_for_screen, which press and pause still do) — what a fast typist
    meets. A crash that surfaces a little later is still caught: the checks run after every key and at the end."""

    async def settled(min_sleep: float = 0.0, max_sleep: float = 1.0) -> None:
        await asyncio.sleep(0)

    monkeypatch.setattr("textual.app.wait_for_idle", settled)
    monkeypatch.setattr("textual.pilot.wait_for_idle", settled)


@pytest.fixture
def failed_workers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every worker that ended in an error, even those started with exit_on_error=False (the error is only logged)."""
    from textual.worker import Worker, WorkerState

    failures: list[str] = []
    original = Worker._run

    async def run(self: Worker, app) -> None:  # type: ignore[no-untyped-def]
        await original(self, app)
        if self.state == WorkerState.ERROR:
            failures.append(f"worker {self.name!r} failed: {self.error!r}")

    monkeypatch.setattr(Worker, "_run", run)
    return failures
