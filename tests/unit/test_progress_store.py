import json

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
