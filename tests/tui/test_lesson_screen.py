"""The lesson screen as a learner meets it: the bar ends with its step, the table and status line are whole,
leaving or quitting while a step runs asks first, a run can go on in the background, stderr chatter is not an error.

Runs the fixture lesson ``storm-steps`` (steps of milliseconds, or one that runs until cancelled).
"""

from __future__ import annotations

import json
import math

from rich.cells import cell_len
from textual.widgets import DataTable, Label, Log, ProgressBar

from tests.tui.conftest import STORM_LESSON_ID, lessons_loaded, process_group_members, wait_for
from workbench.tui.screens.lesson_screen import LessonScreen
from workbench.tui.widgets.log_panel import LogPanel

SIZE = (120, 40)
ROW = {"quick": 0, "slow": 1, "silent": 2, "failing": 3, "noisy": 4, "files": 5}


def cell(table: DataTable, row: str, column: str) -> str:
    from rich.text import Text

    value = table.get_cell(row, column)
    return Text.from_markup(value).plain if isinstance(value, str) else getattr(value, "plain", str(value))


def status_text(screen) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one("#run-status", Label).render())


async def open_storm_lesson(pilot) -> LessonScreen:  # type: ignore[no-untyped-def]
    await lessons_loaded(pilot)
    pilot.app.open_lesson(STORM_LESSON_ID)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LessonScreen), 5, "the lesson")
    return pilot.app.screen


async def run_step(pilot, screen: LessonScreen, step: str, until: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    steps = screen.query_one("#steps", DataTable)
    steps.move_cursor(row=ROW[step])
    await pilot.press("r")
    await wait_for(pilot, lambda: until in cell(steps, step, "state"), timeout, f"{step} to be {until}")
    await pilot.pause(0.2)


async def start_slow_step(pilot, screen: LessonScreen):  # type: ignore[no-untyped-def]
    """Run the fixture lesson's one-minute step and wait until it is running; its run."""
    screen.query_one("#steps", DataTable).move_cursor(row=ROW["slow"])
    await pilot.press("r")
    await wait_for(pilot, lambda: bool(screen.active_runs), 20, "the slow step")
    [run] = screen.active_runs
    return run


def bar_is_finished(bar: ProgressBar) -> bool:
    """Not the 'busy' animation (a total is known) and no ETA shown."""
    return bar.total is not None and not bar.query_one("#eta").display


async def test_the_bar_ends_with_its_step_passed_failed_or_cancelled(make_app, storm_lessons):
    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_storm_lesson(pilot)
        bar = screen.query_one("#progress", ProgressBar)
        # Passed without reporting any progress: a full bar, not an endless animation.
        await run_step(pilot, screen, "silent", "passed")
        assert bar_is_finished(bar) and bar.percentage == 1
        # A failed check: the bar stops, no ETA.
        await run_step(pilot, screen, "failing", "failed")
        assert bar_is_finished(bar)
        assert "-stopped" in bar.classes
        # Cancelled part-way: the bar stays where it was, no stale ETA ticking down.
        steps = screen.query_one("#steps", DataTable)
        steps.move_cursor(row=ROW["slow"])
        await pilot.press("r")
        await wait_for(pilot, lambda: (bar.percentage or 0) > 0.01, 30, "progress")
        await pilot.press("x")
        await wait_for(pilot, lambda: "cancelled" in cell(steps, "slow", "state"), 10, "the cancel")
        await pilot.pause(0.3)
        stopped_at = bar.percentage
        assert bar_is_finished(bar) and stopped_at is not None and 0 < stopped_at < 1
        await pilot.pause(1.2)  # the bar's own clock ticks every second: nothing moves
        assert bar.percentage == stopped_at and not bar.query_one("#eta").display


async def test_the_step_table_shows_the_whole_state_and_time_without_a_scrollbar(make_app, storm_lessons):
    app = make_app(storm_lessons)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_storm_lesson(pilot)
        steps = screen.query_one("#steps", DataTable)
        steps.move_cursor(row=ROW["slow"])
        await pilot.press("r")
        await wait_for(pilot, lambda: "running" in cell(steps, "slow", "state"), 20, "the slow step")
        await pilot.press("x")
        await wait_for(pilot, lambda: "cancelled" in cell(steps, "slow", "state"), 10, "the cancel")
        await pilot.pause(0.2)
        columns = {str(c.key.value): c for c in steps.columns.values()}
        for key in ("state", "time"):
            content = cell(steps, "slow", key)
            assert cell_len(content) <= columns[key].width, f"{key} {content!r} is cut to {columns[key].width}"
        assert cell(steps, "slow", "state") == "■ cancelled"
        assert cell(steps, "slow", "time").endswith("s")
        assert steps.max_scroll_x == 0, "a horizontal scrollbar under the steps"


async def test_the_status_line_is_whole_and_remembers_the_last_run(make_app, storm_lessons):
    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_storm_lesson(pilot)
        assert "not started" in status_text(screen)
        await run_step(pilot, screen, "failing", "failed")
        text = status_text(screen)
        assert "expected ≥ 2" in text  # the check's summary, not just the step name
        label = screen.query_one("#run-status", Label)
        assert label.size.height >= min(math.ceil(cell_len(text) / label.size.width), 3), "the summary is cut"
        await pilot.press("escape")
        await pilot.pause()
        reopened = await open_storm_lesson(pilot)
        assert reopened is not screen
        text = status_text(reopened)
        assert "not started" not in text and "failing" in text and "expected ≥ 2" in text


async def test_escape_while_a_step_runs_asks_and_the_run_can_go_on_in_the_background(make_app, storm_lessons):
    from workbench.tui.screens.confirm_dialogs import LeaveRunningDialog
    from workbench.tui.screens.home_screen import HomeScreen, LessonItem

    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_storm_lesson(pilot)
        run = await start_slow_step(pilot, screen)
        # Escape asks; Escape again stays, still running.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeaveRunningDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.running
        # Escape, b: back on the map while the step runs on; the map shows it running.
        await pilot.press("escape", "b")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 5, "the map")
        assert screen.running and process_group_members(run.pid)
        item = next(i for i in app.screen.query(LessonItem) if i.lesson_id == STORM_LESSON_ID)
        assert "◐" in str(item.query_one(Label).render())
        # Opening the lesson again shows the same, live screen.
        app.open_lesson(STORM_LESSON_ID)
        await pilot.pause()
        assert app.screen is screen and screen.running
        # h asks too; x there cancels the run and goes home.
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, LeaveRunningDialog)
        await pilot.press("x")
        await wait_for(pilot, lambda: not screen.running, 10, "the cancel")
        assert isinstance(app.screen, HomeScreen)
        await wait_for(pilot, lambda: process_group_members(run.pid) == [], 5, "the step's processes to end")
        assert app.progress.step_record(STORM_LESSON_ID, "slow")["status"] == "cancelled"


