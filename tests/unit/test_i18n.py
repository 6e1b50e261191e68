"""Language choice, catalogue fallback, and lesson texts in zh-TW with English where a translation is missing."""

from __future__ import annotations

import shutil

import pytest

from workbench import i18n
from workbench.curriculum.lesson_loader import load_curriculum
from workbench.i18n_coverage import missing


@pytest.mark.parametrize(
    "value, expected",
    [
        ("zh_TW.UTF-8", "zh-TW"),
        ("zh-TW", "zh-TW"),
        ("zh_Hant", "zh-TW"),
        ("en_US.UTF-8", "en"),
        ("C", "en"),
        ("en", "en"),
    ],
)
def test_locale_names_map_to_the_languages_we_speak(value, expected):
    assert i18n.normalise(value) == expected


def test_an_unknown_language_names_the_ones_we_speak():
    with pytest.raises(i18n.UnknownLanguage, match="unknown language 'fr'; expected one of: en, zh-TW"):
        i18n.normalise("fr")


def test_the_environment_decides_in_posix_order():
    assert i18n.from_environment({"LANG": "zh_TW.UTF-8"}) == "zh-TW"
    assert i18n.from_environment({"LC_ALL": "en_US.UTF-8", "LANG": "zh_TW.UTF-8"}) == "en"  # LC_ALL beats LANG
    assert i18n.from_environment({"WORKBENCH_LANG": "zh-TW", "LC_ALL": "C"}) == "zh-TW"
    assert i18n.from_environment({"LANG": "de_DE.UTF-8"}) == "en"  # a language we do not speak: English
    assert i18n.from_environment({}) == "en"


def test_strings_are_translated_with_their_fields_and_fall_back_to_english():
    i18n.set_language("zh-TW")
    assert i18n.t("{passed}/{total} lessons passed", passed=3, total=4) == "3/4 堂課通過"
    assert i18n.t("a sentence nobody translated {n}", n=1) == "a sentence nobody translated 1"
    i18n.set_language("en")
    assert i18n.t("{passed}/{total} lessons passed", passed=3, total=4) == "3/4 lessons passed"


def test_every_ui_string_has_a_zh_tw_translation():
    assert missing("zh-TW") == []


def test_lessons_show_zh_tw_titles_and_readme_and_english_where_missing(lessons_copy):
    folder = lessons_copy / "020-sklearn-iris"
    i18n.set_language("zh-TW")
    lesson = load_curriculum(lessons_copy).get("sklearn-iris")
    assert lesson.title != lesson.spec.title and any("\u4e00" <= ch <= "\u9fff" for ch in lesson.title)
    assert lesson.readme_path.name == "README.zh-TW.md"
    # Remove the translations: English comes back, and the loss is reported, not fatal.
    (folder / "README.zh-TW.md").unlink()
    (folder / "lesson.zh-TW.toml").unlink()
    lesson = load_curriculum(lessons_copy).get("sklearn-iris")
    assert lesson.title == lesson.spec.title and lesson.readme_path.name == "README.md"
    assert [p.split(": ", 1)[1] for p in lesson.text_problems["zh-TW"]] == [
        "missing (the zh-TW README; English is shown instead)",
        "missing (the lesson's titles in zh-TW; English is shown instead)",
    ]


def test_a_translation_that_does_not_fit_the_lesson_is_reported_field_by_field(lessons_copy):
    path = lessons_copy / "020-sklearn-iris" / "lesson.zh-TW.toml"
    path.write_text('title = "鳶尾花"\nsummary = "摘要"\nobjectives = ["一"]\n[steps.trian]\ntitle = "訓練"\n', encoding="utf-8")
    i18n.set_language("zh-TW")
    lesson = load_curriculum(lessons_copy).get("sklearn-iris")
    problems = [p.split(": ", 1)[1] for p in lesson.text_problems["zh-TW"]]
    assert f"objectives: 1 items, lesson.toml has {len(lesson.spec.objectives)}" in problems
    assert "steps.trian: no step 'trian' in lesson.toml (steps: train)" in problems
    assert "steps.train.title: missing" in problems
    assert lesson.title == "鳶尾花"  # what is there is still used
    assert lesson.step_title(lesson.spec.steps[0]) == lesson.spec.steps[0].title


def test_lessons_check_fails_for_a_lesson_without_its_zh_tw_readme(cli, lessons_copy):
    shutil.copytree(lessons_copy / "015-data-quality", lessons_copy / "016-data-quality-copy")
    toml = lessons_copy / "016-data-quality-copy" / "lesson.toml"
    toml.write_text(toml.read_text().replace('id = "data-quality"', 'id = "data-quality-copy"'))
    (lessons_copy / "016-data-quality-copy" / "README.zh-TW.md").unlink()
    result = cli("lessons", "check", "--skip-exercises", "--lessons-dir", str(lessons_copy))
    assert result.returncode == 1
    assert "missing translation: " + str(lessons_copy / "016-data-quality-copy" / "README.zh-TW.md") in result.stdout
    assert "1 missing translations" in result.stdout
