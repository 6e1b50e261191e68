"""The command line's output as a user pipes it (grep, a file, a CI log): tables are never wrapped or cut,
whatever COLUMNS says; --help says that the bare command opens the app and shows each command's whole
description. Runs ``mlops-workbench`` in a separate process with stdout a pipe (``runs`` in-process: MLflow
itself would take seconds).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

WIDTHS = [None, "40"]  # COLUMNS unset (rich then assumes 80) and a narrow terminal's COLUMNS


def piped(*args: str, home: Path, columns: str | None) -> subprocess.CompletedProcess[str]:
    """``mlops-workbench ARGS`` with stdout and stderr pipes, COLUMNS as given (unset: None)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["WORKBENCH_HOME"] = str(home)
    if columns is not None:
        env["COLUMNS"] = columns
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args], capture_output=True, text=True, timeout=120, env=env, cwd=REPO_ROOT
    )


def one_line_with(output: str, *parts: str) -> bool:
    return any(all(part in line for part in parts) for line in output.splitlines())


@pytest.mark.parametrize("columns", WIDTHS)
def test_piped_lessons_list_keeps_every_id_title_and_path_whole(home, columns):
    listing = json.loads(piped("lessons", "--json", home=home, columns=columns).stdout)
    done = piped("lessons", home=home, columns=columns)
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout, "a cell cut with an ellipsis"
    assert one_line_with(done.stdout, "Lessons in", listing["lessons_dir"])
    for lesson in listing["lessons"]:
        assert one_line_with(done.stdout, lesson["id"], lesson["title"]), f"{lesson['id']} is wrapped or cut"
        for needed in lesson["prerequisites"]:
            assert one_line_with(done.stdout, lesson["id"], needed)


@pytest.mark.parametrize("columns", WIDTHS)
def test_piped_gpu_report_keeps_every_verdict_line_whole(home, columns):
    report = json.loads(piped("gpu", "--no-frameworks", "--json", home=home, columns=columns).stdout)
    done = piped("gpu", "--no-frameworks", home=home, columns=columns)
    assert done.returncode in (0, 1), done.stderr
    assert report["verdicts"], "the report has no verdict to look for"
    for verdict in report["verdicts"]:
        assert one_line_with(done.stdout, "why:", verdict["why"]), f"wrapped: {verdict['why']!r}"
        if verdict.get("fix"):
            assert one_line_with(done.stdout, "do:", verdict["fix"]), f"wrapped: {verdict['fix']!r}"


@pytest.mark.parametrize("columns", WIDTHS)
def test_piped_runs_table_keeps_the_store_lessons_params_and_metrics_whole(home, monkeypatch, columns):
    from typer.testing import CliRunner

    from workbench.cli import app

    uri = "sqlite:///" + "/very/long/path/to/the/tracking/store" * 3 + "/mlflow.db"
    params = {f"parameter_number_{i}": i * 1000 for i in range(4)}  # the table shows up to 4 (--json: all)
    listing = {
        "tracking_uri": uri,
        "warnings": [],
        "runs": [
            {
                "run_id": "0123456789abcdef",
                "lesson": "experiment-tracking",
                "step": "grid",
                "name": "grid-search-combination-01",
                "status": "FINISHED",
                "start_ms": 1_700_000_000_000,
                "duration_s": 12.5,
                "params": params,
                "metrics": {"test_accuracy": 0.9666666, "validation_f1_macro": 0.95},
                "tags": {},
                "parent_run_id": None,
            }
        ],
    }
    monkeypatch.setattr("workbench.runner.child_query.query_child", lambda module, args=None, **_: listing)
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    result = CliRunner().invoke(app, ["runs"])  # CliRunner's stdout is not a terminal: what a pipe gets
    assert result.exit_code == 0, result.output
    assert one_line_with(result.output, uri)
    assert one_line_with(
        result.output, "experiment-tracking", "grid-search-combination-01", "parameter_number_3=3000", "validation_f1"
    )
    assert "…" not in result.output and "validation_f1_macro=0.95" in result.output


def commands(group_path: list[str]) -> dict[str, str]:
    """Each sub-command of ``mlops-workbench GROUP...`` and the one line --help shows for it (whole)."""
    import typer

    from workbench.cli import app

    group = typer.main.get_command(app)
    for name in group_path:
        group = group.commands[name]  # type: ignore[attr-defined]  # a click Group: every step is a group
    return {name: command.get_short_help_str(limit=10_000) for name, command in group.commands.items()}  # type: ignore[attr-defined]  # same


@pytest.mark.parametrize("group", [[], ["lessons"], ["classroom"]])
@pytest.mark.parametrize("columns", WIDTHS)
def test_help_lists_every_command_with_its_whole_description(home, group, columns):
    done = piped(*group, "--help", home=home, columns=columns)
    assert done.returncode == 0, done.stderr
    flat = re.sub(r"\s+", " ", done.stdout)
    if not group:
        assert "Run mlops-workbench with no arguments to open the app" in flat
    listed = commands(group)
    assert listed, "no sub-commands found"
    assert "..." not in done.stdout.split("Commands:")[1], "a description cut by Click"
    for name, short in listed.items():
        assert short.endswith(".") and "..." not in short, f"{name}: {short!r} is not a whole sentence"
        assert f" {name} {short}" in flat, f"{name}: {short!r} not shown whole"
        if columns is None:  # at 80 columns each description fits on its command's line
            assert one_line_with(done.stdout, f"  {name} ", short), f"{name}: {short!r} wraps at 80 columns"


def test_lessons_shows_titles_folders_and_errors_that_look_like_markup_as_they_are(home, tmp_path):
    """A title `[bold]x[/] [/]`, a folder `ML [old]` and a broken lesson quoting `[/]`: printed whole, no crash."""
    import shutil

    from tests.conftest import FIXTURE_CURRICULUM

    lessons = tmp_path / "ML [old]"
    shutil.copytree(FIXTURE_CURRICULUM, lessons)
    toml = lessons / "020-clean-data" / "lesson.toml"
    toml.write_text(toml.read_text().replace('title = "Clean a small data set"', 'title = "[bold]x[/] [/]"', 1))
    broken = lessons / "040-ship-it" / "lesson.toml"
    broken.write_text(broken.read_text().replace('layer = "', 'layer = "[/]', 1))
    result = piped("lessons", "--lessons-dir", str(lessons), home=home, columns=None)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert one_line_with(result.stdout, "clean-data", "[bold]x[/] [/]")
    assert str(lessons) in result.stdout
    assert one_line_with(result.stdout, "ship-it", "broken", "[/]")
