import json
import multiprocessing
import os
import subprocess
import sys

import pytest

from workbench.progress_store import ProgressStore


def test_progress_survives_a_restart(tmp_path):
    store = ProgressStore.open(tmp_path)
    store.record_step("sklearn-iris", "train", "passed", 1.23456, "test_accuracy = 0.93 (≥ 0.9)")
    store.record_lesson("sklearn-iris", "passed")
    again = ProgressStore.open(tmp_path)
    assert again.warning is None
    assert again.lesson_status("sklearn-iris") == "passed"
    assert again.step_record("sklearn-iris", "train")["duration_s"] == 1.235
    assert again.lesson_status("data-quality") == "not started"


def test_a_corrupt_progress_file_is_kept_aside_and_reported_not_silently_reset(tmp_path):
    (tmp_path / "progress.json").write_text("{ half a file", encoding="utf-8")
    store = ProgressStore.open(tmp_path)
    assert store.warning and "could not be read" in store.warning
    [aside] = list(tmp_path.glob("progress.json.corrupt-*"))
    assert aside.read_text() == "{ half a file"
    assert str(aside) in store.warning
    store.record_lesson("data-quality", "passed")
    assert json.loads((tmp_path / "progress.json").read_text())["lessons"]["data-quality"]["status"] == "passed"


# -- wrong inner types, a folder in the file's place (issue 20, item 4) ---------------------------------------


@pytest.mark.parametrize(
    "lessons, broken",
    [
        ({"x": "passed", "data-quality": {"status": "passed", "steps": {}}}, "lessons.x"),
        ({"x": {"status": "passed", "steps": []}, "data-quality": {"status": "passed", "steps": {}}}, "lessons.x.steps"),
        ({"x": {"status": 7}, "data-quality": {"status": "passed", "steps": {}}}, "lessons.x.status"),
        (
            {"x": {"status": "passed", "steps": {"train": "passed"}}, "data-quality": {"status": "passed", "steps": {}}},
            "lessons.x.steps.train",
        ),
    ],
)
def test_entries_of_the_wrong_type_are_set_aside_with_one_warning_and_the_good_ones_kept(tmp_path, lessons, broken):
    original = json.dumps({"format_version": 1, "lessons": lessons})
    (tmp_path / "progress.json").write_text(original, encoding="utf-8")
    store = ProgressStore.open(tmp_path)
    assert store.warning is not None and broken in store.warning
    [aside] = list(tmp_path.glob("progress.json.corrupt-*"))
    assert aside.read_text() == original  # the learner's file is never destroyed
    assert store.lesson_status("data-quality") == "passed"  # the good entry survives
    assert store.lesson_status("x") in ("not started", "passed")
    # every later operation works: no traceback, nothing stuck
    store.record_lesson("x", "running")
    store.record_step("x", "train", "passed", 1.0, "ok")
    store.record_lesson("x", "passed")
    assert ProgressStore.open(tmp_path).warning is None
    assert ProgressStore.open(tmp_path).lesson_status("x") == "passed"


@pytest.mark.parametrize("content", ["[]", '"passed"', '{"lessons": []}', "\x00\xff garbage"])
def test_a_progress_file_that_is_not_an_object_of_objects_is_set_aside(tmp_path, content):
    (tmp_path / "progress.json").write_bytes(content.encode("latin-1"))
    store = ProgressStore.open(tmp_path)
    assert store.warning and "kept it as" in store.warning
    assert store.lesson_status("anything") == "not started"
    assert store.record_lesson("anything", "passed")


def test_a_folder_where_progress_json_should_be_is_moved_aside_and_progress_is_saved(tmp_path):
    (tmp_path / "progress.json").mkdir()
    (tmp_path / "progress.json" / "inside.txt").write_text("keep me")
    store = ProgressStore.open(tmp_path)
    assert store.warning and "folder" in store.warning
    [aside] = list(tmp_path.glob("progress.json.corrupt-*"))
    assert (aside / "inside.txt").read_text() == "keep me"
    store.record_lesson("data-quality", "running")
    store.record_step("data-quality", "validate", "passed", 0.5, "ok")
    store.record_lesson("data-quality", "passed")
    assert ProgressStore.open(tmp_path).lesson_status("data-quality") == "passed"


# -- concurrent runs on one home (issue 20, item 3) -----------------------------------------------------------


def _record_many(home: str, lesson_id: str, count: int) -> None:
    store = ProgressStore.open(home)  # opened before the others wrote: the old store then overwrote them
    store.record_lesson(lesson_id, "running")
    for n in range(count):
        store.record_step(lesson_id, f"step-{n}", "passed", 0.1, "ok")
    store.record_lesson(lesson_id, "passed")


