"""What the learner reads stays whole at 80x24 and 120x40: the code header names the file shown, the runs
comparison is on screen with whole column headers, step titles use the table's width in every lesson opened, the
commands show whole, the tab labels follow a resize, the status line is whole over a complete bar, and the
metrics tab shows a curve (or says to enlarge the window).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, ProgressBar, Static

from tests.conftest import FIXTURE_CURRICULUM
from tests.tui.conftest import lessons_loaded, open_lesson, wait_for
from tests.tui.long_output_lesson import LESSON_ID, make_long_output_lessons, run
from tests.tui.test_dialogs_stay_true import drawn_inside, squeezed
from workbench.tui.screens.lesson_screen import LessonScreen
from workbench.tui.widgets.commands_panel import CommandsPanel

# 80x24 in `make test-fast`; 120x40, the same code at another size, in `make test` (test-fast stays under a minute).
SIZES = [(80, 24), pytest.param((120, 40), marks=pytest.mark.slow)]
BRAILLE_DOTS = {chr(c) for c in range(0x2801, 0x2900)}  # a curve's dots (U+2800 is a blank cell)

LAYER_TOML = """format_version = 1
id = "layer-code"
title = "Call layer code"
layer = "application"
summary = "A step whose function is the layer's, re-exported by the lesson script."
objectives = ["Read the layer code a step runs"]
prerequisites = []

[[steps]]
id = "validate"
title = "Validate the model"
entry = "steps.py:validate"
timeout_s = 60
checks = [{ output = "value", min = 1 }]
"""

CHECKS_TOML = """format_version = 1
id = "many-checks"
title = "A step with several checks"
layer = "domain"
summary = "A step whose verdict names several outputs, as catch-corruption's does."
objectives = ["Read a long verdict"]
prerequisites = []

[[steps]]
id = "catch-corruption"
title = "Catch every fault"
entry = "steps.py:catch"
timeout_s = 60
checks = [{ output = "faults_missed", max = 0 }, { output = "faults_caught", min = 3 }, { output = "rows_checked", min = 100 }]
"""
CHECKS_STEPS = """def catch() -> dict:
    return {"faults_missed": 0, "faults_caught": 5, "rows_checked": 150}
"""


async def run_all(pilot, screen: LessonScreen) -> None:
    lesson_id = screen.lesson.id
    await pilot.press("a")
    await wait_for(pilot, lambda: pilot.app.progress.lesson_status(lesson_id) == "passed" and not screen.running, 30)
    await pilot.pause(0.3)


@pytest.fixture
def lessons(tmp_path: Path) -> Path:
    """The fixture curriculum, the long-output lesson, and a lesson whose step is layer code."""
    folder = make_long_output_lessons(tmp_path)
    layer = folder / "098-layer-code"
    layer.mkdir()
    (layer / "lesson.toml").write_text(LAYER_TOML, encoding="utf-8")
    (layer / "README.md").write_text("# Layer code\n\nA fixture lesson.\n", encoding="utf-8")
    (layer / "steps.py").write_text("from application.validation.model_validation import validate\n", encoding="utf-8")
    checks = folder / "097-many-checks"
    checks.mkdir()
    (checks / "lesson.toml").write_text(CHECKS_TOML, encoding="utf-8")
    (checks / "README.md").write_text("# Many checks\n\nA fixture lesson.\n", encoding="utf-8")
    (checks / "steps.py").write_text(CHECKS_STEPS, encoding="utf-8")
    return folder


@pytest.mark.parametrize("size", SIZES)
async def test_the_code_header_names_the_file_shown_and_the_lesson_script_calling_it(make_app, lessons, size):
    app = make_app(lessons)
    async with app.run_test(size=size) as pilot:
        screen = await open_lesson(pilot, "layer-code", settle_s=0.3)
        await pilot.press("c")
        await pilot.pause(0.5)
        header = drawn_inside(app, screen.query_one("#code-path")).replace("\n", " ")
        assert "model_validation.py" in header, f"the header does not name the file shown: {header!r}"
        assert "← lesson script" in header and "steps.py" in header, header
        if size == (120, 40):
            whole = "application/validation/model_validation.py · layer application · validate() at line 48"
            assert squeezed(whole) in squeezed(header), header
        code = drawn_inside(app, screen.query_one("#code-scroll"))
        assert "def validate(" in code


@pytest.mark.parametrize("size", SIZES)
async def test_comparing_runs_shows_the_table_and_chart_with_whole_headers(make_app, quick_queries, size):
    from workbench.tui.screens.runs_screen import RunsScreen

    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=size) as pilot:
        await lessons_loaded(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen) and bool(app.screen.runs), 10, "the runs")
        await pilot.pause(0.3)
        for key in ("space", "down", "space", "c"):
            await pilot.press(key)
        screen = app.screen
        table = screen.query_one("#compare-table", DataTable)
        await wait_for(pilot, lambda: len(table.columns) == 3 and table.row_count, 10, "the comparison")
        await pilot.pause(0.5)
        shown = drawn_inside(app, table)
        for number in (1, 2):
            assert f"{number} sklearn-iris/train" in shown, f"column {number} is not shown whole:\n{shown}"
        assert "test_accuracy" in shown
        chart = drawn_inside(app, screen.query_one("#compare-chart"))
        assert BRAILLE_DOTS & set(chart), f"no curve drawn:\n{chart}"


async def test_step_titles_use_the_table_width_in_every_lesson_opened(make_app, lessons, quick_keys):
    """Opened with ctrl+p, from the map and from a lesson: the table is laid out first at the wide layout's width,
    then at the narrow one's; the titles follow the second."""
    app = make_app(lessons)
    async with app.run_test(size=(80, 24)) as pilot:
        await lessons_loaded(pilot)
        for lesson_id in ("check-the-machine", LESSON_ID):  # the first lesson opened, and one opened after it
            await pilot.press("ctrl+p")
            await pilot.pause(0.3)
            await pilot.press(*f"lesson: {lesson_id}")
            await pilot.pause(0.8)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.lesson.id == lesson_id)  # noqa: B023
            await pilot.pause(0.5)
            steps = app.screen.query_one("#steps", DataTable)
            used = sum(column.get_render_width(steps) for column in steps.columns.values())
            assert used == steps.scrollable_content_region.width, f"{lesson_id}: cells left unused beside the titles"


