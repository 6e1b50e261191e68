"""The map as a learner uses it: it fits (80x24: every lesson reachable and in view when focused; 120x40: all of it
at once), the arrows move across the boxes as drawn, the footer fits in 80 columns, ? explains every key and mark,
and a fresh home says where to start, then which lesson comes next."""

from __future__ import annotations

import subprocess
import sys

import pytest
from textual.widgets import Footer, Label, ListView

from tests.conftest import FIXTURE_CURRICULUM, REPO_ROOT
from tests.tui.conftest import STORM_LESSON_ID, lessons_loaded, wait_for
from workbench import i18n
from workbench.tui.screens.home_screen import HomeScreen, LessonItem
from workbench.tui.screens.lesson_screen import LessonScreen


def highlighted(app) -> str | None:  # type: ignore[no-untyped-def]
    focused = app.screen.focused
    item = focused.highlighted_child if isinstance(focused, ListView) else None
    return item.lesson_id if isinstance(item, LessonItem) else None


def in_view(app, lesson_id: str) -> bool:  # type: ignore[no-untyped-def]
    """The lesson's line is drawn inside the map's visible area (not scrolled away, not off screen)."""
    item = next(i for i in app.screen.query(LessonItem) if i.lesson_id == lesson_id)
    scrolls = app.screen.query("#map-scroll")
    area = scrolls.first().region if scrolls else app.screen.query_one("#layer-map").region
    region = item.region
    return region.height > 0 and area.contains_region(region) and region.bottom <= app.size.height


async def test_at_120x40_the_whole_map_is_visible_without_scrolling(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await lessons_loaded(pilot)
        await pilot.pause(0.2)
        assert all(scroll.max_scroll_y == 0 for scroll in app.screen.query("#map-scroll, ListView"))
        assert app.screen.query_one("#presentation").display  # the explanations too
        for lesson in app.curriculum.lessons:
            assert in_view(app, lesson.id), lesson.id


async def test_at_80x24_every_lesson_can_be_reached_and_is_in_view_when_focused(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await lessons_loaded(pilot)
        await pilot.pause(0.2)
        seen: set[str] = set()
        # Down through every box, then across to infrastructure and up through it.
        script = ["home"] + ["down"] * 20 + ["up"] * 2 + ["right"] + ["up"] * 6 + ["down"] * 6
        for key in script:
            await pilot.press(key)
            await pilot.pause()
            current = highlighted(app)
            assert current is not None
            assert in_view(app, current), f"{current} is focused but not in view"
            seen.add(current)
        assert seen == {lesson.id for lesson in app.curriculum.lessons}


async def test_arrows_cross_the_boxes_as_drawn_and_home_end_j_k_work(make_app):
    app = make_app(FIXTURE_CURRICULUM)  # shared: check-the-machine; domain: clean-data; application: train-a-model;
    async with app.run_test(size=(120, 40)) as pilot:  # infrastructure: ship-it
        await lessons_loaded(pilot)
        assert highlighted(app) == "check-the-machine"  # the first lesson of the curriculum
        moves = [
            ("home", "train-a-model"),  # first box on the map: application
            ("down", "clean-data"),  # over the bottom edge of application into domain
            ("right", "ship-it"),  # domain and infrastructure sit side by side
            ("left", "clean-data"),
            ("j", "check-the-machine"),  # j is down: domain into shared
            ("k", "clean-data"),  # k is up
            ("up", "train-a-model"),
            ("end", "check-the-machine"),
        ]
        for key, expected in moves:
            await pilot.press(key)
            await pilot.pause()
            assert highlighted(app) == expected, f"after {key}"


@pytest.mark.parametrize("language", [i18n.ENGLISH, i18n.ZH_TW])
async def test_every_footer_fits_in_80_columns(language, make_app, storm_lessons, quick_queries):
    from tests.tui.test_key_storm import SCREENS

    i18n.set_language(language)
    app = make_app(storm_lessons)
    async with app.run_test(size=(80, 24)) as pilot:
        for where in ("home", "lesson idle", "runs", "gpu", "serving stopped", "exercise", "params dialog"):
            screen = await SCREENS[where](pilot)
            await pilot.pause(0.2)
            footer = screen.query_one(Footer)
            await wait_for(pilot, lambda f=footer: any(key.region.width for key in f.children), 5, f"{where}'s footer")
            keys = [key for key in footer.children if key.region.width]
            assert footer.virtual_size.width <= footer.size.width, f"{where}: the footer overflows"
            assert keys and all(key.region.right <= 80 for key in keys), f"{where}: a key is off the edge"
            assert (
                any("?" in key.key_display or key.key == "question_mark" for key in footer.children) or where == "params dialog"
            ), f"{where}: the footer does not say where help is"


async def test_home_footer_keeps_open_while_the_list_has_focus(make_app):
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=(120, 40)) as pilot:
        await lessons_loaded(pilot)
        assert isinstance(app.screen.focused, ListView)
        shown = {b.binding.key: b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert shown.get("enter") == "Open"


async def test_help_lists_every_key_the_marks_and_where_the_readme_is(make_app, storm_lessons):
    from textual.widgets import Static

    from workbench.tui.screens.help_screen import HelpScreen

    app = make_app(storm_lessons)
    async with app.run_test(size=(120, 40)) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson(STORM_LESSON_ID)
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        for key, does in (
            ("k", "Commands"),
            ("f", "Files"),
            ("l", "Log"),
            ("s", "Save log"),
            ("/", "Filter log"),
            ("n", "Next lesson"),
            ("^t", "Theme"),
            ("^l", "中文/English"),
            ("h", "Home"),
        ):
            assert any(line.split()[:1] == [key] and does in line for line in text.splitlines()), f"{key} {does}"
        for mark in ("○", "◐", "✔", "✘", "■", "↯"):
            assert mark in text
        assert "interrupted" in text
        assert "lessons/099-storm-steps/README.md" in text or "099-storm-steps/README.md" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_the_startup_time_is_shown_once_on_the_map_not_in_every_title(home, storm_lessons, quick_queries):
    from textual.widgets._header import HeaderTitle

    from workbench.tui.app import WorkbenchApp

    app = WorkbenchApp(home=home, lessons_dir=storm_lessons, show_startup_time=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await lessons_loaded(pilot)
        await pilot.pause()

        def title() -> str:
            return str(app.screen.query_one(HeaderTitle).render())

        assert "started in" in title()
        for key in ("e", "escape", "g", "escape", "v", "escape"):
            await pilot.press(key)
            await pilot.pause(0.2)
            if not isinstance(app.screen, HomeScreen):
                assert "started in" not in title(), type(app.screen).__name__
        app.open_lesson(STORM_LESSON_ID)
        await pilot.pause()
        assert "started in" not in title()


async def test_a_fresh_home_says_where_to_start_and_a_pass_offers_the_next_lesson(make_app):
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=(120, 40)) as pilot:
        await lessons_loaded(pilot)
        label = app.screen.query_one("#overall-label", Label)
        assert "start here: check-the-machine" in str(label.render())
        assert highlighted(app) == "check-the-machine"
        details = str(app.screen.query_one("#lesson-details", Label).render())
        assert "needs no other lesson" in details
        # The map says what a lesson needs.
        entry = next(i for i in app.screen.query(LessonItem) if i.lesson_id == "train-a-model")
        assert "← clean-data" in str(entry.query_one(Label).render())
        await pilot.press("enter", "a")
        screen = app.screen
        await wait_for(
            pilot,
            lambda: app.progress.lesson_status("check-the-machine") == "passed" and not screen.running,
            30,
            "the lesson to pass",
        )
        await pilot.pause(0.3)
        assert "Next: clean-data — press n" in str(screen.query_one("#run-status", Label).render())
        await pilot.press("n")
        await wait_for(
            pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.lesson.id == "clean-data", 5, "the next lesson"
        )
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: app.progress.lesson_status("clean-data") == "passed" and not app.screen.running,
            30,
            "clean-data to pass",
        )
        await pilot.press("escape")
        await pilot.pause()
        assert "next: train-a-model (n)" in str(app.screen.query_one("#overall-label", Label).render())
        await pilot.press("n")  # opens the lesson the line names
        await wait_for(
            pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.lesson.id == "train-a-model", 5, "train-a-model"
        )
        await pilot.press("escape")
        await pilot.pause()
        assert highlighted(app) == "train-a-model"
        entry = next(i for i in app.screen.query(LessonItem) if i.lesson_id == "train-a-model")
        assert "←" not in str(entry.query_one(Label).render())  # its prerequisite has passed


async def test_the_palette_offers_the_next_lesson(make_app):
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=(120, 40)) as pilot:
        await lessons_loaded(pilot)
        from workbench.tui.commands import WorkbenchCommands

        names = [name for name, _, _ in WorkbenchCommands(app.screen)._commands()]
        assert any(name.startswith("Next lesson: check-the-machine") for name in names)


