"""GPU health: the device table refreshed about once a second, sparklines, verdicts, benchmarks.

NVML polls run in a thread and the next poll is scheduled only when the last
one finished, so polls never overlap. The verdicts need the framework checks,
which import torch/TensorFlow: they come from a child process.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Label, ProgressBar, Sparkline, Static

from shared.events import Event, Metric, Progress
from workbench.i18n import t
from workbench.tui.gpu_view import (
    DEVICE_COLUMNS,
    column_title,
    cpu_line,
    device_cells,
    framework_lines,
    nvml_line,
    verdict_lines,
)
from workbench.tui.translated import WorkbenchScreen

if TYPE_CHECKING:
    from workbench.runner.step_runner import StepRun

POLL_S = 1.0
HISTORY = 60


def _real_probe() -> dict[str, Any]:
    from shared.utils.gpu_utils.nvml_probe import probe_nvml

    return probe_nvml().to_json()


def _real_report(home) -> dict[str, Any]:
    from workbench.runner.child_query import query_child

    return query_child("shared.utils.gpu_utils.gpu_report", home=home)


class GpuScreen(WorkbenchScreen):
    CSS_PATH = "gpu_screen.tcss"  # read when the screen first opens: not part of the first paint
    HELP_TITLE = "GPU health"
    HELP = (
        "What this machine offers for training: the NVIDIA devices NVML sees (refreshed every second), the "
        "frameworks' view of them, and verdicts that say what is wrong and what to do. r checks again, b measures "
        "matrix-multiply speed and memory bandwidth against the card's published peak (needs a GPU)."
    )
    BINDINGS = [
        Binding("r", "refresh_verdicts", "Re-check", id="gpu.recheck"),
        Binding("b", "benchmark", "Benchmark", id="gpu.benchmark"),
        Binding("escape", "app.pop_screen", "Back", id="gpu.back"),
    ]

    def __init__(
        self,
        probe: Callable[[], dict[str, Any]] | None = None,
        report_loader: Callable[[], dict[str, Any]] | None = None,
        poll: bool = True,
    ) -> None:
        super().__init__(name="gpu")
        self.probe = probe or _real_probe
        self.report_loader = report_loader
        self.poll = poll
        self.util_history: deque[float] = deque([0.0] * HISTORY, maxlen=HISTORY)
        self.memory_history: deque[float] = deque([0.0] * HISTORY, maxlen=HISTORY)
        self.polls = 0
        self.benchmark_run: StepRun | None = None
        self.devices_seen: int | None = None  # from the last NVML poll

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("reading NVML…"), id="gpu-summary")
        devices: DataTable[Any] = DataTable(id="gpu-devices", cursor_type="row")
        devices.border_title = t("devices (NVML, every second)")
        yield devices
        with Horizontal(id="gpu-sparks"):  # shown once NVML reports a device
            with Vertical():
                yield Label(t("GPU 0 utilisation %"))
                yield Sparkline(list(self.util_history), id="gpu-util-spark")
            with Vertical():
                yield Label(t("GPU 0 memory used %"))
                yield Sparkline(list(self.memory_history), id="gpu-mem-spark")
        with VerticalScroll(id="gpu-verdicts-box"):
            yield Static(t("checking drivers and frameworks…"), id="gpu-verdicts")
        with Horizontal(id="gpu-bench-row"):
            yield Label(t("b runs the benchmarks (matmul TFLOP/s, memory bandwidth vs published peak)"), id="gpu-bench-status")
            yield ProgressBar(id="gpu-bench-progress", show_eta=True)
        yield Footer(show_command_palette=False)  # ctrl+p still opens it; the help lists it

    def on_mount(self) -> None:
        self.title = t("GPU health") + " · shared/utils/gpu_utils"  # i18n: not translated
        table = self.query_one("#gpu-devices", DataTable)
        for title, _ in DEVICE_COLUMNS:
            table.add_column(column_title(title), key=title)
        bench = self.query_one("#gpu-bench-progress", ProgressBar)
        bench.update(total=1, progress=0)
        bench.query_one("#eta").display = False  # no ETA while nothing runs
        self._poll()
        self.action_refresh_verdicts()

    # ---- NVML polling: the next poll is scheduled when this one is done ----------
    @work(thread=True, exclusive=True, group="gpu-poll", exit_on_error=False)
    def _poll(self) -> None:
        try:
            nvml = self.probe()
        except Exception as exc:  # a probe must never take the screen down
            nvml = {"status": "error", "message": str(exc), "driver_version": "N/A", "cuda_driver_version": "N/A", "devices": []}
        self.app.call_from_thread(self._show_nvml, nvml)

    def reopen(self) -> GpuScreen:
        return GpuScreen(probe=self.probe, report_loader=self.report_loader, poll=self.poll)

    def _show_nvml(self, nvml: dict[str, Any]) -> None:
        if not self.alive:
            return
        self.polls += 1
        self.devices_seen = len(nvml["devices"])
        self.query_one("#gpu-sparks").display = bool(nvml["devices"])  # no GPU: no empty "GPU 0" charts
        summary = nvml_line(nvml)
        if nvml["status"] != "ok":
            summary += f" · {nvml.get('message', '')}"
        if not nvml["devices"]:
            summary += " · " + t("no NVIDIA GPU seen: the lessons run on the CPU")
        self.query_one("#gpu-summary", Static).update(escape(summary))
        table = self.query_one("#gpu-devices", DataTable)
        table.clear()
        for device in nvml["devices"]:
            table.add_row(*device_cells(device), key=str(device["index"]))
        first = nvml["devices"][0] if nvml["devices"] else {}
        util = first.get("utilization_gpu_pct")
        used, total = first.get("memory_used_mib"), first.get("memory_total_mib")
        self.util_history.append(float(util) if isinstance(util, (int, float)) else 0.0)
        self.memory_history.append(100.0 * used / total if isinstance(used, int) and isinstance(total, int) and total else 0.0)
        self.query_one("#gpu-util-spark", Sparkline).data = list(self.util_history)
        self.query_one("#gpu-mem-spark", Sparkline).data = list(self.memory_history)
        if self.poll and self.is_mounted:
            self.set_timer(POLL_S, self._poll)

    # ---- verdicts (child process) ------------------------------------------
    def action_refresh_verdicts(self) -> None:
        self.query_one("#gpu-verdicts", Static).update(t("checking drivers and frameworks…"))
        self._load_report()

    @work(thread=True, exclusive=True, group="gpu-report", exit_on_error=False)
    def _load_report(self) -> None:
        try:
            report = self.report_loader() if self.report_loader else _real_report(self.app.home)
        except Exception as exc:
            self.app.call_from_thread(
                self.query_one("#gpu-verdicts", Static).update, f"[red]{t('the GPU report failed:')}[/] {escape(str(exc))}"
            )
            return
        self.app.call_from_thread(self._show_report, report)

    def _show_report(self, report: dict[str, Any]) -> None:
        lines = [
            cpu_line(report["host"]),
            *framework_lines(report.get("frameworks") or {}),
            "",
            *verdict_lines(report["verdicts"]),
        ]
        self.query_one("#gpu-verdicts", Static).update("\n".join(lines))

    # ---- benchmarks (child process, events) -----------------------------------
    def action_benchmark(self) -> None:
        if self.benchmark_run is not None:
            self.notify(t("the benchmark is already running"))
            return
        if self.devices_seen == 0:
            self.query_one("#gpu-bench-status", Label).update(
                "[yellow]"
                + t("no GPU to benchmark: the benchmarks measure an NVIDIA GPU; the verdicts above say why none is usable here")
                + "[/]"
            )
            return
        self._benchmark()

    @work(exclusive=True, group="gpu-bench", exit_on_error=False)
    async def _benchmark(self) -> None:
        from workbench.runner.step_runner import StepRequest, StepRun

        status = self.query_one("#gpu-bench-status", Label)
        bar = self.query_one("#gpu-bench-progress", ProgressBar)
        command = "  [dim]$ python -c 'from shared.utils.gpu_utils.gpu_benchmarks import run; run()'[/]"  # i18n: not translated
        status.update(t("benchmarking…") + command)
        results: list[str] = []

        def on_event(event: Event) -> None:
            if isinstance(event, Progress) and event.total:
                bar.update(total=event.total, progress=event.done)
            elif isinstance(event, Metric):
                results.append(f"{event.name} {event.value:.1f}")

        request = StepRequest("gpu-health", "benchmark", "shared.utils.gpu_utils.gpu_benchmarks:run", {}, [], 600)
        self.benchmark_run = run = StepRun(request, self.app.home, on_event)
        try:
            outcome = await run.wait()
        finally:
            self.benchmark_run = None
        if not self.alive:
            return
        bar.update(total=1, progress=1 if outcome.status == "passed" else 0)
        status.update(
            escape(" · ".join(results))
            if outcome.status == "passed"
            else f"[red]{t('benchmark {status}:', status=t(outcome.status))}[/] {escape(outcome.summary)}"
        )

    def on_unmount(self) -> None:
        if self.benchmark_run is not None:
            self.benchmark_run.cancel()
