"""The command line in an unfriendly environment — a home that cannot be made or written, output that cannot show
every character — says what is wrong in one line (exit 1) or gets on with the work; never a traceback.
``mlops-workbench`` runs in a separate process, as a user or a CI job runs it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXTURE_CURRICULUM, run_cli
from tests.faults.test_home_faults import mount_tmpfs  # noqa: F401  (a fixture)

FIXTURE = ("--lessons-dir", str(FIXTURE_CURRICULUM))


def _one_error_line(result) -> str:  # noqa: ANN001 - a CliResult
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    return line


def test_a_home_that_cannot_be_created_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    home = tmp_path / "a-file" / "home"
    for args in (("--lesson", "check-the-machine", *FIXTURE, "--plain"), ("exercise", *FIXTURE), ("runs",)):
        result = run_cli(*args, home=home)
        assert result.returncode == 1, (args, result.stdout[-1000:], result.stderr[-1000:])
        line = _one_error_line(result)
        assert f"the workbench home {home} cannot be created (Not a directory)" in line and "--home" in line


def test_a_read_only_home_is_one_line_for_runs_and_exercises(request) -> None:
    home = request.getfixturevalue("mount_tmpfs")("4m", read_only=True)
    runs = run_cli("runs", home=home)
    assert runs.returncode == 1
    assert f"{home}/mlflow: Read-only file system" in _one_error_line(runs)
    exercise = run_cli("exercise", "drop-rule", "--check", *FIXTURE, home=home)
    assert exercise.returncode == 1
    assert f"{home}/workspace: Read-only file system" in _one_error_line(exercise)


def test_output_that_cannot_show_every_character_gets_question_marks_not_a_crash(home: Path) -> None:
    """'≥' in a check's summary ended a passed run with UnicodeEncodeError (exit 1, the lesson recorded cancelled)."""
    for env in ({"PYTHONIOENCODING": "latin-1"}, {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}):
        result = run_cli("--lesson", "check-the-machine", *FIXTURE, "--plain", home=home, env=env)
        assert result.returncode == 0, (env, result.stdout[-1000:], result.stderr[-2000:])
        assert "1/1 lessons passed" in result.stdout and "Traceback" not in result.stderr
        chinese = run_cli("lessons", "--lang", "zh-TW", *FIXTURE, home=home, env=env)
        assert chinese.returncode == 0 and "check-the-machine" in chinese.stdout, chinese.stderr[-2000:]
