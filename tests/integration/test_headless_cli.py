"""`mlops-workbench --lesson ...` run as a user runs it: real training, real model store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import FIXTURE_CURRICULUM

pytestmark = pytest.mark.slow


def store_labels(home: Path) -> dict[str, str]:
    """stage label of every iris model, read from the BentoML store in a separate process."""
    code = (
        "import bentoml, json; print(json.dumps({str(m.tag): m.info.labels.get('stage') "
        "for m in bentoml.models.list('iris_classifier')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"BENTOML_HOME": str(home / "bentoml"), "BENTOML_DO_NOT_TRACK": "True", "PATH": "/usr/bin:/bin"},
    )
    import json

    return json.loads(out.stdout)


def test_sklearn_iris_trains_for_real_and_reports_test_accuracy_as_json(cli, home):
    result = cli("--lesson", "sklearn-iris", "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    document = result.json()
    assert document["passed"] is True
    [lesson] = document["lessons"]
    [step] = lesson["steps"]
    assert (lesson["id"], step["id"], step["passed"]) == ("sklearn-iris", "train", True)
    assert step["metrics"]["test_accuracy"] >= 0.9
    assert step["duration_s"] > 0
    # The model is in the real BentoML store under the workbench home, with its artifacts beside.
    assert list(store_labels(home).values()) == ["trained"]
    artifacts = home / "artifacts" / "sklearn-iris" / "train"
    assert (artifacts / "classification_report.txt").read_text().count("virginica") == 1
    assert (artifacts / "confusion_matrix.json").exists()
    # The human-readable stream goes to stderr in --json mode, with the equivalent command.
    assert "cd lessons/020-sklearn-iris && python -c 'from steps import train" in result.stderr


def test_model_validation_on_a_fresh_home_trains_first_and_says_so(cli, home):
    result = cli("--lesson", "data-quality,model-validation", "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    document = result.json()
    assert [l["id"] for l in document["lessons"]] == ["data-quality", "sklearn-iris", "model-validation"]
    assert document["lessons"][1]["reason"] == "prerequisite of model-validation"
    assert "running prerequisite 'sklearn-iris' first for 'model-validation'" in result.stderr
    validate = document["lessons"][2]["steps"][0]
    assert validate["metrics"]["latency_p95_ms"] > 0
    assert list(store_labels(home).values()) == ["validated"]
    assert (home / "artifacts" / "model-validation" / "validate" / "validation_report.json").exists()
    # A second run finds the validated model and does not train again.
    again = cli("--lesson", "model-validation", "--plain")
    assert again.returncode == 0
    assert "prerequisite 'sklearn-iris' of 'model-validation' is satisfied" in again.stdout
    assert "== sklearn-iris" not in again.stdout


def test_a_model_that_fails_a_gate_is_not_labelled_validated(home, lessons_copy, cli):
    toml = lessons_copy / "030-model-validation" / "lesson.toml"
    toml.write_text(toml.read_text().replace("max_p95_latency_ms = 100.0", "max_p95_latency_ms = 0.0001"))
    result = cli("--lesson", "model-validation", "--lessons-dir", str(lessons_copy), "--plain")
    assert result.returncode == 1
    assert "FAIL model-validation/validate" in result.stdout
    assert "not validated: latency" in result.stdout
    assert list(store_labels(home).values()) == ["rejected"]


def test_an_unknown_lesson_is_bad_usage_and_names_close_matches(cli):
    result = cli("--lesson", "no-such-lesson")
    assert result.returncode == 2
    assert "unknown lesson 'no-such-lesson'" in result.stderr
    assert "Closest matches:" not in result.stderr  # nothing like it: no unrelated guesses, the known ids follow
    assert "Known lessons: gpu-health, data-quality" in result.stderr
    typo = cli("--lesson", "sklearn-irs")
    assert typo.returncode == 2 and "Closest matches: sklearn-iris" in typo.stderr
    for name, meant in (("ALL", "all"), ("Domain", "domain"), ("gpu", "gpu-health")):
        wrong_case = cli("--lesson", name)
        assert wrong_case.returncode == 2 and f"Closest matches: {meant}" in wrong_case.stderr, wrong_case.stderr
    runs = cli("runs", "--lesson", "sklearn-irs")  # once: an empty table and exit 0, as if there were no runs yet
    assert runs.returncode == 2 and "closest: sklearn-iris" in runs.stderr, runs.stderr
    assert cli("runs", "--lesson", "sklearn-iris").returncode == 0  # a lesson without runs yet is not a mistake


def test_a_broken_lesson_does_not_stop_the_others(cli, lessons_copy):
    toml = lessons_copy / "020-sklearn-iris" / "lesson.toml"
    toml.write_text(toml.read_text().replace('layer = "application"', 'layer = "presentation"'))
    listing = cli("lessons", "--json", "--lessons-dir", str(lessons_copy))
    assert listing.returncode == 0
    rows = {row["id"]: row for row in listing.json()["lessons"]}
    assert rows["data-quality"]["broken"] is False
    assert rows["sklearn-iris"]["broken"] is True
    assert f"{toml}: layer: Input should be" in rows["sklearn-iris"]["errors"][0]
    run = cli("--lesson", "data-quality", "--lessons-dir", str(lessons_copy), "--plain")
    assert run.returncode == 0
    assert "broken lesson 'sklearn-iris'" in run.stdout
    check = cli("lessons", "check", "--skip-exercises", "--lessons-dir", str(lessons_copy))
    assert check.returncode == 1
    assert f"problem: {toml}: layer" in check.stdout


def test_junit_report_has_one_testcase_per_step(cli, home, tmp_path):
    report = tmp_path / "junit.xml"
    result = cli("--lesson", "data-quality", "--junit", str(report))
    assert result.returncode == 0, result.stdout[-3000:]
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite.get("name") == "data-quality" and suite.get("failures") == "0"
    assert [case.get("name") for case in suite.iter("testcase")] == ["profile", "split-drift", "catch-corruption"]


def test_bad_usage_exits_2(cli):
    assert cli("--json").returncode == 2
    assert cli("--lesson", "sklearn-iris", "--step", "nope").returncode == 2
    assert cli("--no-such-flag").returncode == 2


def test_lessons_check_passes_on_the_shipped_lessons_and_catches_a_bad_entry(cli, lessons_copy):
    # The exercises are proven once per `make test` by the lessons-check target; here the entry points and READMEs.
    ok = cli("lessons", "check", "--skip-exercises")
    assert ok.returncode == 0, ok.stdout
    assert "0 problems" in ok.stdout
    toml = lessons_copy / "020-sklearn-iris" / "lesson.toml"
    toml.write_text(toml.read_text().replace('"steps.py:train"', '"steps.py:trian"'))
    bad = cli("lessons", "check", "--skip-exercises", "--lessons-dir", str(lessons_copy))
    assert bad.returncode == 1
    assert f"entry point '{lessons_copy / '020-sklearn-iris' / 'steps.py'}:trian'" in bad.stdout
    assert "has no attribute 'trian'" in bad.stdout


def test_param_overrides_a_step_parameter_from_the_command_line(cli):
    result = cli("--lesson", "sklearn-iris", "--step", "train", "--param", "n_estimators=20", "--plain")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "train(n_estimators=20)" in result.stdout
    assert '"n_estimators": 20' in result.stdout
    assert cli("--lesson", "sklearn-iris", "--param", "n_estimators=20").returncode == 2
    assert cli("--lesson", "sklearn-iris", "--step", "train", "--param", "oops").returncode == 2


def test_lang_zh_tw_prints_step_names_and_the_result_in_traditional_chinese(cli):
    """The renderer's language, not a lesson's: the fixture curriculum's millisecond lesson (its own zh-TW texts)."""
    import tomllib

    texts = tomllib.loads((FIXTURE_CURRICULUM / "010-check-the-machine" / "lesson.zh-TW.toml").read_text())
    fixture = ("--lessons-dir", str(FIXTURE_CURRICULUM))
    result = cli("--lesson", "check-the-machine", "--lang", "zh-TW", "--plain", *fixture)
    assert result.returncode == 0, result.stdout[-2000:]
    assert f"== check-the-machine [shared] {texts['title']}" in result.stdout
    assert f"-- check-the-machine/report: {texts['steps']['report']['title']}" in result.stdout
    assert "通過 check-the-machine/report" in result.stdout
    assert "== check-the-machine 通過" in result.stdout and "1/1 堂課通過" in result.stdout
    english = cli("--lesson", "check-the-machine", "--lang", "en", "--plain", *fixture, env={"LANG": "zh_TW.UTF-8"})
    assert "== check-the-machine passed" in english.stdout  # the flag beats the locale
    bad = cli("--lesson", "sklearn-iris", "--lang", "klingon")
    assert bad.returncode == 2 and "unknown language 'klingon'; expected one of: en, zh-TW" in bad.stderr


