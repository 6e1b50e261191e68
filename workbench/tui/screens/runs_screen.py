"""Runs: every recorded training run, sortable and filterable; select runs to compare them.

The runs are read by a child process (``application.registry.experiment_runs``)
so the UI never imports MLflow.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label
from textual_plotext import PlotextPlot

from workbench.i18n import t
from workbench.tui.runs_table import row_cells, started
from workbench.tui.translated import WorkbenchScreen

SHORT_BELOW = 30  # screen rows under which the comparison, once shown, takes the place of the runs list
HEADING_MAX = 28  # a run's column heading in the comparison: longer ones end in "…"
COLUMNS = ("✓", "lesson", "run", "started", "time", "status", "params", "metrics")
SORT_KEYS = {
    "lesson": lambda r: (r["lesson"], -(r.get("start_ms") or 0)),
    "run": lambda r: r["name"],
    "started": lambda r: -(r.get("start_ms") or 0),
    "time": lambda r: r.get("duration_s") or 0.0,
    "status": lambda r: r["status"],
    "metrics": lambda r: -max(r["metrics"].values(), default=0.0),
}


def curve_label(number: int, run: dict[str, Any]) -> str:
    """Tells runs of the same step apart: '2 sklearn-iris/train 14:03:27' (its column in the table: 2)."""
    clock = started(run)[11:] or run["run_id"][:8]
    return f"{number} {run['lesson']}/{run['name']} {clock}"[:40]


class RunsScreen(WorkbenchScreen):
    CSS_PATH = "runs_screen.tcss"  # read when the screen first opens: not part of the first paint
    HELP_TITLE = "runs"
    HELP = (
        "Every training run recorded in the tracking store (MLflow). space selects a run, c compares the selected "
        "runs side by side (their metrics, and a chart of one metric per step: n shows the next), / filters, "
        "a click on a column header sorts by it. A cancelled run shows as cancelled."
    )
    BINDINGS = [
        Binding("space", "toggle_run", "Select", id="runs.select"),
        Binding("c", "compare", "Compare", id="runs.compare"),
        Binding("slash", "filter", "Filter", id="runs.filter"),
        Binding("n", "next_metric", "Next metric", id="runs.next_metric", show=False),
        Binding("r", "reload", "Reload", id="runs.reload", show=False),
        Binding("escape", "back", "Back", id="runs.back"),
    ]

    def __init__(self) -> None:
        super().__init__(name="runs")
        self.runs: list[dict[str, Any]] = []
        self.selected: list[str] = []
        self.query_text = ""
        self.sort_key = "started"
        self.reverse = False
        self.histories: dict[str, dict[str, list[list[float]]]] = {}
        self.metric_names: list[str] = []
        self.metric_index = 0
        self.curve_labels: list[str] = []  # the legend of the comparison chart, as last drawn

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=t("filter runs by lesson, name, parameter or metric (Enter)"), id="runs-filter")
        yield Label(t("reading the tracking store…"), id="runs-status")
        runs: DataTable[Any] = DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        runs.border_title = t("runs (space selects, c compares, click a column to sort)")
        yield runs
        with Horizontal(id="compare"):
            compare_table: DataTable[Any] = DataTable(id="compare-table", cursor_type="row")
            compare_table.border_title = t("selected runs side by side")
            yield compare_table
            with Vertical(id="compare-chart-box"):
                yield PlotextPlot(id="compare-chart")
        yield Footer(show_command_palette=False)  # ctrl+p still opens it; the help lists it

    def on_mount(self) -> None:
        self.title = t("runs") + " · application/registry"  # i18n: not translated
        self.sub_title = ""
        table = self.query_one("#runs", DataTable)
        for column in COLUMNS:
            table.add_column(t(column), key=column)
        self.action_reload()
        table.focus()

    def on_resize(self) -> None:
        self.set_class(self.size.height < SHORT_BELOW, "-short")

    # ---- loading (child processes, in threads) --------------------------
    def reopen(self) -> RunsScreen:
        return RunsScreen()

    def action_back(self) -> None:
        """Escape in the filter clears it first (and shows every run again); then it goes back."""
        if self.has_class("-comparing") and self.has_class("-short"):  # the comparison took the list's place
            self.remove_class("-comparing")
            self.query_one("#runs", DataTable).focus()
            return
        field = self.query_one("#runs-filter", Input)
        if self.focused is field or self.query_text:
            field.value = ""
            self.query_text = ""
            self.refresh_table()
            self.query_one("#runs", DataTable).focus()
            return
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.query_one("#runs-status", Label).update(t("reading the tracking store…"))
        self._load_runs()

    @work(thread=True, exclusive=True, group="runs-load", exit_on_error=False)
    def _load_runs(self) -> None:
        from workbench.runner.child_query import ChildQueryError, query_child

        try:
            listing = query_child("application.registry.experiment_runs", ["--max-runs", "500"], home=self.app.home)
        except (ChildQueryError, OSError, ValueError) as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        self.app.call_from_thread(self._show_runs, listing)

    def _show_error(self, message: str) -> None:
        cause = (message.strip().splitlines() or [""])[-1]  # the cause, not the start of a traceback
        if " exited with code " in cause:
            cause = cause.split(": ", 1)[-1]
        if self.alive:
            self.query_one("#runs-status", Label).update(f"[red]{t('could not read the tracking store:')}[/] {escape(cause)}")

    def _show_runs(self, listing: dict[str, Any]) -> None:
        if not self.alive:
            return
        for warning in listing.get("warnings", []):
            self.notify(warning, title="MLflow", severity="warning", timeout=15, markup=False)  # i18n: not translated
        self.runs = listing["runs"]
        self.query_one("#runs-status", Label).update(
            escape(
                t(
                    "{count} runs in {uri} — `mlops-workbench runs` prints the same table",
                    count=len(self.runs),
                    uri=listing["tracking_uri"],
                )
            )
        )
        self.refresh_table()

    # ---- table: sort, filter, select ------------------------------------
    def visible_runs(self) -> list[dict[str, Any]]:
        rows = [r for r in self.runs if not self.query_text or self.query_text in self._haystack(r)]
        return sorted(rows, key=SORT_KEYS.get(self.sort_key, SORT_KEYS["started"]), reverse=self.reverse)

    @staticmethod
    def _haystack(run: dict[str, Any]) -> str:
        parts = [run["lesson"], run["name"], run["status"], *(f"{k}={v}" for k, v in run["params"].items()), *run["metrics"]]
        return " ".join(parts).lower()

    def refresh_table(self) -> None:
        table = self.query_one("#runs", DataTable)
        table.clear()
        for run in self.visible_runs():
            mark = "✓" if run["run_id"] in self.selected else ""
            table.add_row(mark, *row_cells(run), key=run["run_id"])

    @on(DataTable.HeaderSelected, "#runs")
    def _sort(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        if key not in SORT_KEYS:
            return
        self.reverse = not self.reverse if key == self.sort_key else False
        self.sort_key = key
        self.refresh_table()

    def action_filter(self) -> None:
        self.query_one("#runs-filter", Input).focus()

    @on(Input.Submitted, "#runs-filter")
    def _apply_filter(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip().lower()
        self.refresh_table()
        self.query_one("#runs", DataTable).focus()

    def action_toggle_run(self) -> None:
        table = self.query_one("#runs", DataTable)
        if not table.row_count:
            return
        run_id = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        if run_id in self.selected:
            self.selected.remove(run_id)
        else:
            self.selected.append(run_id)
        table.update_cell(run_id, "✓", "✓" if run_id in self.selected else "")

    # ---- compare --------------------------------------------------------
    def action_compare(self) -> None:
        if len(self.selected) < 2:
            self.notify(t("select two or more runs with space first"), severity="warning")
            return
        self._load_histories(list(self.selected))

    @work(thread=True, exclusive=True, group="runs-history", exit_on_error=False)
    def _load_histories(self, run_ids: list[str]) -> None:
        from workbench.runner.child_query import ChildQueryError, query_child

        try:
            histories = query_child("application.registry.experiment_runs", ["--history", *run_ids], home=self.app.home)
        except (ChildQueryError, OSError, ValueError) as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        self.app.call_from_thread(self._show_comparison, run_ids, histories)

    def _show_comparison(self, run_ids: list[str], histories: dict[str, Any]) -> None:
        if not self.alive:
            return
        self.histories = histories
        by_id = {r["run_id"]: r for r in self.runs}
        chosen = [by_id[i] for i in run_ids if i in by_id]
        table = self.query_one("#compare-table", DataTable)
        table.clear(columns=True)
        table.add_column(t("metric"), key="metric")
        for number, run in enumerate(chosen, start=1):
            heading = Text(f"{number} {run['lesson']}/{run['name']}")  # Text: a run's name is never markup
            heading.truncate(HEADING_MAX, overflow="ellipsis")
            table.add_column(heading, key=run["run_id"])
        names = sorted({name for run in chosen for name in run["metrics"]})
        for name in names:
            values = [run["metrics"].get(name) for run in chosen]
            best = max((v for v in values if v is not None), default=None)
            cells = [("—" if v is None else (f"[b]{v:.4g}[/]" if v == best and len(chosen) > 1 else f"{v:.4g}")) for v in values]
            table.add_row(name, *cells, key=name)
        # Curves: metrics with more than one point in at least one selected run.
        self.metric_names = [n for n in names if any(len(histories.get(r["run_id"], {}).get(n, [])) > 1 for r in chosen)]
        self.metric_index = 0
        self.add_class("-comparing")  # in a short window the comparison takes the list's place (escape: the list)
        self.draw_chart(chosen)

    def draw_chart(self, chosen: list[dict[str, Any]] | None = None) -> None:
        by_id = {r["run_id"]: r for r in self.runs}
        chosen = chosen or [by_id[i] for i in self.selected if i in by_id]
        chart = self.query_one("#compare-chart", PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        self.curve_labels = []
        if not self.metric_names:
            plt.title(t("no metric with a curve in the selected runs"))
        else:
            metric = self.metric_names[self.metric_index % len(self.metric_names)]
            for number, run in enumerate(chosen, start=1):
                points = self.histories.get(run["run_id"], {}).get(metric, [])
                if points:
                    label = curve_label(number, run)
                    self.curve_labels.append(label)
                    plt.plot([p[0] for p in points], [p[1] for p in points], label=label, marker="braille")
            plt.title(t("{metric} per step (n: next metric)", metric=metric))
        chart.refresh()

    def action_next_metric(self) -> None:
        if self.metric_names:
            self.metric_index = (self.metric_index + 1) % len(self.metric_names)
            self.draw_chart()
