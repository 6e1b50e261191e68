"""Nothing lost to the layout at 80x24: the progress bar's ETA is not cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.tui.conftest import wait_for
from tests.tui.long_output_lesson import SMALL, make_long_output_lessons, open_lesson


@pytest.fixture
def long_output_lessons(tmp_path: Path) -> Path:
    return make_long_output_lessons(tmp_path)


async def test_the_progress_bar_shows_its_eta_whole_at_80_columns(make_app, long_output_lessons):
    from textual.widgets import ProgressBar

    app = make_app(long_output_lessons)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_lesson(pilot)
        screen.query_one("#steps", DataTable).move_cursor(row=2)
        await pilot.press("r")
        bar = screen.query_one("#progress", ProgressBar)
        eta = bar.query_one("#eta")
        await wait_for(pilot, lambda: eta.display and (bar.percentage or 0) > 0.05, 20, "progress with an ETA")
        column = screen.query_one("#lesson-right").region
        assert eta.region.width == 9 and eta.region.right <= column.right, f"the ETA at {eta.region} is cut by {column}"
        assert bar.query_one("#percentage").region.right <= eta.region.x
        await pilot.press("x")
        await wait_for(pilot, lambda: not screen.running, 10, "the cancel")
