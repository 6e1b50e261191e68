"""`mlops-workbench exercise ID` with options that cannot go together, and resets that keep every learner's version.

Runs on the fixture curriculum (its `drop-rule` exercise), so nothing trains: seconds, not minutes.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CURRICULUM


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (("--check", "--watch"), "--check and --watch"),
        (("--reset", "--solution"), "--reset and --solution"),
        (("--hint", "1", "--check"), "--check and --hint"),
    ],
)
def test_contradictory_options_are_bad_usage_before_anything_happens(cli, home: Path, options, named):
    started = time.monotonic()
    done = cli("exercise", "drop-rule", *options, "--lessons-dir", str(FIXTURE_CURRICULUM), timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    [line] = done.stderr.strip().splitlines()
    assert named in line and "cannot be used together" in line, line
    assert done.stdout == ""
    assert time.monotonic() - started < 30  # it does not watch (or check) first
    assert not (home / "workspace").exists()  # no workspace copy made, no backup, nothing reset
    assert not (home / "progress.json").exists()


def test_two_resets_in_the_same_second_keep_both_of_the_learners_versions(home: Path, monkeypatch: pytest.MonkeyPatch):
    from workbench.curriculum.lesson_loader import load_curriculum
    from workbench.runner import exercise_runner
    from workbench.runner.exercise_runner import ensure_workspace, reset_workspace

    lesson, exercise = load_curriculum(FIXTURE_CURRICULUM).find_exercise("drop-rule")
    workspace = ensure_workspace(home, lesson, exercise)
    monkeypatch.setattr(exercise_runner.time, "strftime", lambda *_: "20250101-120000")  # both resets in one second
    kept = []
    for edit in ("# my first try\n", "# my second try\n"):
        workspace.write_text(edit, encoding="utf-8")
        path, backup = reset_workspace(home, lesson, exercise)
        assert path == workspace and backup is not None
        kept.append(backup)
    assert kept[0] != kept[1]
    assert [backup.read_text(encoding="utf-8") for backup in kept] == ["# my first try\n", "# my second try\n"]
    assert sorted(workspace.parent.glob(f"{workspace.name}.bak-*")) == sorted(kept)
    assert workspace.read_text(encoding="utf-8") == (lesson.folder / exercise.file).read_text(encoding="utf-8")


def test_reset_says_where_it_kept_the_learners_version(cli, home: Path):
    lessons = ("--lessons-dir", str(FIXTURE_CURRICULUM))
    assert cli("exercise", "drop-rule", *lessons).returncode == 0
    [workspace] = (home / "workspace").rglob("drop_rule.py")
    workspace.write_text("# mine\n", encoding="utf-8")
    reset = cli("exercise", "drop-rule", "--reset", *lessons)
    assert reset.returncode == 0, reset.stderr
    [backup] = workspace.parent.glob("drop_rule.py.bak-*")
    assert f"kept as {backup}" in reset.stdout
    assert backup.read_text(encoding="utf-8") == "# mine\n"


def test_an_action_without_an_exercise_id_is_bad_usage_not_a_listing(cli):
    """`exercise --check` listed the exercises and exited 0: a CI step that checked nothing and passed."""
    for option in (["--check"], ["--watch"], ["--hint", "1"]):
        result = cli("exercise", *option, timeout=60)
        assert result.returncode == 2, (option, result.stdout[-500:])
        [line] = result.stderr.strip().splitlines()
        assert f"{option[0]} needs an exercise id" in line and result.stdout == ""
