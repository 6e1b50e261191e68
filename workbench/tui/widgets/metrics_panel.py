"""Metrics: every multi-point series as a line chart, every metric's latest value in a table."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable
from textual_plotext import PlotextPlot
from workbench.i18n import t

CHART_REFRESH_S = 0.25


class MetricsPanel(Horizontal):
    DEFAULT_CSS = """
    MetricsPanel { height: 1fr; }
    MetricsPanel > PlotextPlot { width: 2fr; }
    MetricsPanel > DataTable { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: dict[str, list[tuple[float, float]]] = {}
        self._dirty = False
        self._drawn_at = 0.0
        self._touched: set[str] = set()

    def compose(self) -> ComposeResult:
        yield PlotextPlot(id="metrics-chart")
        table: DataTable = DataTable(id="metrics-table", cursor_type="row", zebra_stripes=True)
        table.add_column(t("metric"), key="metric")
        table.add_column(t("latest"), key="latest")
        table.add_column(t("points"), key="points")
        yield table

    def clear(self) -> None:
        self.series.clear()
        self._touched.clear()
        self.query_one(DataTable).clear()
        self._dirty = True
        self.redraw(force=True)

    def add(self, name: str, value: float, step: int | None) -> None:
        """Record a point; the table and chart catch up in ``sync`` (once per frame, not per point)."""
        points = self.series.setdefault(name, [])
        points.append((float(step if step is not None else len(points)), value))
        self._touched.add(name)
        self._dirty = True

    def sync(self) -> None:
        """Show the latest value of every metric that changed since the last frame, then redraw the chart."""
        table = self.query_one(DataTable)
        for name in sorted(self._touched):
            points = self.series[name]
            cells = (f"{points[-1][1]:.6g}", str(len(points)))
            if name in table.rows:
                table.update_cell(name, "latest", cells[0])
                table.update_cell(name, "points", cells[1])
            else:
                table.add_row(name, *cells, key=name)
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
        curves = {name: pts for name, pts in self.series.items() if len(pts) > 1}
        if curves:
            for name, pts in curves.items():
                plt.plot([p[0] for p in pts], [p[1] for p in pts], label=name, marker="braille")
            plt.title(t("metrics per step"))
        else:
            plt.title(t("metric curves appear here while a step runs"))
        chart.refresh()
