"""GPU, serving and runs screens, and the app around them, as a learner on an ordinary machine meets them:
no GPU, no model yet, runs of the same step, a language switch, a cancelled re-run of a passed lesson."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Label, Sparkline, TextArea

from tests.tui.conftest import RUNS, STORM_LESSON_ID, lessons_loaded, wait_for
from workbench import i18n

SIZE = (120, 40)


def text(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector).render())


async def test_no_gpu_no_empty_gpu_charts_and_b_says_why_in_full(make_app):
    from shared.utils.gpu_utils.nvml_probe import probe_nvml
    from tests.fake_nvml import FakeNvml
    from workbench.tui.screens.gpu_screen import GpuScreen

    nvml = probe_nvml(FakeNvml([])).to_json()
    report = {
        "nvml": nvml,
        "host": {"cpu": {"model": "CPU", "usable_cores": 2, "logical_cores": 2, "memory_gib": 8}, "in_container": True},
        "frameworks": {},
        "verdicts": [],
    }
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        screen = GpuScreen(probe=lambda: nvml, report_loader=lambda: report, poll=False)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.devices_seen == 0, 5, "the NVML poll")
        assert not screen.query_one("#gpu-sparks").display
        assert not any(spark.region.height for spark in screen.query(Sparkline))
        assert "no NVIDIA GPU seen" in text(screen, "#gpu-summary")
        await pilot.press("b")
        await pilot.pause()
        status = screen.query_one("#gpu-bench-status", Label)
        assert screen.benchmark_run is None  # nothing started that can only fail
        assert "no GPU to benchmark" in str(status.render()) and "none is usable here" in str(status.render())
        assert status.size.height >= 2  # the whole sentence, wrapped, not cut at the edge


async def test_serving_without_a_validated_model_says_so_and_offers_model_validation(make_app):
    from workbench.tui.screens.lesson_screen import LessonScreen
    from workbench.tui.screens.serving_screen import ServingScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        await pilot.press("v")
        screen = app.screen
        assert isinstance(screen, ServingScreen)
        await wait_for(pilot, lambda: screen.state == "no model", 60, "the model check")
        status = text(screen, "#serve-status")
        assert "no validated iris model" in status and "model-validation" in status
        await pilot.press("s")
        await pilot.pause()
        assert screen.state == "no model" and not screen.control.running  # nothing started that cannot serve
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), 5, "model-validation")
        assert app.screen.lesson.id == "model-validation"


async def test_serving_shows_no_port_it_will_not_use_and_the_editor_keys_work(make_app):
    from workbench.tui.screens.serving_screen import ServingScreen
    from workbench.tui.service_control import EXAMPLE_REQUEST

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        screen = ServingScreen()
        await app.push_screen(screen)
        screen.state = "stopped"  # as after a model was found
        screen._show_state()
        status = text(screen, "#serve-status")
        assert "--port 3000" not in status and "--port '<a free port>'" in status
        editor = screen.query_one("#serve-request", TextArea)
        editor.focus()
        await pilot.press("ctrl+a")
        assert editor.selected_text == editor.text  # ctrl+a selects all, as in any editor
        editor.text = "{broken"
        await pilot.press("ctrl+r")
        assert editor.text == EXAMPLE_REQUEST  # the example request back
        await pilot.press("escape")  # first out of the editor
        assert app.screen is screen
        await pilot.press("escape")
        assert app.screen is not screen


async def test_runs_of_the_same_step_are_told_apart_and_a_cancelled_run_reads_cancelled(make_app, quick_queries):
    from workbench.tui.screens.runs_screen import RunsScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        RUNS["runs"][0]["status"] = "KILLED"
        try:
            await pilot.press("e")
            screen = app.screen
            assert isinstance(screen, RunsScreen)
            await wait_for(pilot, lambda: len(screen.runs) == 2, 10, "the runs")
            table = screen.query_one("#runs", DataTable)
            assert str(table.get_cell("run1", "status")) == "cancelled"
            await pilot.press("space", "down", "space", "c")
            await wait_for(pilot, lambda: bool(screen.curve_labels), 10, "the comparison")
            assert len(screen.curve_labels) == 2 and len(set(screen.curve_labels)) == 2  # not "train" twice
            # Escape in the filter clears it first, then goes back.
            await pilot.press("slash", *"nomatch", "enter")
            assert table.row_count == 0
            await pilot.press("escape")
            assert app.screen is screen and table.row_count == 2
            await pilot.press("escape")
            assert app.screen is not screen
        finally:
            RUNS["runs"][0]["status"] = "FINISHED"


async def test_ctrl_l_keeps_you_on_the_screen_you_are_on(make_app, storm_lessons):
    from workbench.tui.screens.lesson_screen import LessonScreen

    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson(STORM_LESSON_ID)
        await pilot.pause()
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), 5, "the lesson again")
        assert app.screen.lesson.id == STORM_LESSON_ID and i18n.language() == i18n.ZH_TW
        assert "步驟" in app.screen.query_one("#steps").border_title  # rebuilt in Chinese
        await pilot.press("escape")
        await lessons_loaded(pilot)  # and under it, the map


async def test_a_cancelled_rerun_keeps_the_pass_on_the_map(make_app, storm_lessons):
    from workbench.tui.screens.home_screen import LessonItem
    from workbench.tui.screens.lesson_screen import LessonScreen

    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson(STORM_LESSON_ID)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        # An earlier whole run passed the lesson (running one step of several no longer passes it).
        assert app.progress.record_lesson(STORM_LESSON_ID, "running") and app.progress.record_lesson(STORM_LESSON_ID, "passed")
        screen.query_one("#steps", DataTable).move_cursor(row=1)
        await pilot.press("r")
        await wait_for(pilot, lambda: bool(screen.active_runs), 20, "the slow step")
        await pilot.press("x")
        await wait_for(pilot, lambda: not screen.running, 10, "the cancel")
        await pilot.press("escape")
        await pilot.pause()
        item = next(i for i in app.screen.query(LessonItem) if i.lesson_id == STORM_LESSON_ID)
        assert str(item.query_one(Label).render()).startswith("✔")


@pytest.mark.parametrize("where", ["serving", "runs", "exercise"])
async def test_zh_tw_messages_that_bypassed_the_catalogue(where, make_app, storm_lessons, quick_queries):
    """The strings item 7 of issue 15 found in English on a zh-TW screen."""
    i18n.set_language(i18n.ZH_TW)
    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        if where == "serving":
            await pilot.press("v")
            await wait_for(pilot, lambda: app.screen.state == "no model", 60, "the model check")
            assert "尚未" in text(app.screen, "#serve-status") or "沒有" in text(app.screen, "#serve-status")
        elif where == "runs":
            await pilot.press("e")
            await wait_for(pilot, lambda: len(app.screen.runs) == 2, 10, "the runs")
            assert "runs in" not in text(app.screen, "#runs-status")
        else:
            app.open_lesson(STORM_LESSON_ID)
            await pilot.pause()
            screen = app.screen
            await pilot.press("x")  # nothing is running
            await pilot.press("s")  # save the log
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert not any(m.startswith(("nothing is running", "log saved to")) for m in messages), messages
            screen.query_one("#steps", DataTable).move_cursor(row=1)
            await pilot.press("r")
            await wait_for(pilot, lambda: bool(screen.active_runs), 20, "the slow step")
            await pilot.press("x")
            await pilot.pause()
            assert not any("cancel requested" in line for line in screen.query_one("#log-panel").lines)
            assert "步驟" in screen.query_one("#steps").border_title


async def test_at_80x24_the_serving_screen_keeps_the_response_in_view(make_app):
    from workbench.tui.screens.serving_screen import ServingScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await lessons_loaded(pilot)
        screen = ServingScreen()
        await app.push_screen(screen)
        await pilot.pause(0.3)
        for selector in ("#serve-response", "#serve-request", "#serve-log", "#serve-toggle"):
            region = screen.query_one(selector).region
            assert region.height >= (1 if selector == "#serve-toggle" else 3), f"{selector} is squeezed to {region}"
            assert region.bottom <= 23, f"{selector} is below the screen: {region}"
