"""A lesson's [requirements] do what they say: docker and gpu are checked before the first step."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from workbench.curriculum.lesson_scaffold import new_lesson


def _lesson_with(tmp_path: Path, requirements: str) -> Path:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    folder = new_lesson(lessons, "needs-things", "infrastructure")
    toml = folder / "lesson.toml"
    toml.write_text(toml.read_text().replace("[requirements]\n", f"[requirements]\n{requirements}\n"))
    return lessons


def test_a_lesson_that_needs_docker_says_so_before_running_when_no_engine_answers(tmp_path: Path):
    lessons = _lesson_with(tmp_path, "docker = true")
    done = run_cli(
        "--lesson",
        "needs-things",
        "--lessons-dir",
        str(lessons),
        home=tmp_path / "home",
        env={"DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    notice = "needs a Docker Engine and none answers at unix://"
    assert notice in done.stdout
    assert done.stdout.index(notice) < done.stdout.index("first-step")


def test_a_lesson_that_requires_a_gpu_is_skipped_with_the_reason_where_none_is_visible(tmp_path: Path):
    lessons = _lesson_with(tmp_path, 'gpu = "required"')
    done = run_cli(
        "--lesson",
        "needs-things",
        "--lessons-dir",
        str(lessons),
        "--json",
        home=tmp_path / "home",
        env={"CUDA_VISIBLE_DEVICES": ""},
    )
    assert done.returncode == 1  # the lesson did not run: like a missing extra, CI must not read it as a pass
    [lesson] = done.json()["lessons"]
    assert lesson["skipped"] is True and lesson["passed"] is False
    assert "needs an NVIDIA GPU and none is visible here" in lesson["reason"]
    assert lesson["steps"] == []


def test_an_extra_not_declared_in_pyproject_is_a_lesson_format_error(tmp_path: Path):
    lessons = _lesson_with(tmp_path, 'extras = ["sklearn", "quantum"]')
    (lessons / "005-needs-things" / "lesson.toml").write_text(
        (lessons / "005-needs-things" / "lesson.toml").read_text().replace("extras = []", "")
    )
    listed = run_cli("lessons", "--json", "--lessons-dir", str(lessons), home=tmp_path / "home").json()
    [row] = listed["lessons"]
    assert row["broken"] is True
    assert "requirements.extras: unknown extra 'quantum'; pyproject.toml declares sklearn, torch" in row["errors"][0]
