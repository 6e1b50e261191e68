"""The dialogs say what is true, whole, at 80x24: the params dialog of a step without parameters says it takes
none; the leave and quit questions wrap (English and Traditional Chinese) and close or change by themselves when
the runs they ask about end; on the map, n opens the lesson the hint names.

Runs the fixture curriculum plus the fixture lesson ``storm-steps`` (a step that runs for as long as it is asked).
"""

from __future__ import annotations

import re

import pytest
from rich.text import Text
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Label, Static, TextArea

from tests.conftest import FIXTURE_CURRICULUM
from tests.tui.conftest import STORM_LESSON_ID, lessons_loaded, open_lesson, process_group_members, wait_for
from workbench import i18n
from workbench.tui.screens.confirm_dialogs import LeaveRunningDialog, QuitRunningDialog
from workbench.tui.screens.home_screen import HomeScreen, LessonItem
from workbench.tui.screens.lesson_screen import LessonScreen
from workbench.tui.screens.params_dialog import ParamsDialog

SMALL = (80, 24)
SLOW_ROW = 1  # storm-steps: quick, slow, ...


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def drawn_inside(app, box: Widget) -> str:
    """What the terminal shows inside ``box`` (inside its border and padding), its rows joined."""
    region = box.content_region
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.crop(region.x, region.right).text for strip in strips[region.y : region.bottom])


def assert_whole(app, box: Widget, markup: str) -> None:
    """Every line of ``markup`` is on the screen inside ``box``, whole (wrapped lines joined again)."""
    shown = squeezed(drawn_inside(app, box))
    for line in Text.from_markup(markup).plain.splitlines():
        assert squeezed(line) in shown, f"{line!r} is cut; the dialog shows:\n{drawn_inside(app, box)}"


def question(app) -> str:
    return str(app.screen.query_one("#question", Label).render())


async def run_slow_step(pilot, screen: LessonScreen, seconds: float):
    """The storm lesson's slow step, for ``seconds``, running; its run."""
    screen.param_overrides["slow"] = {"seconds": seconds}
    screen.query_one("#steps", DataTable).move_cursor(row=SLOW_ROW)
    await pilot.press("r")
    await wait_for(pilot, lambda: bool(screen.active_runs), 20, "the slow step")
    return screen.active_runs[0]


# ---- 1. the params dialog ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.ZH_TW])
async def test_a_step_without_parameters_says_it_takes_none_and_the_title_is_whole(make_app, language):
    i18n.set_language(language)
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_lesson(pilot, "check-the-machine")  # its one step: report(), no parameters
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ParamsDialog), 5, "the params dialog")
        dialog = app.screen
        table = str(dialog.query_one("#params-table", Static).render())
        assert table == i18n.t("this step takes no parameters")
        box = dialog.query_one(Vertical)
        title = str(dialog.query(Label).first().content)
        assert_whole(app, box, title)
        assert screen.lesson.step_title(screen.lesson.spec.steps[0]) in Text.from_markup(title).plain
        dialog.query_one(TextArea).text = '{"x": 1}'
        await pilot.press("ctrl+s")
        error = str(dialog.query_one("#params-error", Label).render())
        assert error == i18n.t("unknown parameter '{name}'; this step takes: {names}", name="x", names=i18n.t("nothing"))


# ---- 2. the leave and quit questions -----------------------------------------------------------------------------
@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.ZH_TW])
async def test_the_leave_and_quit_questions_are_whole_at_80x24(make_app, storm_lessons, language):
    i18n.set_language(language)
    app = make_app(storm_lessons)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_lesson(pilot, STORM_LESSON_ID)
        run = await run_slow_step(pilot, screen, 60)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LeaveRunningDialog), 5, "the leave question")
        await pilot.pause(0.1)
        assert "storm-steps/slow" in question(app)
        assert_whole(app, app.screen.query_one(Vertical), str(app.screen.query_one("#question", Label).content))
        await pilot.press("escape")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitRunningDialog), 5, "the quit question")
        await pilot.pause(0.1)
        assert_whole(app, app.screen.query_one(Vertical), str(app.screen.query_one("#question", Label).content))
        await pilot.press("n", "x")
        await wait_for(pilot, lambda: not screen.running, 10, "the cancel")
        await pilot.pause(0.5)  # the run's last queued call reaches the screen before the app closes
    assert process_group_members(run.pid) == []


