"""What a learner sees, pixel for pixel: home and lesson screens (pytest-textual-snapshot).

Update the pictures after an intended change with: .venv/bin/pytest tests/tui --snapshot-update
"""

from __future__ import annotations

from tests.tui.conftest import lessons_loaded

SIZE = (140, 42)


def test_home_screen(snap_compare, make_app):
    async def loaded(pilot):
        await lessons_loaded(pilot)
        await pilot.pause(0.2)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=loaded)


def test_lesson_screen(snap_compare, make_app):
    async def open_lesson(pilot):
        await lessons_loaded(pilot)
        pilot.app.open_lesson("sklearn-iris")
        await pilot.pause()
        await pilot.pause(0.3)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_lesson)


def test_lesson_screen_code_tab(snap_compare, make_app):
    async def open_code(pilot):
        await lessons_loaded(pilot)
        pilot.app.open_lesson("model-validation")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause(0.3)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_code)


def test_home_screen_in_traditional_chinese(snap_compare, make_app):
    """CJK wide characters: layer boxes, titles, counts and the footer keep their alignment."""
    from workbench import i18n

    i18n.set_language("zh-TW")

    async def loaded(pilot):
        await lessons_loaded(pilot)
        await pilot.pause(0.2)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=loaded)


def test_lesson_screen_in_traditional_chinese(snap_compare, make_app):
    from workbench import i18n

    i18n.set_language("zh-TW")

    async def open_lesson(pilot):
        await lessons_loaded(pilot)
        pilot.app.open_lesson("model-validation")
        await pilot.pause()
        await pilot.pause(0.3)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_lesson)
