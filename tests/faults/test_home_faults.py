"""The workbench home under faults: concurrent runs, garbage files, read-only and full disks, a runner killed
or interrupted mid-run (issue 20, items 3, 4, 5; issue 15, defects 2 and 3). Every run here is a real headless
``mlops-workbench`` process, as a learner or CI starts it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, run_cli
from tests.faults.conftest import wait_until
from workbench.progress_store import ProgressStore

FIXTURE_LESSONS = {
    "900-fill-disk": (
        "fill-disk",
        "fill",
        "steps.py:fill",
        """
        from tests.fixtures.fault_steps import fill_the_disk


        def fill() -> dict:
            return fill_the_disk()
        """,
        '{ output = "written", min = 1 }',
    ),
    "901-wait-a-while": (
        "wait-a-while",
        "wait",
        "steps.py:wait",
        """
        import time


        def wait(seconds: float = 120.0) -> dict:
            print("waiting", flush=True)
            time.sleep(seconds)
            return {"waited": seconds}
        """,
        '{ output = "waited", min = 0 }',
    ),
    "902-wait-too": (
        "wait-too",
        "wait",
        "steps.py:wait",
        """
        import time


        def wait(seconds: float = 120.0) -> dict:
            time.sleep(seconds)
            return {"waited": seconds}
        """,
        '{ output = "waited", min = 0 }',
    ),
}


@pytest.fixture
def fixture_lessons(tmp_path: Path) -> Path:
    root = tmp_path / "fixture-lessons"
    for folder, (lesson_id, step_id, entry, code, check) in FIXTURE_LESSONS.items():
        path = root / folder
        path.mkdir(parents=True)
        (path / "README.md").write_text(f"# {lesson_id}\n\nA fault fixture.\n")
        (path / "steps.py").write_text(textwrap.dedent(code).lstrip())
        (path / "lesson.toml").write_text(
            textwrap.dedent(f"""\
            format_version = 1
            id = "{lesson_id}"
            title = "Fault fixture {lesson_id}"
            layer = "infrastructure"
            summary = "A fault fixture lesson."
            objectives = ["Survive a fault"]
            prerequisites = []

            [[steps]]
            id = "{step_id}"
            title = "{step_id}"
            entry = "{entry}"
            timeout_s = 300
            checks = [{check}]
            """)
        )
    return root


@pytest.fixture
def mount_tmpfs(tmp_path: Path):
    """Mount a small tmpfs (root only): a disk that fills, or one that is read-only."""
    mounted: list[Path] = []

    def _mount(size: str, read_only: bool = False) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a small or read-only file system needs root")
        target = tmp_path / f"mnt{len(mounted)}"
        target.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
        mounted.append(target)
        return target

    yield _mount
    for target in mounted:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# -- item 5: a read-only or full home ------------------------------------------------------------------------


def test_a_read_only_home_is_said_in_one_line_before_anything_runs(mount_tmpfs, fixture_lessons):
    home = mount_tmpfs("4m", read_only=True)
    result = run_cli("--lesson", "wait-a-while", "--lessons-dir", str(fixture_lessons), "--plain", home=home, timeout=120)
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    assert f"the workbench home {home} is not writable (Read-only file system)" in out
    assert "waiting" not in out and "-- wait-a-while/wait" not in out  # nothing ran


def test_a_full_home_is_said_in_one_line_with_the_bytes_free_before_anything_runs(mount_tmpfs, fixture_lessons):
    home = mount_tmpfs("8m")
    filler = os.open(home / "filler.bin", os.O_WRONLY | os.O_CREAT)
    os.write(filler, b"\0" * (7 * 1024 * 1024))
    os.close(filler)
    result = run_cli("--lesson", "wait-a-while", "--lessons-dir", str(fixture_lessons), "--plain", home=home, timeout=120)
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    [line] = [line for line in _lines(out) if "is full" in line and line.lstrip("! ").startswith("the workbench home")]
    assert f"the workbench home {home} is full (" in line and " bytes free)" in line
    assert "waiting" not in out


def test_a_step_that_fills_the_disk_keeps_its_result_and_says_why_progress_was_not_saved(mount_tmpfs, fixture_lessons):
    home = mount_tmpfs("32m")
    result = run_cli("--lesson", "fill-disk", "--lessons-dir", str(fixture_lessons), "--plain", "--json", home=home, timeout=180)
    assert "Traceback" not in result.stdout + result.stderr
    document = json.loads(result.stdout)  # the result of the step is not lost
    [step] = document["lessons"][0]["steps"]
    assert step["status"] == "passed" and step["summary"].startswith("written = ")
    [line] = [line for line in _lines(result.stderr) if "progress not saved" in line]
    assert f"the workbench home {home} is full (" in line


# -- item 3: concurrent runs on one home ---------------------------------------------------------------------


@pytest.mark.slow
def test_three_lessons_run_at_once_on_one_home_are_all_recorded(home):
    env = {**os.environ, "WORKBENCH_HOME": str(home)}
    env.pop("BENTOML_HOME", None)
    lessons = ["data-quality", "kubernetes-manifests", "sklearn-iris"]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "workbench", "--lesson", lesson, "--plain"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for lesson in lessons
    ]
    outputs = [process.communicate(timeout=900)[0] for process in processes]
    for lesson, process, output in zip(lessons, processes, outputs, strict=True):
        assert process.returncode == 0, f"{lesson}:\n{output[-3000:]}"
    raw = json.loads((home / "progress.json").read_text())
    for lesson in lessons:
        assert raw["lessons"][lesson]["status"] == "passed", raw["lessons"].get(lesson)
        assert "running" not in raw["lessons"][lesson]
    runs = run_cli("runs", "--json", home=home)
    assert [r["lesson"] for r in runs.json()["runs"]] == ["sklearn-iris"]  # tracked too, in the same store


# -- item 4: garbage in the home -----------------------------------------------------------------------------


def run_wait_step_at_once(home: Path, fixture_lessons: Path):
    """The fixture lesson's wait step with seconds=0, headless, on this home."""
    return run_cli(
        "--lesson",
        "wait-a-while",
        "--step",
        "wait",
        "--param",
        "seconds=0",
        "--lessons-dir",
        str(fixture_lessons),
        "--plain",
        home=home,
        timeout=120,
    )


