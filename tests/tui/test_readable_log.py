"""The log a learner reads at 80x24: long lines wrap inside the panel (w unwraps them, the help lists the key),
whatever a step prints; after scrolling up, the next run's output is followed again.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tests.tui.conftest import wait_for
from tests.tui.long_output_lesson import SMALL, UNBROKEN, WIDE, WORDS, open_and_run, run, unwrapped
from workbench.tui.widgets.log_panel import LogPanel


async def test_long_log_lines_wrap_at_80_columns_and_w_unwraps_them(make_app, long_output_lessons):
    app = make_app(long_output_lessons)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_and_run(pilot)
        log = screen.query_one(LogPanel).log_widget
        width = log.scrollable_content_region.width
        rows = [row for row in log.lines if row]
        too_wide = [row for row in rows if cell_len(row.expandtabs()) > width]
        assert too_wide == [], f"lines past the log's right edge ({width} cells): {too_wide[:2]}"
        assert log.max_scroll_x == 0, "a horizontal scrollbar under a wrapping log"
        read = unwrapped(rows)
        for whole in (WORDS.replace(" ", ""), UNBROKEN, WIDE):
            assert whole in read.replace(" ", ""), f"{whole[:30]}… is not all there once wrapped"
        assert not any("\x1b" in row or "\x07" in row for row in rows), "an escape sequence reached the screen"
        assert "clearscreen,title,redandcursorup" in read.replace(" ", "")
        # Wider terminal: the lines are wrapped again at the new width.
        await pilot.resize_terminal(160, 40)
        await wait_for(pilot, lambda: log.scrollable_content_region.width > width, 5, "the wider layout")
        await pilot.pause(0.3)
        wider = log.scrollable_content_region.width
        rows = [row for row in log.lines if row]
        assert max(cell_len(row) for row in rows) > width and all(cell_len(row.expandtabs()) <= wider for row in rows)
        await pilot.resize_terminal(*SMALL)
        await pilot.pause(0.3)
        # w: long lines whole, scrolling sideways; w again: wrapped.
        await pilot.press("w")
        await pilot.pause(0.3)
        assert WORDS in list(log.lines) and log.max_scroll_x > 0
        await pilot.press("w")
        await pilot.pause(0.3)
        assert WORDS not in list(log.lines) and log.max_scroll_x == 0
        assert all(cell_len(row.expandtabs()) <= log.scrollable_content_region.width for row in log.lines)
        # The saved log and the filter see the lines as the step wrote them, not as drawn.
        assert WORDS in screen.query_one(LogPanel).lines
        # The help lists the key.
        await pilot.press("question_mark")
        await pilot.pause(0.3)
        assert "Wrap log on/off" in str(app.screen.query_one("#help-text").render())
    assert app.return_code in (None, 0), "the app crashed"


async def test_the_log_follows_the_next_run_after_the_learner_scrolled_up(make_app, long_output_lessons):
    app = make_app(long_output_lessons)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_and_run(pilot)
        panel = screen.query_one(LogPanel)
        panel.write_lines([f"earlier line {i}" for i in range(200)])
        await wait_for(pilot, lambda: not panel._backlog, 10, "the lines to draw")
        log = panel.log_widget
        log.scroll_home(animate=False)
        await pilot.pause(0.2)
        assert not log.is_vertical_scroll_end
        await run(pilot, screen, "quick")
        assert log.is_vertical_scroll_end, "the new run's output is below the learner's view"
        assert "PASS long-output/quick" in unwrapped([row for row in log.lines if row]).splitlines()[-1]


@pytest.mark.parametrize(
    "line",
    [
        "! 已要求取消：正在結束這個步驟的整個行程樹，然後回到課程",  # a mark, then Chinese with no space to break at
        "PASS long-output/shout (0.4 s): value = 1 (≥ 1) and a summary that goes on for a while",
        "/home/learner/.local/share/mlops-workbench/artifacts/sklearn-iris/confusion_matrix.json",
        "ab寬" * 30,
        "col1\tcol2\tcol3\t" * 5,
    ],
)
def test_a_wrapped_line_fills_its_rows_and_never_passes_the_width(line):
    from workbench.tui.widgets.log_panel import CONTINUATION, wrap_line

    width = 34
    rows = wrap_line(line, width)
    assert len(rows) > 1 and all(cell_len(row) <= width for row in rows), rows
    assert all(row.startswith(CONTINUATION) for row in rows[1:])
    assert all(cell_len(row) > width // 2 for row in rows[:-1]), f"a row left mostly empty: {rows}"
    assert "".join(row.strip() for row in rows).replace(" ", "") == line.expandtabs().replace(" ", "")
