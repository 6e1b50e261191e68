"""Nothing a step prints or sends can crash or drive the UI or the headless output (issue 20, items 8-10).

Fixture steps (tests/fixtures/steps.py) print terminal control sequences and rich markup, send events
with fields of the wrong type, end on a malformed result, return a 100 KB output, and report NaN and
infinite metrics. They run through the real runner, the real ``mlops-workbench`` CLI (plain, and rich
on a pseudo-terminal) and the TUI under Pilot.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from textual.content import Content
from textual.widgets import DataTable, Label

from shared.events import Artifact, Log, Metric, Progress, Result, Status
from tests.conftest import REPO_ROOT
from tests.fixtures import steps as fixture_steps
from tests.tui.conftest import lessons_loaded, wait_for
from workbench.runner.step_runner import StepRequest, run_step
from workbench.tui.app import WorkbenchApp
from workbench.tui.widgets.log_panel import LogPanel
from workbench.tui.widgets.metrics_panel import MetricsPanel

pytestmark = pytest.mark.faults

# What must never reach a terminal from a step: clear screen, cursor home, window title, clipboard, bell,
# backspace, full reset, 8-bit CSI. (The renderers' own colours are not step output.)
FORBIDDEN = ["\x1b[2J", "\x1b[H", "\x1b]", "\x07", "\x08", "\x1bc", "\x9b", "HIJACKED", "aGlqYWNr"]
LESSON = "hostile-output"
SIZE = (150, 45)


def screen_text(app) -> str:
    """What the screen shows, as text (the screenshot's SVG, with its non-breaking spaces made plain)."""
    return app.export_screenshot().replace("&#160;", " ")


def forbidden_in(text: str) -> list[str]:
    return [repr(seq) for seq in FORBIDDEN if seq in text]


def event_texts(event) -> list[str]:
    return [value for value in vars(event).values() if isinstance(value, str)]


# ---- a fixture lesson whose steps are tests/fixtures/steps.py ---------------------------------------------------
STEPS = {  # step id -> (function, params)
    "hostile-text": ("hostile_text", {}),
    "malformed-events": ("malformed_events", {}),
    "large-result": ("large_result", {"chars": 100_000}),
    "nan-metrics": ("nan_metrics", {}),
    "fail-with-markup": ("fail_with_markup", {}),
    **{
        f"result-{variant.replace('_', '-')}": ("malformed_result", {"variant": variant})
        for variant in fixture_steps.MALFORMED_RESULTS
    },
}


def _toml_params(params: dict) -> str:
    return "{ " + ", ".join(f"{key} = {json.dumps(value)}" for key, value in params.items()) + " }"


@pytest.fixture
def hostile_lessons(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons" / f"001-{LESSON}"
    folder.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "tests" / "fixtures" / "steps.py", folder / "steps.py")
    (folder / "README.md").write_text("# Hostile output\n\nSteps that misbehave on purpose (steps.py).\n", encoding="utf-8")
    toml = [
        "format_version = 1",
        f'id = "{LESSON}"',
        'title = "Hostile step output"',
        'layer = "application"',
        'summary = "Steps that print and send what a step should not."',
        'objectives = ["Nothing a step sends breaks the UI"]',
    ]
    for step_id, (function, params) in STEPS.items():
        toml += [
            "",
            "[[steps]]",
            f'id = "{step_id}"',
            f'title = "{step_id}"',
            f'entry = "steps.py:{function}"',
            "timeout_s = 60",
            'checks = [{ output = "value", min = 1 }]',
        ]
        if params:
            toml.append(f"params = {_toml_params(params)}")
    (folder / "lesson.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
    return tmp_path / "lessons"


def run_fixture(function: str, home: Path, **params):
    seen: list = []
    request = StepRequest("fault-lesson", function, f"tests.fixtures.steps:{function}", params, [], 60)
    outcome = asyncio.run(run_step(request, home, seen.append))
    return outcome, seen


# ---- 8: control sequences and markup ----------------------------------------------------------------------------
def test_runner_hands_on_step_text_without_control_sequences(home):
    outcome, seen = run_fixture("hostile_text", home)
    assert outcome.passed, outcome.summary
    texts = [text for event in seen for text in event_texts(event)] + [outcome.summary, *outcome.log_tail]
    assert [t for t in texts if forbidden_in(t)] == []
    assert Log("stdout says redplain", stream="stdout") in seen
    assert Log("stderr says redplain", stream="stderr") in seen
    assert Status("status says red [/oops] [bold]") in seen  # brackets kept as text
    assert outcome.summary.startswith("summary says red[/s]")


def test_headless_plain_output_carries_no_control_sequences(cli, hostile_lessons):
    result = cli("--lesson", LESSON, "--step", "hostile-text", "--plain", env={"WORKBENCH_LESSONS_DIR": str(hostile_lessons)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert forbidden_in(result.stdout) == [] and forbidden_in(result.stderr) == []
    assert "   | stdout says redplain" in result.stdout
    assert "   ! stderr says redplain" in result.stdout
    assert "   > status says red [/oops] [bold]" in result.stdout
    assert "PASS hostile-output/hostile-text" in result.stdout


def run_on_terminal(args: list[str], home: Path, env: dict[str, str], timeout: float = 120) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdout (the rich renderer), returning every byte it wrote."""
    master, slave = pty.openpty()
    full_env = {**os.environ, "WORKBENCH_HOME": str(home), "COLUMNS": "160", "LINES": "50", **env}
    full_env.pop("BENTOML_HOME", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", *args],
        stdout=slave,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=full_env,
        cwd=REPO_ROOT,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other side closed
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(master)
    code = process.wait(timeout=10)
    return code, b"".join(chunks).decode("utf-8", errors="replace")


def test_headless_rich_output_on_a_terminal_neither_obeys_escapes_nor_breaks_on_markup(home, hostile_lessons):
    code, screen = run_on_terminal(
        ["--lesson", LESSON, "--step", "hostile-text"], home, {"WORKBENCH_LESSONS_DIR": str(hostile_lessons)}
    )
    assert code == 0, screen[-3000:]
    assert forbidden_in(screen) == []
    assert "event handler failed" not in screen  # rich markup from the step did not break the renderer
    for shown in ("stdout says redplain", "status says red [/oops] [bold]", "acc[/m]red", "kind red[/x]", "PASS"):
        assert shown in screen, shown


def test_junit_of_a_failing_hostile_step_is_well_formed_xml(cli, hostile_lessons, tmp_path):
    report = tmp_path / "junit.xml"
    env = {"WORKBENCH_LESSONS_DIR": str(hostile_lessons)}
    result = cli("--lesson", LESSON, "--step", "fail-with-markup", "--plain", "--junit", str(report), env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    failure = ElementTree.parse(report).find(".//failure")  # control characters are not allowed in XML 1.0
    assert failure is not None and "ValueError: bad value [/fine] red" in failure.get("message", "")


# ---- 9: field types, malformed results, large results -----------------------------------------------------------
def test_events_with_fields_of_the_wrong_type_become_warnings_and_the_step_goes_on(home):
    outcome, seen = run_fixture("malformed_events", home)
    assert outcome.passed, outcome.summary
    warnings = [e.message for e in seen if isinstance(e, Log) and e.level == "warning"]
    assert len(warnings) == len(fixture_steps.MALFORMED_EVENTS)
    assert all(w.startswith("malformed event (") for w in warnings)
    assert "malformed event (log.message must be a string, got int 5)" in warnings[0]
    assert Log("after the malformed events", stream="stdout") in seen
    # Nothing of the wrong type got through to a renderer.
    assert all(isinstance(e.message, str) for e in seen if isinstance(e, Log))
    assert not any(isinstance(e, (Metric, Progress, Artifact, Status)) for e in seen)


@pytest.mark.parametrize("variant", sorted(fixture_steps.MALFORMED_RESULTS))
def test_a_malformed_result_fails_the_step_and_says_why(home, variant):
    outcome, _ = run_fixture("malformed_result", home, variant=variant)
    assert outcome.status == "failed", (outcome.status, outcome.summary)
    assert outcome.summary.startswith("the step sent a malformed result, counted as failed (result")
    assert outcome.details == {}


def test_headless_reports_a_malformed_result_as_a_failure_with_the_reason(cli, hostile_lessons):
    env = {"WORKBENCH_LESSONS_DIR": str(hostile_lessons)}
    for step_id, why in (
        ("result-passed-no", "result.passed must be true or false, got str 'no'"),
        ("result-details-list", "result.details must be an object, got list [1, 2, 3]"),
    ):
        result = cli("--lesson", LESSON, "--step", step_id, "--plain", env=env)
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"FAIL hostile-output/{step_id}" in result.stdout
        assert why in result.stdout
        assert "Traceback" not in result.stderr


def test_a_passing_step_with_a_100_kb_result_passes_with_its_output_intact(home):
    outcome, seen = run_fixture("large_result", home, chars=100_000)
    assert outcome.status == "passed", outcome.summary
    assert outcome.details["report"] == "r" * 99_999 + "!"
    assert not [e for e in seen if isinstance(e, Log) and "malformed" in e.message]
    assert [e for e in seen if isinstance(e, Result)][0].details["report"] == outcome.details["report"]


def test_headless_a_100_kb_result_is_a_pass_not_a_crash(cli, hostile_lessons):
    result = cli("--lesson", LESSON, "--step", "large-result", "--json", env={"WORKBENCH_LESSONS_DIR": str(hostile_lessons)})
    assert result.returncode == 0, result.stderr[-2000:]
    [step] = result.json()["lessons"][0]["steps"]
    assert step["status"] == "passed"
    assert "malformed" not in result.stderr


# ---- 10: NaN and infinite metrics -------------------------------------------------------------------------------
def test_headless_marks_non_finite_metric_values(cli, hostile_lessons):
    result = cli("--lesson", LESSON, "--step", "nan-metrics", "--plain", env={"WORKBENCH_LESSONS_DIR": str(hostile_lessons)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "   metric loss = nan (not a finite number) @ 1" in result.stdout
    assert "   metric loss = inf (not a finite number) @ 3" in result.stdout
    assert "   metric loss = -inf (not a finite number) @ 5" in result.stdout
    assert "   metric loss = 0.125 @ 7" in result.stdout
    assert "event handler failed" not in result.stderr


def test_headless_json_stays_strict_json_with_non_finite_metrics(cli, hostile_lessons):
    result = cli("--lesson", LESSON, "--step", "nan-metrics", "--json", env={"WORKBENCH_LESSONS_DIR": str(hostile_lessons)})
    assert result.returncode == 0, result.stderr[-2000:]

    def refuse(token: str):
        raise AssertionError(f"{token} is not JSON (a strict reader such as jq or JSON.parse rejects it)")

    document = json.loads(result.stdout, parse_constant=refuse)
    assert document["lessons"][0]["steps"][0]["metrics"] == {"loss": 0.125, "only_nan": "nan"}


# ---- the TUI ----------------------------------------------------------------------------------------------------
async def run_step_in_tui(pilot, step_id: str, state: str) -> None:
    app = pilot.app
    await lessons_loaded(pilot)
    app.open_lesson(LESSON)
    await wait_for(pilot, lambda: bool(app.screen.query("#steps")), 20, "the lesson screen")
    steps = app.screen.query_one("#steps", DataTable)
    steps.move_cursor(row=list(STEPS).index(step_id))
    await pilot.pause()
    await pilot.press("r")

    def state_is() -> bool:
        value = steps.get_cell(step_id, "state")
        return state in getattr(value, "plain", str(value))

    await wait_for(pilot, state_is, 60, f"{step_id} to be {state}")
    await pilot.pause(0.3)  # a few frames: the log, the tables and the chart draw what arrived


async def test_tui_shows_hostile_text_as_text(home, hostile_lessons):
    app = WorkbenchApp(home=home, lessons_dir=hostile_lessons, show_startup_time=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_step_in_tui(pilot, "hostile-text", "passed")
        screen = app.screen
        lines = list(screen.query_one(LogPanel).lines)
        assert "stdout says redplain" in lines
        assert [line for line in lines if forbidden_in(line)] == []
        assert [line for line in screen.query_one(LogPanel).log_widget.lines if forbidden_in(line)] == []
        assert forbidden_in(str(screen.query_one("#run-status", Label).render())) == []
        artifacts = screen.query_one("#artifacts", DataTable)
        [row] = artifacts.ordered_rows
        cells = [Content.from_markup(c).plain for c in artifacts.get_row(row.key)]  # str cells are drawn as markup
        assert cells[0] == "kind red[/x]" and forbidden_in(" ".join(cells)) == []
        await pilot.press("m")
        await pilot.pause(0.3)
        assert forbidden_in(screen_text(app)) == []
    assert app.return_code in (None, 0), "the app crashed"


async def test_tui_survives_nan_and_infinite_metrics_and_marks_them(home, hostile_lessons):
    app = WorkbenchApp(home=home, lessons_dir=hostile_lessons, show_startup_time=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_step_in_tui(pilot, "nan-metrics", "passed")
        await pilot.press("m")  # the metrics tab: the chart is drawn now
        await pilot.pause(0.5)
        panel = app.screen.query_one(MetricsPanel)
        assert len(panel.series["loss"]) == len(fixture_steps.NON_FINITE)
        assert panel.not_drawn == {"loss": 4, "only_nan": 2}  # nan, inf, -inf, 1e300; and both only_nan points
        table = panel.query_one(DataTable)
        latest = {
            str(getattr(table.get_cell(key, "metric"), "plain", "")): str(table.get_cell(key, "latest")) for key in table.rows
        }
        assert latest["only_nan"] == "nan (not drawn)" and latest["loss"] == "0.125"
        assert "(4 not drawn)" in str(table.get_cell("loss", "points"))
        # The chart's title (shortened when the table needs the room; the chart redraws once the table has its width).
        await wait_for(pilot, lambda: "6 not drawn (NaN/inf/huge)" in screen_text(app), 10, "the chart's note")
        assert math.isnan(panel.latest("only_nan"))
    assert app.return_code in (None, 0), "the app crashed"


async def test_tui_shows_a_malformed_result_as_failed_and_survives_malformed_events(home, hostile_lessons):
    app = WorkbenchApp(home=home, lessons_dir=hostile_lessons, show_startup_time=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_step_in_tui(pilot, "result-details-list", "failed")
        assert "result.details must be an object" in str(app.screen.query_one("#run-status", Label).render())
        steps = app.screen.query_one("#steps", DataTable)
        steps.move_cursor(row=list(STEPS).index("malformed-events"))
        await pilot.pause()
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: (
                "passed"
                in str(getattr(steps.get_cell("malformed-events", "state"), "plain", steps.get_cell("malformed-events", "state")))
            ),
            60,
            "malformed-events to pass",
        )
        await pilot.pause(0.3)
        lines = list(app.screen.query_one(LogPanel).lines)
        assert "! malformed event (log.message must be a string, got int 5): " + fixture_steps.MALFORMED_EVENTS[0] in lines
        assert "after the malformed events" in lines
    assert app.return_code in (None, 0), "the app crashed"


async def test_tui_shows_a_failure_whose_text_looks_like_markup_as_text(home, hostile_lessons):
    app = WorkbenchApp(home=home, lessons_dir=hostile_lessons, show_startup_time=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_step_in_tui(pilot, "fail-with-markup", "failed")
        await pilot.pause(0.5)  # the failure toast is drawn
        [toast] = list(app._notifications)
        shown = Content.from_markup(toast.message).plain if toast.markup else toast.message
        assert "ValueError: bad value [/fine] red" in shown
        shot = screen_text(app)
        assert "bad value [/fine]" in shot and forbidden_in(shot) == []
    assert app.return_code in (None, 0), "the app crashed"
