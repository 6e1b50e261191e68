"""The metrics table at 80x24 (and 120x40): every column shows whole, long names end in "…", values that grow
keep their column wide enough.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from tests.tui.long_output_lesson import LONG_METRIC, SMALL, make_long_output_lessons, open_and_run
from workbench.tui.widgets.metrics_panel import MetricsPanel


@pytest.fixture
def long_output_lessons(tmp_path: Path) -> Path:
    return make_long_output_lessons(tmp_path)


def assert_every_column_whole(panel: MetricsPanel) -> DataTable:
    table = panel.query_one(DataTable)
    visible = table.scrollable_content_region
    assert visible.width > 0 and visible.right <= panel.region.right
    assert table.virtual_size.width <= visible.width, "columns hidden past the table's right edge"
    for key, column in table.columns.items():
        for row in table.rows:
            content = Text.from_markup(str(table.get_cell(row, key))).plain
            shown = column.get_render_width(table) - 2 * table.cell_padding
            assert cell_len(content) <= shown, f"{key.value} {content!r} is cut to {shown} cells"
    return table


async def test_every_column_of_the_metrics_table_shows_whole_at_80x24(make_app, long_output_lessons):
    app = make_app(long_output_lessons)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_and_run(pilot)
        await pilot.press("m")
        await pilot.pause(0.5)
        panel = screen.query_one(MetricsPanel)
        table = assert_every_column_whole(panel)
        assert table.row_count == 4
        latest = {str(row.value): str(table.get_cell(row, "latest")) for row in table.rows}
        assert latest["loss"] == f"{1 / 32:.6g}" and latest["lr"] == "0.00123457"
        assert latest["only_nan"] == "nan (not drawn)"
        names = [table.get_cell(row, "metric").plain for row in table.rows]
        assert LONG_METRIC in names or any(n.endswith("…") and LONG_METRIC.startswith(n[:-1]) for n in names)
        # At 120x40 the table sits beside the chart, every column still whole.
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.5)
        chart = panel.query_one("#metrics-chart")
        assert chart.region.right <= table.region.x, "the table is not beside the chart"
        assert_every_column_whole(panel)
    assert app.return_code in (None, 0), "the app crashed"