@pytest.mark.parametrize("size", SIZES)
async def test_every_command_shows_whole(make_app, lessons, size):
    app = make_app(lessons)
    async with app.run_test(size=size) as pilot:
        screen = await open_lesson(pilot, LESSON_ID, settle_s=0.3)
        await run(pilot, screen, "quick")
        await run(pilot, screen, "shout")
        await pilot.press("k")
        await pilot.pause(0.5)
        panel = screen.query_one("#commands", CommandsPanel)
        commands = [line for line in panel.lines if line.strip()]
        assert len(commands) >= 4
        # Every row of the panel fits its width; joined again, the rows give every command whole.
        rows = str(panel.query_one(Static).render()).splitlines()
        width = panel.scrollable_content_region.width
        assert all(cell_len(row) <= width for row in rows), rows
        for command in commands:
            assert squeezed(command) in squeezed("".join(rows)), f"{command!r} is not shown whole: {rows}"
        # The newest command is on screen, whole.
        on_screen = "".join(row.rstrip(" ▁▂▃▄▅▆▇█") for row in drawn_inside(app, panel).splitlines())
        assert squeezed(commands[-1]) in squeezed(on_screen), on_screen


async def test_tab_labels_fit_again_after_a_resize(make_app, lessons):
    app = make_app(lessons)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lesson(pilot, "clean-data", settle_s=0.3)
        assert "Metrics (m)" in drawn_inside(app, screen.query_one("#tabs Tabs"))
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.5)
        tabs = drawn_inside(app, screen.query_one("#tabs Tabs"))
        for label in ("Metrics", "Code", "Commands", "Files"):
            assert label in tabs, f"{label} is cut: {tabs!r}"
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.5)
        assert "Files (f)" in drawn_inside(app, screen.query_one("#tabs Tabs"))


@pytest.mark.parametrize("size", SIZES)
async def test_a_passed_lesson_reopens_with_its_whole_status_over_a_complete_bar(make_app, lessons, size):
    app = make_app(lessons)
    async with app.run_test(size=size) as pilot:
        screen = await open_lesson(pilot, "many-checks", settle_s=0.3)
        await run_all(pilot, screen)
        await pilot.press("escape")
        await pilot.pause(0.3)
        screen = await open_lesson(pilot, "many-checks", settle_s=0.3)
        status = drawn_inside(app, screen.query_one("#run-status"))
        summary = app.progress.step_record("many-checks", "catch-corruption")["summary"]
        assert "faults_caught = 5" in summary and "rows_checked" in summary
        assert f"last run catch-corruption: {summary}" in " ".join(line.strip() for line in status.splitlines()), status
        bar = screen.query_one("#progress", ProgressBar)
        assert "0%" not in drawn_inside(app, bar).replace("100%", ""), drawn_inside(app, bar)
        assert bar.percentage == 1


@pytest.mark.parametrize("size", SIZES)
async def test_the_metrics_tab_draws_a_curve_or_says_to_enlarge_the_window(make_app, lessons, size):
    app = make_app(lessons)
    async with app.run_test(size=size) as pilot:
        screen = await open_lesson(pilot, LESSON_ID, settle_s=0.3)
        await run(pilot, screen, "shout")
        await pilot.press("m")
        await pilot.pause(0.8)
        panel = screen.query_one("#metrics")
        shown = drawn_inside(app, panel)
        curve = bool(BRAILLE_DOTS & set(shown))
        if size == (120, 40):
            assert curve, f"no curve at 120x40:\n{shown}"
        assert curve or "enlarge the window" in shown, f"neither a curve nor a word on why:\n{shown}"
        assert "loss" in shown  # the values stay in the table