async def test_the_map_shows_interrupted_runs_and_exercise_progress(make_app, home):
    # A run whose owner died (the UI killed while the step ran) reads as interrupted.
    code = (
        "import os, sys; from pathlib import Path; from workbench.progress_store import ProgressStore; "
        "s = ProgressStore.open(Path(sys.argv[1])); s.record_lesson('ship-it', 'running'); "
        "s.record_exercise('drop-rule', 'passed', 'ok'); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(home)], check=True, cwd=REPO_ROOT)
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=(120, 40)) as pilot:
        await lessons_loaded(pilot)
        entries = {i.lesson_id: str(i.query_one(Label).render()) for i in app.screen.query(LessonItem)}
        assert entries["ship-it"].startswith("↯")
        assert "✎1/1" in entries["clean-data"]


async def test_back_on_the_map_the_cursor_is_on_the_lesson_you_left(make_app):
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=(120, 40)) as pilot:
        await lessons_loaded(pilot)
        await pilot.press("home")  # train-a-model
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("n")  # on to the next lesson (check-the-machine, from the lesson screen)
        await wait_for(
            pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.lesson.id != "train-a-model", 5, "the next lesson"
        )
        opened = app.screen.lesson.id
        await pilot.press("escape")
        await pilot.pause()
        assert highlighted(app) == opened
        await pilot.press("question_mark")  # a dialog closing does not move the cursor
        await pilot.press("down")
        await pilot.press("escape")
        await pilot.pause()
        assert highlighted(app) == opened


async def test_the_map_suggests_what_follows_the_lesson_you_just_passed(make_app):
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=(120, 40)) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson("clean-data")  # skipping check-the-machine, the first one
        await pilot.pause()
        screen = app.screen
        await pilot.press("a")
        await wait_for(
            pilot, lambda: app.progress.lesson_status("clean-data") == "passed" and not screen.running, 30, "clean-data to pass"
        )
        await pilot.press("escape")
        await pilot.pause()
        label = str(app.screen.query_one("#overall-label", Label).render())
        assert "next: train-a-model (n)" in label, label  # what clean-data opened up, not the skipped first lesson
