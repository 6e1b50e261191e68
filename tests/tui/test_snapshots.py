"""What a learner sees, pixel for pixel (pytest-textual-snapshot), on the fixture curriculum so that editing a real
lesson never changes a picture: the map at 140x42 and at 80x24, a lesson, its code tab, the help screen, and the map
and a lesson in Traditional Chinese.

Update the pictures after an intended change with: .venv/bin/pytest tests/tui --snapshot-update
"""

from __future__ import annotations

from tests.conftest import FIXTURE_CURRICULUM
from tests.tui.conftest import lessons_loaded
from workbench import i18n

SIZE = (140, 42)


async def map_loaded(pilot) -> None:
    await lessons_loaded(pilot)
    await pilot.pause(0.2)


def lesson_opened(lesson_id: str, *keys: str):
    """Open the lesson from a loaded map, then press ``keys`` (a tab, the help) and let the screen settle."""

    async def run_before(pilot) -> None:
        await lessons_loaded(pilot)
        pilot.app.open_lesson(lesson_id)
        await pilot.pause()
        await pilot.pause(0.3)
        if keys:
            await pilot.press(*keys)
            await pilot.pause(0.3)

    return run_before


def test_home_screen(snap_compare, make_app):
    assert snap_compare(make_app(FIXTURE_CURRICULUM), terminal_size=SIZE, run_before=map_loaded)


def test_home_screen_at_80x24(snap_compare, make_app):
    assert snap_compare(make_app(FIXTURE_CURRICULUM), terminal_size=(80, 24), run_before=map_loaded)


def test_lesson_screen(snap_compare, make_app):
    assert snap_compare(make_app(FIXTURE_CURRICULUM), terminal_size=SIZE, run_before=lesson_opened("train-a-model"))


def test_lesson_screen_at_80x24(snap_compare, make_app):
    assert snap_compare(make_app(FIXTURE_CURRICULUM), terminal_size=(80, 24), run_before=lesson_opened("clean-data"))


def test_lesson_screen_code_tab(snap_compare, make_app):
    assert snap_compare(make_app(FIXTURE_CURRICULUM), terminal_size=SIZE, run_before=lesson_opened("train-a-model", "c"))


def test_help_screen(snap_compare, make_app):
    run_before = lesson_opened("train-a-model", "question_mark")
    assert snap_compare(make_app(FIXTURE_CURRICULUM), terminal_size=SIZE, run_before=run_before)


def test_home_screen_in_traditional_chinese(snap_compare, make_app):
    """CJK wide characters: layer boxes, titles, counts and the footer keep their alignment."""
    i18n.set_language("zh-TW")
    assert snap_compare(make_app(FIXTURE_CURRICULUM), terminal_size=SIZE, run_before=map_loaded)


def test_lesson_screen_in_traditional_chinese(snap_compare, make_app):
    i18n.set_language("zh-TW")
    assert snap_compare(make_app(FIXTURE_CURRICULUM), terminal_size=SIZE, run_before=lesson_opened("train-a-model"))