def test_three_processes_recording_at_once_lose_nothing(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_many, args=(str(tmp_path), f"lesson-{n}", 25)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    store = ProgressStore.open(tmp_path)
    for n in range(3):
        assert store.lesson_status(f"lesson-{n}") == "passed"
        assert all(store.step_record(f"lesson-{n}", f"step-{k}")["status"] == "passed" for k in range(25))


def test_a_store_sees_what_another_process_recorded(tmp_path):
    mine = ProgressStore.open(tmp_path)
    mine.record_lesson("a", "passed")
    other = ProgressStore.open(tmp_path)
    other.record_lesson("b", "passed")
    assert mine.lesson_status("b") == "passed"
    mine.record_lesson("c", "failed")
    again = ProgressStore.open(tmp_path)
    assert [again.lesson_status(x) for x in "abc"] == ["passed", "passed", "failed"]


# -- cancelled is not failed; a dead owner means interrupted (issue 15, defects 2 and 3) ----------------------


def test_a_cancel_or_an_interruption_never_takes_a_pass_away_only_a_failed_run_does(tmp_path):
    store = ProgressStore.open(tmp_path)
    store.record_lesson("sklearn-iris", "running")
    store.record_step("sklearn-iris", "train", "passed", 1.0, "ok")
    store.record_lesson("sklearn-iris", "passed")
    store.record_lesson("sklearn-iris", "running")
    assert store.lesson_status("sklearn-iris") == "running"
    store.record_step("sklearn-iris", "train", "cancelled", 0.3, "cancelled")
    store.record_lesson("sklearn-iris", "cancelled")
    assert store.lesson_status("sklearn-iris") == "passed"
    assert store.step_record("sklearn-iris", "train")["status"] == "passed"
    store.record_lesson("sklearn-iris", "running")
    store.record_lesson("sklearn-iris", "failed")
    assert ProgressStore.open(tmp_path).lesson_status("sklearn-iris") == "failed"
    history = [a["status"] for a in ProgressStore.open(tmp_path).attempts("sklearn-iris")]
    assert history == ["passed", "cancelled", "failed"]


def test_a_cancelled_lesson_that_never_passed_shows_cancelled_not_failed(tmp_path):
    store = ProgressStore.open(tmp_path)
    store.record_lesson("keras-digits", "running")
    store.record_lesson("keras-digits", "cancelled")
    assert ProgressStore.open(tmp_path).lesson_status("keras-digits") == "cancelled"


_OWNER_THEN_DIE = """
import os, sys
from workbench.progress_store import ProgressStore
store = ProgressStore.open(sys.argv[1])
store.record_lesson("keras-digits", "running")
store.record_lesson("sklearn-iris", "running")
print("recorded", flush=True)
os._exit(0)  # like kill -9: no finally, no cancel recorded
"""


def test_a_running_lesson_whose_process_died_is_shown_interrupted_and_keeps_its_pass(tmp_path):
    store = ProgressStore.open(tmp_path)
    store.record_lesson("sklearn-iris", "passed")
    done = subprocess.run(
        [sys.executable, "-c", _OWNER_THEN_DIE, str(tmp_path)], capture_output=True, text=True, cwd=os.getcwd(), timeout=60
    )
    assert "recorded" in done.stdout, done.stderr
    raw = json.loads((tmp_path / "progress.json").read_text())
    assert "running" in raw["lessons"]["keras-digits"]  # what the dead process left behind
    again = ProgressStore.open(tmp_path)
    assert again.lesson_status("keras-digits") == "interrupted"
    assert again.lesson_status("sklearn-iris") == "passed"
    again.record_lesson("keras-digits", "running")  # the next run closes the dead one as an attempt
    again.record_lesson("keras-digits", "passed")
    assert [a["status"] for a in again.attempts("keras-digits")] == ["interrupted", "passed"]


@pytest.mark.parametrize("pid", [99999999999999999999, -(2**70), 2**63])
def test_a_hand_edited_owner_pid_the_kernel_cannot_hold_reads_as_interrupted_and_the_next_run_goes_on(tmp_path, pid):
    """Every run of the lesson once ended in OverflowError (a traceback, exit 1) and the file was never repaired."""
    raw = {"format_version": 1, "lessons": {"sklearn-iris": {"status": "passed", "steps": {}, "running": {"pid": pid}}}}
    (tmp_path / "progress.json").write_text(json.dumps(raw))
    store = ProgressStore.open(tmp_path)
    assert store.lesson_status("sklearn-iris") == "passed"  # the dead run does not take the pass away
    assert store.record_lesson("sklearn-iris", "running") and store.record_lesson("sklearn-iris", "failed")
    assert [a["status"] for a in store.attempts("sklearn-iris")] == ["interrupted", "failed"]


def test_running_written_by_an_older_workbench_reads_as_interrupted(tmp_path):
    (tmp_path / "progress.json").write_text(
        json.dumps({"format_version": 1, "lessons": {"keras-digits": {"status": "running", "steps": {}}}})
    )
    store = ProgressStore.open(tmp_path)
    assert store.warning is None
    assert store.lesson_status("keras-digits") == "interrupted"


# -- a home that cannot be written (issue 20, item 5) ---------------------------------------------------------


def test_a_change_that_cannot_be_saved_is_reported_once_kept_in_memory_and_saved_later(tmp_path):
    store = ProgressStore.open(tmp_path)
    store.record_lesson("a", "passed")
    seen: list[str] = []
    store.on_problem = seen.append
    blocker = tmp_path / ".progress.json.lock"
    blocker.unlink(missing_ok=True)
    blocker.mkdir()  # the lock file cannot be opened: every write fails like on a read-only home
    assert store.record_step("a", "train", "passed", 2.0, "accuracy 0.97") is False
    assert store.record_lesson("b", "failed") is False
    assert len(seen) == 1 and "progress not saved" in seen[0] and str(tmp_path) in seen[0]
    assert store.step_record("a", "train")["summary"] == "accuracy 0.97"  # the result is not lost
    blocker.rmdir()
    assert store.record_lesson("c", "passed") is True  # the pending changes go in with the next one
    again = ProgressStore.open(tmp_path)
    assert again.step_record("a", "train")["summary"] == "accuracy 0.97"
    assert [again.lesson_status(x) for x in "abc"] == ["passed", "failed", "passed"]
