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


@pytest.mark.parametrize("size", [(80, 24), pytest.param((120, 40), marks=pytest.mark.slow)])  # 120x40 in make test
async def test_the_serving_screens_buttons_are_whole_and_its_chart_starts_at_zero(make_app, quick_queries, size):
    """In the request column the third button was cut ("Load test (l" at 120x40, gone at 80x24); before any request
    the requests/s axis ran from -1 to 1."""
    from collections import deque

    from textual.widgets import Button

    from workbench.tui.screens.serving_screen import ServingScreen

    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=size) as pilot:
        await lessons_loaded(pilot)
        app.action_open_serving()
        await wait_for(pilot, lambda: isinstance(app.screen, ServingScreen), 5, "the serving screen")
        await pilot.pause(0.3)
        screen = app.screen
        for button in screen.query(Button):
            label = str(button.label)
            inner, row = button.content_region, button.parent.region  # what is outside its row is not drawn
            assert inner.right <= row.right and inner.width >= len(label), f"{label!r}: {inner} in a row {row}"
        screen.rps = deque([(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)])
        screen.p95 = deque([(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)])
        screen._draw_chart()
        drawn = screen.query_one("#serve-chart").plt.build()
        assert "-1" not in drawn and "-0.5" not in drawn
