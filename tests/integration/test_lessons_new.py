"""`mlops-workbench lessons new`: an instructor scaffolds a lesson that loads, checks and runs at once."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

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


def test_a_title_with_quotes_backslashes_and_other_scripts_makes_a_lesson_that_passes_lessons_check(tmp_path: Path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    home = tmp_path / "home"
    title = 'He said "hi" \\ to the C:\\data {count} 特徵 store'
    made = run_cli("lessons", "new", "quoted", "--layer", "domain", "--title", title, "--lessons-dir", str(lessons), home=home)
    assert made.returncode == 0, made.stderr
    checked = run_cli("lessons", "check", "--lessons-dir", str(lessons), home=home)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1/1 lessons load; 0 problems" in checked.stdout, checked.stdout

    from workbench.curriculum.lesson_loader import load_curriculum

    lesson = load_curriculum(lessons).get("quoted")
    assert lesson is not None and lesson.spec.title == title  # the title as typed, not as escaped


@pytest.mark.parametrize("title", ["two\nlines", "a\rreturn", "a\x1bbell"])
def test_a_title_that_is_not_one_line_is_bad_usage_in_one_line(tmp_path: Path, title: str):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    made = run_cli(
        "lessons", "new", "zz-top", "--layer", "domain", "--title", title, "--lessons-dir", str(lessons), home=tmp_path
    )
    assert made.returncode == 2, made.stdout + made.stderr
    [line] = made.stderr.strip().splitlines()
    assert "title" in line and "one line" in line, line
    assert list(lessons.iterdir()) == []


@pytest.mark.parametrize("reserved", ["all", "domain", "application", "infrastructure", "shared"])
def test_lessons_new_refuses_the_words_dash_dash_lesson_reads_as_a_selection(tmp_path: Path, reserved: str):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    made = run_cli("lessons", "new", reserved, "--layer", "domain", "--lessons-dir", str(lessons), home=tmp_path)
    assert made.returncode == 2, made.stdout + made.stderr
    [line] = made.stderr.strip().splitlines()
    assert f"lesson id '{reserved}' is reserved" in line and f"--lesson {reserved}" in line, line
    assert list(lessons.iterdir()) == []


def test_lessons_check_reports_a_lesson_whose_id_is_reserved_naming_the_file_and_field(tmp_path: Path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    home = tmp_path / "home"
    assert (
        run_cli("lessons", "new", "feature-store", "--layer", "domain", "--lessons-dir", str(lessons), home=home).returncode == 0
    )
    folder = (lessons / "005-feature-store").rename(lessons / "005-all")  # as if written by hand
    toml = folder / "lesson.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('id = "feature-store"', 'id = "all"'), encoding="utf-8")
    checked = run_cli("lessons", "check", "--lessons-dir", str(lessons), home=home)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert f"{toml}: id: 'all' is reserved" in checked.stdout + checked.stderr, checked.stdout + checked.stderr


@pytest.fixture
def unwritable_folder(tmp_path: Path):
    """A lessons folder nobody can write in: chmod 555, or for root (whom modes do not stop) a read-only tmpfs."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(
            f"as root only a read-only mount makes a folder unwritable, and none can be mounted here ({done.stderr.strip()})"
        )
    yield folder
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_an_unwritable_lessons_folder_is_one_line_naming_it_exit_1_and_nothing_left(tmp_path: Path, unwritable_folder: Path):
    made = run_cli(
        "lessons", "new", "zz-top", "--layer", "domain", "--lessons-dir", str(unwritable_folder), home=tmp_path / "home"
    )
    assert made.returncode == 1, made.stdout + made.stderr
    [line] = made.stderr.strip().splitlines()
    assert str(unwritable_folder) in line and ("Permission denied" in line or "Read-only file system" in line), line
    assert "Traceback" not in made.stderr
    assert list(unwritable_folder.iterdir()) == []
