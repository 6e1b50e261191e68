"""Metrics: every multi-point series as a line chart, every metric's latest value in a table.

A step's values are data, never trusted: NaN, infinite and astronomically large values are
left out of the chart (plotext fails on them) and marked in the table, and names are shown
as plain text, never as markup.
"""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable
from textual_plotext import PlotextPlot

from workbench.i18n import t

CHART_REFRESH_S = 0.25
# plotext overflows on spans beyond ~1e300 and on subnormal numbers: larger values are not drawn, tinier ones drawn as 0.
CHART_MAX_ABS = 1e100
CHART_MIN_ABS = 1e-100


def plottable(value: float) -> bool:
    return math.isfinite(value) and abs(value) <= CHART_MAX_ABS


def _chart_value(value: float) -> float:
    return 0.0 if abs(value) < CHART_MIN_ABS else value


class GuardedPlot(PlotextPlot):
    """A chart whose drawing can fail without taking the app with it (plotext has numeric edge cases)."""

    def render(self):
        try:
            return super().render()
        except Exception as exc:  # noqa: BLE001 - any plotext failure: say so in place of the chart
            return Text(f"{t('the chart could not be drawn')}: {type(exc).__name__}: {exc}", style="dim")


class MetricsPanel(Horizontal):
    DEFAULT_CSS = """
    MetricsPanel { height: 1fr; }
    MetricsPanel > PlotextPlot { width: 2fr; }
    MetricsPanel > DataTable { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: dict[str, list[tuple[float, float]]] = {}
        self.not_drawn: dict[str, int] = {}  # per metric: points left out of the chart (NaN, infinite, huge)
        self._dirty = False
        self._drawn_at = 0.0
        self._touched: set[str] = set()

    def compose(self) -> ComposeResult:
        yield GuardedPlot(id="metrics-chart")
        table: DataTable = DataTable(id="metrics-table", cursor_type="row", zebra_stripes=True)
        table.add_column(t("metric"), key="metric")
        table.add_column(t("latest"), key="latest")
        table.add_column(t("points"), key="points")
        yield table

    def clear(self) -> None:
        self.series.clear()
        self.not_drawn.clear()
        self._touched.clear()
        self.query_one(DataTable).clear()
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
            cells = (
                f"{latest:.6g}" if plottable(latest) else f"{latest:.6g} ({t('not drawn')})",
                str(len(points)) if not left_out else f"{len(points)} ({left_out} {t('not drawn')})",
            )
            if name in table.rows:
                table.update_cell(name, "latest", cells[0])
                table.update_cell(name, "points", cells[1])
            else:
                table.add_row(Text(name), *cells, key=name)  # Text: a step's metric name is never markup
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
        if curves:
            for name, pts in curves.items():
                plt.plot([p[0] for p in pts], [p[1] for p in pts], label=name, marker="braille")
            left_out = sum(self.not_drawn.values())
            title = t("metrics per step")
            plt.title(title if not left_out else f"{title} — {t('{count} not drawn (NaN/inf/huge)', count=left_out)}")
        else:
            plt.title(t("metric curves appear here while a step runs"))
        chart.refresh()