@pytest.mark.parametrize(
    "content",
    [
        {"format_version": 1, "lessons": {"wait-a-while": "passed"}},
        {"format_version": 1, "lessons": {"wait-a-while": {"status": "passed", "steps": []}}},
        {"format_version": 1, "lessons": []},
    ],
)
def test_progress_with_entries_of_the_wrong_type_warns_once_and_records_the_run(home, fixture_lessons, content):
    (home / "progress.json").write_text(json.dumps(content))
    result = run_wait_step_at_once(home, fixture_lessons)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    warnings = [line for line in _lines(out) if "progress.json could not be read" in line]
    assert len(warnings) == 1 and "kept it as" in warnings[0]
    assert ProgressStore.open(home).lesson_status("wait-a-while") == "passed"


def test_a_folder_in_place_of_progress_json_and_a_file_in_place_of_artifacts_are_moved_aside(home, fixture_lessons):
    (home / "progress.json").mkdir()
    (home / "artifacts").write_text("not a folder")
    result = run_wait_step_at_once(home, fixture_lessons)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Traceback" not in out
    assert len([line for line in _lines(out) if "progress.json could not be read" in line]) == 1
    assert len([line for line in _lines(out) if "artifacts should be a folder" in line]) == 1
    assert ProgressStore.open(home).lesson_status("wait-a-while") == "passed"


# -- issue 15: a run left "running" for ever; a cancel erases a pass -----------------------------------------


def _start(home: Path, lessons_dir: Path, *lessons: str) -> subprocess.Popen:
    env = {**os.environ, "WORKBENCH_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", "--lesson", ",".join(lessons), "--lessons-dir", str(lessons_dir), "--plain"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _pass_first(home: Path, lessons_dir: Path, lesson: str) -> None:
    result = run_cli(
        "--lesson",
        lesson,
        "--step",
        "wait",
        "--param",
        "seconds=0",
        "--lessons-dir",
        str(lessons_dir),
        "--plain",
        home=home,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ProgressStore.open(home).lesson_status(lesson) == "passed"


def _running(home: Path, lesson: str) -> bool:
    return ProgressStore.open(home).lesson_status(lesson) == "running"


def test_kill_9_of_the_runner_shows_interrupted_on_the_next_start_and_keeps_an_earlier_pass(home, fixture_lessons):
    _pass_first(home, fixture_lessons, "wait-a-while")
    process = _start(home, fixture_lessons, "wait-a-while")
    assert wait_until(lambda: _running(home, "wait-a-while"), 60), "the lesson never started"
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    other = _start(home, fixture_lessons, "wait-too")
    assert wait_until(lambda: _running(home, "wait-too"), 60), "the lesson never started"
    os.kill(other.pid, signal.SIGKILL)
    other.communicate(timeout=30)
    again = ProgressStore.open(home)
    assert again.lesson_status("wait-a-while") == "passed"  # the pass is intact
    assert again.lesson_status("wait-too") == "interrupted"  # never "running" for ever
    raw = json.loads((home / "progress.json").read_text())
    assert raw["lessons"]["wait-too"]["running"]["pid"] == other.pid  # what tells a dead owner from a live one


def test_a_cancel_ctrl_c_of_a_rerun_keeps_the_pass_and_is_recorded_as_cancelled(home, fixture_lessons):
    _pass_first(home, fixture_lessons, "wait-a-while")
    process = _start(home, fixture_lessons, "wait-a-while")
    assert wait_until(lambda: _running(home, "wait-a-while"), 60), "the lesson never started"
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    output = process.communicate(timeout=60)[0]
    assert "CANCELLED" in output or "cancelled" in output, output
    store = ProgressStore.open(home)
    assert store.lesson_status("wait-a-while") == "passed"
    assert [a["status"] for a in store.attempts("wait-a-while")] == ["passed", "cancelled"]
    assert store.step_record("wait-a-while", "wait")["status"] == "passed"
