"""A learner's keymap.toml really moves a binding: the new key runs the action, the old one no longer does."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.conftest import FIXTURE_CURRICULUM
from tests.tui.conftest import lessons_loaded, wait_for


def _state(table: DataTable, row: str) -> str:
    value = table.get_cell(row, "state")
    return getattr(value, "plain", str(value))


async def test_a_remapped_key_runs_the_step_and_the_old_key_does_not(home, make_app):
    (home / "keymap.toml").write_text('"lesson.run_step" = "f5"\n')
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=(150, 45)) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson("check-the-machine")
        await pilot.pause()
        steps = app.screen.query_one("#steps", DataTable)
        await pilot.press("r")  # the old key: nothing runs
        await pilot.pause(1.0)
        assert "passed" not in _state(steps, "report")
        await pilot.press("f5")
        await wait_for(pilot, lambda: "passed" in _state(steps, "report"), 30, "f5 to run the step")
