"""No key on any screen, in any state, may end the app (only the quit keys, which ask first while a step runs).

The storm presses every printable key (the quit key last), F1-F12, Tab/Shift+Tab, the arrows, Home/End/PgUp/PgDn,
Escape and Enter on every screen, in English and Traditional Chinese. After each key the app must still be running
with no unhandled exception and no failed worker; when a key leaves the screen (Enter opens a lesson, Escape goes
back...) the screen is brought back before the next key, so every key meets the screen in the state under test.
"""

from __future__ import annotations

import asyncio
import string
from collections.abc import Awaitable, Callable

import pytest
from textual._wait import wait_for_idle as real_wait_for_idle  # before quick_keys replaces it
from textual.screen import Screen

from tests.tui.conftest import STORM_LESSON_ID, lessons_loaded, wait_for
from workbench import i18n

SIZE = (80, 24)  # the smallest screen the app supports (and the cheapest to render per key)
QUIT_KEYS = ("q",)
PRINTABLE = [c for c in string.printable if c.isprintable() and c not in QUIT_KEYS]
SPECIAL = [
    *(f"f{n}" for n in range(1, 13)),
    "tab",
    "shift+tab",
    "up",
    "down",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
    "escape",
    "enter",
]
KEYS = [*PRINTABLE, *SPECIAL, *QUIT_KEYS]

Setup = Callable[..., Awaitable[Screen]]


# ---- how to reach each screen --------------------------------------------------------------------------------------
async def home(pilot) -> Screen:
    from workbench.tui.screens.home_screen import HomeScreen

    app = pilot.app
    while len(app.screen_stack) > 1:
        app.pop_screen()
    await lessons_loaded(pilot)
    assert isinstance(app.screen, HomeScreen)
    return app.screen


async def lesson_idle(pilot) -> Screen:
    from workbench.tui.screens.lesson_screen import LessonScreen

    await home(pilot)
    pilot.app.open_lesson(STORM_LESSON_ID)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LessonScreen), 5, "the lesson")
    return pilot.app.screen


async def lesson_running(pilot) -> Screen:
    screen = await lesson_idle(pilot)
    await ensure_running(pilot, screen)
    return screen


async def ensure_running(pilot, screen) -> None:
    if not screen.running:
        screen.query_one("#steps").move_cursor(row=1)  # the slow step
        screen.action_run_step()
        await wait_for(pilot, lambda: screen.running and screen.active_runs, 10, "the slow step to start")


async def runs(pilot) -> Screen:
    from workbench.tui.screens.runs_screen import RunsScreen

    await home(pilot)
    pilot.app.action_open_runs()
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunsScreen), 5, "the runs screen")
    return pilot.app.screen


async def gpu(pilot) -> Screen:
    from workbench.tui.screens.gpu_screen import GpuScreen

    await home(pilot)
    pilot.app.action_open_gpu()
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, GpuScreen), 5, "the GPU screen")
    return pilot.app.screen


async def serving_stopped(pilot) -> Screen:
    from workbench.tui.screens.serving_screen import ServingScreen

    await home(pilot)
    pilot.app.action_open_serving()
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ServingScreen), 5, "the serving screen")
    return pilot.app.screen


async def exercise(pilot) -> Screen:
    from workbench.tui.screens.exercise_screen import ExerciseScreen

    await home(pilot)
    pilot.app.open_exercise("storm-answer")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExerciseScreen), 5, "the exercise")
    return pilot.app.screen


async def params_dialog(pilot) -> Screen:
    from workbench.tui.screens.params_dialog import ParamsDialog

    lesson = await lesson_idle(pilot)
    lesson.query_one("#steps").move_cursor(row=1)
    lesson.action_edit_params()
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ParamsDialog), 5, "the params dialog")
    return pilot.app.screen


async def help_screen(pilot) -> Screen:
    from workbench.tui.screens.help_screen import HelpScreen

    await lesson_idle(pilot)
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), 5, "the help screen")
    return pilot.app.screen


async def artifact_preview(pilot) -> Screen:
    from workbench.tui.screens.artifact_preview import ArtifactPreview

    lesson = await lesson_idle(pilot)
    table = lesson.query_one("#artifacts")
    if not table.row_count:
        lesson.query_one("#steps").move_cursor(row=5)  # the step that writes reports
        lesson.action_run_step()
        await wait_for(pilot, lambda: table.row_count >= 5 and not lesson.running, 30, "the reports")
    lesson.action_show_tab("tab-artifacts")
    table.focus()
    table.move_cursor(row=0)  # the confusion matrix
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ArtifactPreview), 5, "the preview")
    return pilot.app.screen


async def leave_dialog(pilot) -> Screen:
    from workbench.tui.screens.confirm_dialogs import LeaveRunningDialog

    lesson = await lesson_running(pilot)
    lesson.action_back()
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LeaveRunningDialog), 5, "the question")
    return pilot.app.screen