def test_running_one_step_passes_the_lesson_only_once_every_step_has_passed(cli, home):
    """`--step` runs one step: the map's ✔ and the class's grades must not count a lesson whose other steps never ran."""
    import json

    fixture = ("--plain", "--lessons-dir", str(FIXTURE_CURRICULUM))

    def lesson_state() -> str:
        return json.loads((home / "progress.json").read_text())["lessons"]["clean-data"]["status"]

    first = cli("--lesson", "clean-data", "--step", "count", *fixture)
    assert first.returncode == 0, first.stdout[-2000:]
    assert lesson_state() == "not started"  # one step of two: no verdict for the lesson yet
    second = cli("--lesson", "clean-data", "--step", "clean", *fixture)
    assert second.returncode == 0, second.stdout[-2000:]
    assert lesson_state() == "passed"  # now both steps have passed
    attempts = json.loads((home / "progress.json").read_text())["lessons"]["clean-data"]["attempts"]
    assert [a["status"] for a in attempts] == ["passed", "passed"]  # each run is kept in the history


@pytest.mark.parametrize(
    ("lesson", "step", "param", "message"),
    [
        (
            "data-quality",
            "split-drift",
            "test_size=2",
            "parameter test_size: expected a share between 0 and 1 (exclusive), got 2",
        ),
        ("sklearn-iris", "train", "n_estimators=0", "parameter: n_estimators: expected a value from 1 to 5000, got 0"),
        ("sklearn-iris", "train", "config=/nonexistent.toml", "/nonexistent.toml: config file not found"),
    ],
)
def test_a_parameter_value_out_of_range_fails_in_one_line_without_a_traceback(cli, lesson, step, param, message):
    result = cli("--lesson", lesson, "--step", step, "--param", param, "--plain")
    assert result.returncode == 1, result.stdout[-2000:]
    assert f"FAIL {lesson}/{step}" in result.stdout and message in result.stdout, result.stdout[-2000:]
    assert "Traceback" not in result.stdout + result.stderr, result.stdout[-3000:]


def test_options_before_a_sub_commands_name_are_used_or_refused_never_silently_ignored(cli, home, tmp_path):
    """`--home H runs` once listed the default home's runs, `--json lessons` printed a table into `| jq`."""
    import json

    elsewhere = tmp_path / "elsewhere"
    listing = cli("--home", str(elsewhere), "runs", "--json")
    assert listing.returncode == 0, listing.stderr
    assert json.loads(listing.stdout)["tracking_uri"] == f"sqlite:///{elsewhere}/mlflow/mlflow.db"
    exercises = cli("--lessons-dir", str(FIXTURE_CURRICULUM), "exercise")
    assert exercises.returncode == 0 and "drop-rule" in exercises.stdout, exercises.stdout + exercises.stderr
    for misplaced in (["--json", "lessons"], ["--lesson", "nosuch", "runs"], ["--junit", str(tmp_path / "x.xml"), "exercise"]):
        result = cli(*misplaced)
        assert result.returncode == 2, (misplaced, result.stdout[-500:])
        [line] = result.stderr.strip().splitlines()
        assert f"{misplaced[0]}: an option of the bare command" in line and f"'{misplaced[-1]}'" in line
        assert result.stdout == ""
    assert not (tmp_path / "x.xml").exists()
