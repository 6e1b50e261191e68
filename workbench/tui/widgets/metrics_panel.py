"""Metrics: every multi-point series as a line chart, every metric's latest value in a table.

A step's values are data, never trusted: NaN, infinite and astronomically large values are
left out of the chart (plotext fails on them) and marked in the table, and names are shown
as plain text, never as markup.

Every column of the table stays whole at any width: the table is as wide as its values
(a share of the panel, more if the chart keeps enough room), a long metric name ends in "…"
(the chart's legend has it whole), the points column goes when the values need its room, and in a
narrow panel (a lesson at 80 columns) the table sits under the chart instead of beside it.
"""

from __future__ import annotations

import math
import time

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Label
from textual.widgets.data_table import ColumnKey
from textual_plotext import PlotextPlot

from workbench.i18n import t

CHART_REFRESH_S = 0.25
# plotext overflows on spans beyond ~1e300 and on subnormal numbers: larger values are not drawn, tinier ones drawn as 0.
CHART_MAX_ABS = 1e100
CHART_MIN_ABS = 1e-100
STACK_BELOW = 60  # panel columns under which the table goes under the chart (a lesson at 80 columns)
TABLE_SHARE = 0.45  # beside the chart, the table may always take this share of the panel's width,
CHART_MIN = 46  # and more when its values need it, as long as the chart keeps this many columns (its title)
NAME_MIN = 6  # a metric name keeps at least this many cells (then "…")
NAME_MAX = 24  # the table grows past its share for names up to this long
TITLE_MARGIN = 6  # plotext leaves out a title that does not fit beside the axis labels: a shorter one is chosen
COLUMNS = ("metric", "latest", "points")
CHART_MIN_ROWS = 7  # a title, the frame, the x labels and at least three rows of curve


def plottable(value: float) -> bool:
    return math.isfinite(value) and abs(value) <= CHART_MAX_ABS


def _chart_value(value: float) -> float:
    return 0.0 if abs(value) < CHART_MIN_ABS else value