async def test_quitting_while_a_step_runs_asks_first_and_yes_ends_the_step(make_app, storm_lessons):
    from workbench.tui.screens.confirm_dialogs import QuitRunningDialog

    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_storm_lesson(pilot)
        run = await start_slow_step(pilot, screen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitRunningDialog)
        assert "storm-steps/slow" in str(app.screen.query_one("#question", Label).render())
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and screen.running
        await pilot.press("ctrl+q", "y")
        await wait_for(pilot, lambda: not app.is_running, 15, "the app to quit")
    assert process_group_members(run.pid) == []


async def test_stderr_chatter_is_plain_output_and_a_traceback_is_marked(make_app, storm_lessons):
    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_storm_lesson(pilot)
        await run_step(pilot, screen, "noisy", "passed")
        lines = list(screen.query_one(LogPanel).lines)
        tensorflow = next(line for line in lines if "cpu_feature_guard" in line)
        mlflow = next(line for line in lines if "INFO mlflow" in line)
        absl = next(line for line in lines if "absl::InitializeLog" in line)
        assert not tensorflow.startswith("!") and not mlflow.startswith("!") and not absl.startswith("!")
        traceback = [line for line in lines if "Traceback" in line or "a real problem" in line or 'File "' in line]
        assert traceback and all(line.startswith("! ") for line in traceback)
        assert not next(line for line in lines if "back to normal output" in line).startswith("!")


async def test_l_shows_the_log_and_the_tab_keys_switch_tabs(make_app, storm_lessons):
    from textual.widgets import TabbedContent

    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_storm_lesson(pilot)
        await pilot.press("l")
        assert app.is_running and isinstance(screen.focused, Log)
        for key, tab in (("c", "tab-code"), ("k", "tab-commands"), ("f", "tab-artifacts"), ("m", "tab-metrics")):
            await pilot.press(key)
            assert screen.query_one("#tabs", TabbedContent).active == tab


async def test_the_code_follows_the_theme(make_app, storm_lessons, home):
    from rich.syntax import Syntax

    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_storm_lesson(pilot)
        await pilot.press("c")
        code = screen.query_one("#code")

        def background() -> str:
            syntax = code.content
            assert isinstance(syntax, Syntax)
            return str(syntax._theme.get_background_style())

        dark = background()
        await pilot.press("ctrl+t")
        await pilot.pause(0.2)
        assert background() != dark
    assert json.loads((home / "settings.json").read_text())["theme"] == "textual-light"
    again = make_app(storm_lessons)
    async with again.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        assert again.theme == "textual-light"  # remembered like the language