SCREENS: dict[str, Setup] = {
    "home": home,
    "lesson idle": lesson_idle,
    "lesson running": lesson_running,
    "runs": runs,
    "gpu": gpu,
    "serving stopped": serving_stopped,
    "exercise": exercise,
    "params dialog": params_dialog,
    "help": help_screen,
    "artifact preview": artifact_preview,
    "leave dialog": leave_dialog,
}


async def settle(pilot) -> None:
    """Wait until the app is idle (Textual's own test wait; the storm's keys skip it, see quick_keys)."""
    await real_wait_for_idle(0)
    await pilot.pause()


# ---- the storm -----------------------------------------------------------------------------------------------------
async def storm(pilot, where: str, setup: Setup, failures: list[str], keys: list[str] = KEYS) -> None:
    app = pilot.app
    screen = await setup(pilot)
    focused = screen.focused
    for key in keys:
        await pilot.press(key)  # waits until every widget on the screen has handled it
        if key in QUIT_KEYS:
            await real_wait_for_idle(0)  # quitting takes a few turns of the loop
        assert app._exception is None, f"{where}: key {key!r} crashed the app: {app._exception!r}"
        assert not failures, f"{where}: key {key!r}: {failures}"
        if key in QUIT_KEYS and not app.is_running:
            assert app.return_code == 0, f"{where}: quitting with {key!r} returned {app.return_code}"
            return
        assert app.is_running, f"{where}: key {key!r} ended the app"
        # Bring the screen back as it was, so the next key meets the same state.
        if app.screen is not screen:
            await settle(pilot)  # the screen the key opened finishes mounting first, as it would for a person
        if screen in app.screen_stack:
            while app.screen is not screen:
                app.pop_screen()
                await pilot.pause()
        else:
            screen = await setup(pilot)
            focused = screen.focused
        if where == "lesson running":
            await ensure_running(pilot, screen)
        if focused is not None and focused.is_attached and screen.focused is not focused:
            screen.set_focus(focused)
    # The storm's last key is a quit key: on a screen where it quits, the app ended above; elsewhere it is alive.
    await asyncio.sleep(0.2)  # anything still in flight after the last key lands before the verdict
    assert app._exception is None, f"{where}: after the storm: {app._exception!r}"
    assert not failures, f"{where}: after the storm: {failures}"
    assert app.is_running


# Every screen in both languages runs in `make test`; `make test-fast` keeps the map, in each language.
FAST = {("home", i18n.ENGLISH), ("home", i18n.ZH_TW)}
STORMS = [
    pytest.param(where, language, marks=() if (where, language) in FAST else pytest.mark.slow)
    for where in SCREENS
    for language in (i18n.ENGLISH, i18n.ZH_TW)
]


@pytest.mark.parametrize(("where", "language"), STORMS)
async def test_no_key_ends_the_app_on_any_screen(
    where, language, make_app, storm_lessons, failed_workers, quick_queries, quick_keys, monkeypatch
):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    i18n.set_language(language)
    app = make_app(storm_lessons)
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # toasts drawn: a notice can crash too
        await storm(pilot, f"{where} ({language})", SCREENS[where], failed_workers)


async def serving_running(pilot) -> Screen:
    screen = await serving_stopped(pilot)
    await ensure_serving(pilot, screen)
    return screen


async def ensure_serving(pilot, screen) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: screen.state in ("stopped", "running", "no model"), 120, "the model check")
    assert screen.state != "no model", "model-validation should have run first"
    if screen.state == "stopped":
        screen.start_service()
    await wait_for(pilot, lambda: screen.state == "running", 120, "the service to be ready")


@pytest.mark.slow
@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.ZH_TW])
async def test_no_key_ends_the_app_while_the_service_runs(
    language, validated_home, make_app, failed_workers, quick_keys, monkeypatch
):
    """The serving screen with a real `bentoml serve` running (on the session's validated iris model)."""
    monkeypatch.delenv("EDITOR", raising=False)
    i18n.set_language(language)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # toasts drawn: a notice can crash too
        where = f"serving running ({language})"
        screen = await serving_running(pilot)
        focused = screen.focused
        for key in KEYS:
            await pilot.press(key)
            if key in QUIT_KEYS:
                await real_wait_for_idle(0)
            assert app._exception is None, f"{where}: key {key!r} crashed the app: {app._exception!r}"
            assert not failed_workers, f"{where}: key {key!r}: {failed_workers}"
            if key in QUIT_KEYS and not app.is_running:
                return
            assert app.is_running, f"{where}: key {key!r} ended the app"
            if app.screen is not screen:
                await settle(pilot)
            if screen in app.screen_stack:
                while app.screen is not screen:
                    app.pop_screen()
                    await pilot.pause()
                await ensure_serving(pilot, screen)
            else:
                screen = await serving_running(pilot)
                focused = screen.focused
            if focused is not None and focused.is_attached and screen.focused is not focused:
                screen.set_focus(focused)