@pytest.mark.slow  # waits on steps that run for seconds
async def test_the_leave_question_goes_when_the_step_ends_and_the_lesson_is_left(make_app, storm_lessons):
    app = make_app(storm_lessons)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_lesson(pilot, STORM_LESSON_ID)
        await run_slow_step(pilot, screen, 4.0)  # long enough to reach the question on a busy machine
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LeaveRunningDialog), 5, "the leave question")
        assert "storm-steps/slow" in question(app)
        # The step passes behind the question: the question goes, and the learner is where Escape leads.
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 30, "the question to go with the run")
        assert app.progress.step_record(STORM_LESSON_ID, "slow")["status"] == "passed"
        await pilot.pause(0.3)
        assert app.running_lessons() == []
        item = next(i for i in app.screen.query(LessonItem) if i.lesson_id == STORM_LESSON_ID)
        assert "◐" not in str(item.query_one(Label).render())
        app.open_lesson(STORM_LESSON_ID)
        await pilot.pause()
        assert app.screen is not screen  # nothing was kept in the background


@pytest.mark.slow  # waits on steps that run for seconds
async def test_the_quit_question_follows_the_runs_and_goes_with_the_last_one(make_app, storm_lessons):
    app = make_app(storm_lessons)
    async with app.run_test(size=SMALL) as pilot:
        # A long run of train-a-model in the background, and a short one of storm-steps in front.
        train = await open_lesson(pilot, "train-a-model")
        train.param_overrides["fit"] = {"epochs": 3, "pause_s": 20.0}
        await pilot.press("r")
        await wait_for(pilot, lambda: "train-a-model/fit" in train.running_what(), 20, "the long fit")
        await pilot.press("escape", "b")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 5, "the map")
        storm = await open_lesson(pilot, STORM_LESSON_ID)
        await run_slow_step(pilot, storm, 4.0)  # long enough to reach the question on a busy machine
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitRunningDialog), 5, "the quit question")
        assert "storm-steps/slow" in question(app) and "train-a-model/fit" in question(app)
        # One run ends: the question names only the other.
        await wait_for(pilot, lambda: "storm-steps" not in question(app), 30, "the question to drop the ended run")
        assert isinstance(app.screen, QuitRunningDialog) and "train-a-model/fit" in question(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is storm
        # Back on the map with the short run in the background: q asks, and when it ends the question goes,
        # a notice says so, and the app stays open.
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 5, "the map")
        app.open_lesson("train-a-model")
        await wait_for(pilot, lambda: app.screen is train, 5, "the background lesson")
        await pilot.press("x")
        await wait_for(pilot, lambda: not train.running, 10, "the cancel")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 5, "the map")
        storm = await open_lesson(pilot, STORM_LESSON_ID)
        await run_slow_step(pilot, storm, 4.0)  # long enough to reach the question on a busy machine
        await pilot.press("escape", "b")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 5, "the map")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitRunningDialog), 5, "the quit question")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 30, "the question to go with the run")
        assert app.is_running

        def notices() -> list[str]:
            return [n.message for n in app._notifications]

        await wait_for(pilot, lambda: any("storm-steps/slow" in m and "ended" in m for m in notices()), 5, "the notice")
        assert app.is_running and isinstance(app.screen, HomeScreen)
        await wait_for(pilot, lambda: storm not in app._installed_screens.values(), 5, "the ended run's screen to go")


# ---- 3. n on the map -------------------------------------------------------------------------------------------------
async def test_n_on_the_map_opens_the_lesson_the_hint_names(make_app):
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=SMALL) as pilot:
        await lessons_loaded(pilot)
        # check-the-machine passes; clean-data is opened and left before it passes.
        screen = await open_lesson(pilot, "check-the-machine")
        await pilot.press("a")
        await wait_for(pilot, lambda: app.progress.lesson_status("check-the-machine") == "passed" and not screen.running, 30)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 5, "the map")
        await open_lesson(pilot, "clean-data")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 5, "the map")
        await pilot.pause(0.2)
        hint = str(app.screen.query_one("#overall-label", Label).render())
        assert "next: clean-data (n)" in hint  # the cursor is back on clean-data too
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), 5, "a lesson to open")
        assert app.screen.lesson.id == "clean-data"
