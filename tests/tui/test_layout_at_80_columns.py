"""Nothing lost to the layout at 80x24: step titles use the table's whole width and a cut one shows whole under
it; the progress bar's ETA is not cut; the map has no blank row between its boxes (and keeps its layout at
120x40 and 140x42).
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from tests.conftest import FIXTURE_CURRICULUM
from tests.tui.conftest import lessons_loaded, wait_for
from tests.tui.long_output_lesson import SMALL, open_lesson


async def test_step_titles_take_the_rest_of_the_table_and_a_cut_title_shows_whole_below(make_app, long_output_lessons):
    from textual.widgets import Label

    app = make_app(long_output_lessons)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_lesson(pilot)
        steps = screen.query_one("#steps", DataTable)
        used = sum(column.get_render_width(steps) for column in steps.columns.values())
        assert used == steps.scrollable_content_region.width, "cells left unused beside the step titles"
        assert steps.max_scroll_x == 0
        title = screen.query_one("#step-title", Label)
        long_title = "Print long lines, wide characters, tabs and escape sequences, and report metrics"
        # The first step's title is longer than the table: cut there with "…", whole right under it.
        assert str(steps.get_cell("shout", "step")).endswith("…")
        assert title.display and long_title in str(title.render()).replace("\n", " ")
        assert title.region.bottom <= screen.query_one("#readme-scroll").region.y
        # A title that fits: nothing repeated under the table.
        await pilot.press("down")
        await pilot.pause(0.2)
        assert str(steps.get_cell("quick", "step")) == "A short step"
        assert not title.display


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (140, 42)])
async def test_no_blank_row_between_the_application_box_and_the_boxes_under_it(make_app, size):
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=size) as pilot:
        await lessons_loaded(pilot)
        await pilot.pause(0.3)
        boxes = {box.id: box.region for box in app.screen.query(".layer")}
        application = boxes["layer-application"]
        for below in ("layer-domain", "layer-infrastructure"):
            assert boxes[below].y == application.bottom, f"{below} starts {boxes[below].y - application.bottom} rows lower"
        assert boxes["layer-shared"].y == max(boxes["layer-domain"].bottom, boxes["layer-infrastructure"].bottom)
        # Side by side, the two middle boxes share the width (one column between them), as the grid drew them.
        domain, infrastructure = boxes["layer-domain"], boxes["layer-infrastructure"]
        assert domain.y == infrastructure.y and infrastructure.x == domain.right + 1
        assert abs(domain.width - infrastructure.width) <= 1 and infrastructure.right == application.right


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
