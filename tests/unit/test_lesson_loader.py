from pathlib import Path

import pytest

from workbench.curriculum.lesson_loader import SelectionError, load_curriculum

EXPECTED = ["gpu-health", "data-quality", "sklearn-iris", "experiment-tracking", "model-validation"]


def test_the_shipped_lessons_load_in_curriculum_order():
    curriculum = load_curriculum()
    assert curriculum.broken == []
    assert curriculum.ids[: len(EXPECTED)] == EXPECTED
    lesson = curriculum.get("sklearn-iris")
    assert lesson.layer == "application"
    assert lesson.spec.steps[0].entry == "steps.py:train"
    assert lesson.script_entry("steps.py:train") == f"{lesson.folder / 'steps.py'}:train"
    assert "application layer" in lesson.readme_text()


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_a_malformed_lesson_is_reported_with_file_and_field_and_the_others_still_load(lessons_copy):
    toml = lessons_copy / "020-sklearn-iris" / "lesson.toml"
    _write(toml, toml.read_text().replace("timeout_s = 300", 'timeout_s = "soon"'))
    curriculum = load_curriculum(lessons_copy)
    assert "sklearn-iris" not in curriculum.ids
    assert {"data-quality", "model-validation", "pytorch-digits"} <= set(curriculum.ids)
    [broken] = [b for b in curriculum.broken if b.id == "sklearn-iris"]
    message = broken.errors[0]
    assert str(toml) in message
    assert "steps[0] (id 'train').timeout_s" in message
    assert "'soon'" in message


def test_invalid_toml_names_the_file_and_the_line(lessons_copy):
    toml = lessons_copy / "015-data-quality" / "lesson.toml"
    _write(toml, "format_version = 1\nid = \n")
    curriculum = load_curriculum(lessons_copy)
    [broken] = curriculum.broken
    assert str(toml) in broken.errors[0] and "not valid TOML" in broken.errors[0] and "line 2" in broken.errors[0]
    assert "sklearn-iris" in curriculum.ids


def test_unknown_and_missing_fields_are_named(lessons_copy):
    toml = lessons_copy / "015-data-quality" / "lesson.toml"
    text = toml.read_text().replace('layer = "domain"', 'layr = "domain"')
    _write(toml, text)
    [broken] = load_curriculum(lessons_copy).broken
    joined = "\n".join(broken.errors)
    assert "layr: unknown field" in joined
    assert "layer: required field is missing" in joined


def test_a_bad_entry_point_and_an_empty_check_are_explained(lessons_copy):
    toml = lessons_copy / "020-sklearn-iris" / "lesson.toml"
    text = toml.read_text().replace('entry = "steps.py:train"', 'entry = "os.system:run"')
    text = text.replace('checks = [{ output = "test_accuracy", min = 0.9 }]', 'checks = [{ output = "test_accuracy" }]')
    _write(toml, text)
    [broken] = load_curriculum(lessons_copy).broken
    joined = "\n".join(broken.errors)
    assert "entry: expected '<file>.py:<function>' naming a script in the lesson folder, e.g. 'steps.py:train'" in joined
    assert "checks[0]: a check needs at least one of min, max or equals" in joined


@pytest.mark.parametrize("entry", ["../020-sklearn-iris/steps.py:train", "/etc/steps.py:train", "steps:train"])
def test_a_step_script_outside_the_lesson_folder_is_refused(lessons_copy, entry):
    toml = lessons_copy / "020-sklearn-iris" / "lesson.toml"
    _write(toml, toml.read_text().replace('entry = "steps.py:train"', f'entry = "{entry}"'))
    [broken] = load_curriculum(lessons_copy).broken
    assert "naming a script in the lesson folder" in "\n".join(broken.errors)


def test_a_missing_step_script_or_exercise_check_names_the_file(lessons_copy):
    (lessons_copy / "020-sklearn-iris" / "steps.py").unlink()
    (lessons_copy / "020-sklearn-iris" / "exercises" / "checks.py").unlink()
    [broken] = load_curriculum(lessons_copy).broken
    joined = "\n".join(broken.errors)
    assert "steps[0] (id 'train').entry: 'steps.py' does not exist in" in joined
    assert "exercises[0] (id 'small-forest').check: 'exercises/checks.py' does not exist in" in joined


def test_unknown_prerequisite_duplicate_id_and_missing_readme(lessons_copy):
    validation = lessons_copy / "030-model-validation" / "lesson.toml"
    _write(validation, validation.read_text().replace('prerequisites = ["sklearn-iris"]', 'prerequisites = ["sklearn-irs"]'))
    (lessons_copy / "015-data-quality" / "README.md").unlink()
    curriculum = load_curriculum(lessons_copy)
    errors = {b.id: "\n".join(b.errors) for b in curriculum.broken}
    assert "prerequisites: unknown lesson 'sklearn-irs'" in errors["model-validation"]
    assert "README.md: missing" in errors["data-quality"]
    assert "sklearn-iris" in curriculum.ids
    assert "model-validation" not in curriculum.ids and "data-quality" not in curriculum.ids


def test_folder_name_must_match_the_id(lessons_copy):
    (lessons_copy / "020-sklearn-iris").rename(lessons_copy / "020-iris")
    errors = "\n".join(e for b in load_curriculum(lessons_copy).broken for e in b.errors)
    assert "does not match the folder name '020-iris' (expected 'iris')" in errors


def test_selection_by_comma_list_layer_and_all():
    curriculum = load_curriculum()
    assert [l.id for l in curriculum.select("model-validation,data-quality")] == ["data-quality", "model-validation"]
    assert [l.id for l in curriculum.select("application")] == [
        "sklearn-iris",
        "experiment-tracking",
        "model-validation",
        "distributed-training",
        "bentoml-serving",
    ]
    assert [l.id for l in curriculum.select("all")][: len(EXPECTED)] == EXPECTED


def test_an_unknown_lesson_names_the_closest_ids():
    with pytest.raises(SelectionError) as info:
        load_curriculum().select("sklearn-irs")
    assert "unknown lesson 'sklearn-irs'" in str(info.value)
    assert "Closest matches: sklearn-iris" in str(info.value)


def test_a_prerequisite_cycle_breaks_every_lesson_on_it_and_names_the_cycle(tmp_path):
    import shutil

    from tests.conftest import FIXTURE_CURRICULUM

    lessons = tmp_path / "lessons"
    shutil.copytree(FIXTURE_CURRICULUM, lessons)
    clean = lessons / "020-clean-data" / "lesson.toml"
    _write(clean, clean.read_text().replace("prerequisites = []", 'prerequisites = ["ship-it"]'))
    curriculum = load_curriculum(lessons)
    errors = {b.id: "\n".join(b.errors) for b in curriculum.broken}
    assert set(errors) == {"clean-data", "train-a-model", "ship-it"}
    assert "prerequisites: cycle clean-data -> ship-it -> train-a-model -> clean-data" in errors["clean-data"]
    assert curriculum.ids == ["check-the-machine"]  # the lesson off the cycle still loads