def fit_wide_rows(drawing: Text, width: int) -> Text:
    """plotext lays a row out in characters, so a row with wide ones (a Chinese title) is wider than the chart and
    wraps: its padding gives back the extra cells, half on each side (which centres the title again)."""
    rows = drawing.split("\n", allow_blank=True)
    fitted = False
    for index, row in enumerate(rows):
        excess, plain = cell_len(row.plain) - width, row.plain
        if width <= 0 or excess <= 0:
            continue
        left, right = len(plain) - len(plain.lstrip(" ")), len(plain) - len(plain.rstrip(" "))
        cut_right = min(right, excess - min(left, excess // 2))
        cut_left = min(left, excess - cut_right)
        rows[index], fitted = row[cut_left : len(plain) - cut_right], True
    return Text("\n").join(rows) if fitted else drawing


class GuardedPlot(PlotextPlot):
    """A chart whose drawing can fail without taking the app with it (plotext has numeric edge cases)."""

    def render(self):
        try:
            drawing = super().render()
        except Exception as exc:  # noqa: BLE001 - any plotext failure: say so in place of the chart
            return Text(f"{t('the chart could not be drawn')}: {type(exc).__name__}: {exc}", style="dim")
        return fit_wide_rows(drawing, self.size.width) if isinstance(drawing, Text) else drawing

    def on_resize(self) -> None:
        # The table beside it widens as values arrive: the chart's title is chosen again for the new width
        # (plotext silently drops a title that no longer fits).
        panel = self.parent
        if isinstance(panel, MetricsPanel):
            panel.chart_resized()


class MetricsPanel(Horizontal):
    DEFAULT_CSS = """
    MetricsPanel { height: 1fr; }
    MetricsPanel > PlotextPlot { width: 1fr; }
    MetricsPanel > DataTable { width: auto; }
    MetricsPanel.-stacked { layout: vertical; }
    MetricsPanel.-stacked > PlotextPlot { height: 1fr; }
    MetricsPanel.-stacked > DataTable { width: 1fr; max-width: 100%; height: auto; max-height: 50%; }
    MetricsPanel > #metrics-too-small { display: none; height: auto; width: 1fr; color: $text-muted; padding: 0 1; }
    MetricsPanel.-short > PlotextPlot { display: none; }
    MetricsPanel.-short > #metrics-too-small { display: block; }
    MetricsPanel.-short > DataTable { height: 1fr; max-height: 100%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: dict[str, list[tuple[float, float]]] = {}
        self.not_drawn: dict[str, int] = {}  # per metric: points left out of the chart (NaN, infinite, huge)
        self._dirty = False
        self._drawn_at = 0.0
        self._touched: set[str] = set()
        self._cells: dict[str, tuple[str, str]] = {}  # per metric: the (latest, points) cells shown
        self._fitted: tuple[tuple[str, ...], int] = (COLUMNS, 0)  # the columns shown, the width names were cut to
        self._stacked = False  # a narrow panel: the table under the chart
        self._has_curves = False  # a series with two drawable points or more

    def compose(self) -> ComposeResult:
        yield GuardedPlot(id="metrics-chart")
        yield Label(t("enlarge the window to see the chart"), id="metrics-too-small")
        yield DataTable(id="metrics-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self._rebuild()

    def on_resize(self) -> None:
        self._stacked = 0 < self.size.width < STACK_BELOW
        self.set_class(self._stacked, "-stacked")
        self._fit_chart()
        if self._fit() != self._fitted:
            self._rebuild()
        self.chart_resized()

    def _fit_chart(self) -> None:
        """Too few rows for a curve (a lesson at 80x24: the chart's share holds its axes only): once there are curves
        to draw, a line says to enlarge the window instead and the table takes the room (the placeholder stays)."""
        chart_rows = self.size.height // 2 if self._stacked else self.size.height
        self.set_class(self._has_curves and 0 < chart_rows < CHART_MIN_ROWS, "-short")

    def chart_resized(self) -> None:
        """Draw again with the title that fits the chart's new width."""
        self._dirty = True
        self.call_after_refresh(self.redraw, True)

    def _fit(self) -> tuple[tuple[str, ...], int]:
        """The columns to show and the cells a metric name may take, so that every other column shows whole:
        the points column goes first when the values need the room (the chart's title counts what was not drawn)."""
        longest = max([cell_len(t(COLUMNS[0])), *(cell_len(name) for name in self._cells)])
        width = self.size.width
        if not width:
            return COLUMNS, longest  # not laid out yet
        table = self.query_one(DataTable)
        rows_shown = self.size.height // 2 if self._stacked else self.size.height
        scrollbar = 2 if len(self._cells) + 1 > rows_shown else 0  # the header and the rows: do they scroll?
        for columns in (COLUMNS, COLUMNS[:2]):
            others = 2 * table.cell_padding * len(columns) + scrollbar
            for i, key in enumerate(columns[1:]):
                drawn = table.columns.get(ColumnKey(key))  # a column drawn wider keeps its width until a rebuild
                widths = [cell_len(t(key)), drawn.content_width if drawn else 0]
                others += max(widths + [cell_len(cells[i]) for cells in self._cells.values()])
            wanted = others + min(longest, NAME_MAX)
            budget = width if self._stacked else max(int(width * TABLE_SHARE), min(wanted, width - CHART_MIN))
            room = budget - others
            if room >= min(longest, NAME_MIN):
                break
        return columns, min(longest, max(room, NAME_MIN))

    def _name_cell(self, name: str) -> Text:
        text = Text(name)  # Text: a step's metric name is never markup
        text.truncate(self._fitted[1], overflow="ellipsis")
        return text

    def _rebuild(self) -> None:
        """Every row again, fitted to the width there is now (a column only grows while rows are updated)."""
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        self._fitted = self._fit()
        columns = self._fitted[0]
        for column in columns:
            table.add_column(t(column), key=column)
        for name in sorted(self._cells):
            table.add_row(self._name_cell(name), *self._cells[name][: len(columns) - 1], key=name)
        if 0 <= cursor < table.row_count:
            table.move_cursor(row=cursor, animate=False)

    def clear(self) -> None:
        self.series.clear()
        self.not_drawn.clear()
        self._touched.clear()
        self._cells.clear()
        self._rebuild()
        self._dirty = True
        self.redraw(force=True)

    def add(self, name: str, value: float, step: int | None) -> None:
        """Record a point; the table and chart catch up in ``sync`` (once per frame, not per point)."""
        points = self.series.setdefault(name, [])
        points.append((float(step if step is not None else len(points)), value))
        if not plottable(value):
            self.not_drawn[name] = self.not_drawn.get(name, 0) + 1
        self._touched.add(name)
        self._dirty = True

    def sync(self) -> None:
        """Show the latest value of every metric that changed since the last frame, then redraw the chart."""
        table = self.query_one(DataTable)
        for name in sorted(self._touched):
            points = self.series[name]
            latest = points[-1][1]
            left_out = self.not_drawn.get(name, 0)
            self._cells[name] = (
                f"{latest:.6g}" if plottable(latest) else f"{latest:.6g} ({t('not drawn')})",
                str(len(points)) if not left_out else f"{len(points)} ({left_out} {t('not drawn')})",
            )
        if self._touched and self._fit() != self._fitted:
            self._rebuild()  # a longer value or name: the table is fitted again so that every column stays whole
        else:
            columns = self._fitted[0]
            for name in sorted(self._touched):
                cells = self._cells[name][: len(columns) - 1]
                if name in table.rows:
                    for key, cell in zip(columns[1:], cells, strict=True):
                        table.update_cell(name, key, cell, update_width=True)
                else:
                    table.add_row(self._name_cell(name), *cells, key=name)
        self._touched.clear()
        self.redraw()

    def latest(self, name: str) -> float | None:
        points = self.series.get(name)
        return points[-1][1] if points else None

    def redraw(self, force: bool = False) -> None:
        """Draw the chart at most every CHART_REFRESH_S (plotext rendering is not free)."""
        now = time.monotonic()
        if not self._dirty or (not force and now - self._drawn_at < CHART_REFRESH_S):
            return
        self._dirty = False
        self._drawn_at = now
        chart = self.query_one(PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        curves = {name: [(x, _chart_value(y)) for x, y in pts if plottable(y)] for name, pts in self.series.items()}
        curves = {name: pts for name, pts in curves.items() if len(pts) > 1}
        if bool(curves) != self._has_curves:
            self._has_curves = bool(curves)
            self._fit_chart()
        if curves:
            for name, pts in curves.items():
                plt.plot([p[0] for p in pts], [p[1] for p in pts], label=name, marker="braille")
            left_out = sum(self.not_drawn.values())
            title = t("metrics per step")
            note = t("{count} not drawn (NaN/inf/huge)", count=left_out)
            plt.title(self._fitting_title(chart, f"{title} — {note}", note) if left_out else title)
        else:
            plt.title(
                self._fitting_title(chart, t("metric curves appear here while a step runs"), t("metric curves appear here"))
            )
        chart.refresh()

    @staticmethod
    def _fitting_title(chart: PlotextPlot, *choices: str) -> str:
        """The first title that the chart's width can show (plotext drops one that is too long)."""
        width = chart.size.width
        return next((title for title in choices if not width or cell_len(title) + TITLE_MARGIN <= width), choices[-1])