async def test_the_params_dialog_lists_the_parameters_and_refuses_a_bad_value_in_one_line(make_app, storm_lessons):
    from textual.widgets import Static, TextArea

    from workbench.tui.screens.params_dialog import ParamsDialog

    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_storm_lesson(pilot)
        screen.query_one("#steps", DataTable).move_cursor(row=ROW["slow"])
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ParamsDialog)
        table = str(dialog.query_one("#params-table", Static).render())
        assert "seconds" in table and "float" in table and "60.0" in table
        assert dialog.query_one("Footer")  # the dialog says its keys
        dialog.query_one(TextArea).text = '{"seconds": "fast"}'
        await pilot.press("ctrl+s")
        error = str(dialog.query_one("#params-error", Label).render())
        assert error == 'seconds: expected float, got "fast" (str)'
        dialog.query_one(TextArea).text = '{"sconds": 1}'
        await pilot.press("ctrl+s")
        assert "unknown parameter 'sconds'; this step takes: seconds" in str(dialog.query_one("#params-error", Label).render())
        dialog.query_one(TextArea).text = '{"seconds": 0.3}'
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and screen.param_overrides["slow"] == {"seconds": 0.3}


async def test_enter_on_an_artifact_previews_it(make_app, storm_lessons):
    from textual.widgets import Markdown, Static

    from workbench.tui.screens.artifact_preview import ArtifactPreview

    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_storm_lesson(pilot)
        await run_step(pilot, screen, "files", "passed")
        await pilot.press("f")
        table = screen.query_one("#artifacts", DataTable)
        table.focus()
        opened = {}
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await pilot.press("enter")
            await pilot.pause(0.2)
            preview = app.screen
            assert isinstance(preview, ArtifactPreview)
            opened[preview.kind + ":" + preview.path.rsplit("/", 1)[-1]] = preview
            head = str(preview.query_one("#artifact-head", Label).render())
            assert preview.description in head  # whole, not cut
            if preview.path.endswith(".json"):
                matrix = preview.query_one("#artifact-matrix", Static)
                rendered = app.screen.query_one("#artifact-body")
                assert matrix and "versicolor" in str(rendered.query_one("#artifact-content", Static).render())
            elif preview.path.endswith(".md"):
                assert isinstance(preview.query_one("#artifact-content"), Markdown)
            elif preview.path.endswith(".png"):
                assert "image viewer" in str(preview.query_one("#artifact-content", Static).render())
            elif preview.kind == "model":
                assert "not a file on this machine" in str(preview.query_one("#artifact-content", Static).render())
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
        assert len(opened) == 5


async def test_the_code_tab_shows_the_function_it_names(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson("sklearn-iris")
        await pilot.pause(0.3)
        await pilot.press("c")
        await pilot.pause(0.5)
        screen = app.screen
        header = str(screen.query_one("#code-path").render())
        line = int(header.rsplit("line", 1)[1].split()[0])
        assert line > 20
        scroll = screen.query_one("#code-scroll")
        assert scroll.scroll_y <= line - 1 < scroll.scroll_y + scroll.size.height, "the named line is not in view"


async def test_a_run_that_ends_after_its_lesson_was_reopened_from_the_background_keeps_the_app_up(make_app, storm_lessons):
    """Leave a running lesson in the background, open it again, let the run end: the app goes on (it crashed with
    Textual's "Can't uninstall screen in screen stack", seen in the key storm), and leaving then drops the screen."""
    from workbench.tui.screens.home_screen import HomeScreen

    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_storm_lesson(pilot)
        await start_slow_step(pilot, screen)
        await pilot.press("escape", "b")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 5, "the map")
        assert app.is_screen_installed(screen)
        app.open_lesson(STORM_LESSON_ID)
        await wait_for(pilot, lambda: app.screen is screen, 5, "the same lesson screen")
        await pilot.press("x")  # the run ends while its screen is on the stack
        await wait_for(pilot, lambda: not screen.running, 10, "the cancel")
        await pilot.pause()
        assert app.is_running and app._exception is None
        assert app.screen is screen and "cancelled" in cell(screen.query_one("#steps", DataTable), "slow", "state")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 5, "the map")
        await pilot.pause()
        assert not app.is_screen_installed(screen) and not screen.is_attached
        assert app.running_lessons() == []
