"""`mlops-workbench lessons new`: an instructor scaffolds a lesson that loads, checks and runs at once."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli


def test_a_scaffolded_lesson_passes_lessons_check_and_runs_headless(tmp_path: Path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    home = tmp_path / "home"
    made = run_cli("lessons", "new", "feature-store", "--layer", "domain", "--lessons-dir", str(lessons), home=home)
    assert made.returncode == 0, made.stderr
    folder = lessons / "005-feature-store"
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "README.zh-TW.md",
        "lesson.toml",
        "lesson.zh-TW.toml",
        "steps.py",
    ]

    checked = run_cli("lessons", "check", "--lessons-dir", str(lessons), home=home)
    assert "1/1 lessons load; 0 problems" in checked.stdout, checked.stdout
    assert str(folder) not in checked.stdout  # no problem and no missing translation names the new lesson

    ran = run_cli("--lesson", "feature-store", "--lessons-dir", str(lessons), "--json", home=home)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    [lesson] = ran.json()["lessons"]
    assert lesson["steps"][0]["status"] == "passed"


def test_lessons_new_refuses_a_bad_id_an_unknown_layer_and_a_taken_id(tmp_path: Path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    home = tmp_path / "home"
    bad_id = run_cli("lessons", "new", "Feature_Store", "--layer", "domain", "--lessons-dir", str(lessons), home=home)
    assert bad_id.returncode == 2 and "expected lowercase words joined by '-'" in bad_id.stderr
    bad_layer = run_cli("lessons", "new", "feature-store", "--layer", "platform", "--lessons-dir", str(lessons), home=home)
    assert bad_layer.returncode == 2 and "layer 'platform': expected one of" in bad_layer.stderr
    assert (
        run_cli("lessons", "new", "feature-store", "--layer", "domain", "--lessons-dir", str(lessons), home=home).returncode == 0
    )
    again = run_cli("lessons", "new", "feature-store", "--layer", "shared", "--lessons-dir", str(lessons), home=home)
    assert again.returncode == 2 and "already used by" in again.stderr
    assert list(lessons.iterdir()) == [lessons / "005-feature-store"]


def test_version_prints_the_package_version(tmp_path: Path):
    from importlib.metadata import version

    done = run_cli("--version", home=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"mlops-workbench {version('mlops-workbench')}"
