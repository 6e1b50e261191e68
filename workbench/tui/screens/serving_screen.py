"""Serving: start/stop the iris service, send your own requests, watch its metrics live, run a load test.

The service is `bentoml serve` in a child process group on 127.0.0.1 (never
imported here); metrics come from scraping its ``/metrics`` once a second.
Leaving the screen stops the service, so no server outlives what you see.
The service serves the iris model that model-validation approved: when the
store has none, the screen says so and offers that lesson instead of a
server that cannot start.
"""

from __future__ import annotations

import math
import shlex
import time
from collections import deque
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Log, Static, TextArea
from textual_plotext import PlotextPlot

from workbench.i18n import t

if TYPE_CHECKING:
    from infrastructure.monitoring.prometheus_metrics import Scrape
from workbench.tui.service_control import EXAMPLE_REQUEST, ServiceControl
from workbench.tui.translated import WorkbenchScreen

SCRAPE_S = 1.0
HISTORY = 120
ENDPOINT_LABEL = "/classify"
API = ("/classify", "/predict_proba")  # the service's endpoints (not /readyz, /metrics)
LATENCY = "bentoml_service_request_duration_seconds"
REQUESTS = "bentoml_service_request_total"
VALIDATED_PROBE = "application.registry.iris_registry:probe_validated"
VALIDATION_LESSON = "model-validation"


class RequestEditor(TextArea):
    """The request body: ctrl+a selects it all (as in any editor), ctrl+r puts the example back."""

    BINDINGS = [
        Binding("ctrl+a", "select_all", "Select all", show=False),
        Binding("ctrl+r", "screen.example", "Example request", show=False),
    ]


class ServingScreen(WorkbenchScreen):
    CSS_PATH = "serving_screen.tcss"  # read when the screen first opens: not part of the first paint
    HELP_TITLE = "serving"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]
    HELP = (
        "The iris service (BentoML) on 127.0.0.1: s starts and stops it, ctrl+s sends the request body to the "
        "endpoint, l runs a 10-second load test. The chart and counters come from the service's own /metrics. "
        "Leaving the screen stops the service."
    )
    BINDINGS = [
        Binding("s", "toggle_service", "Start/stop", id="serving.toggle"),
        Binding("ctrl+s", "send", "Send request", id="serving.send", priority=True),
        Binding("l", "load_test", "Load test", id="serving.load_test"),
        Binding("m", "open_validation", "Model validation", id="serving.validation", show=False),
        Binding("ctrl+r", "example", "Example request", id="serving.example", show=False),
        Binding("escape", "back", "Back", id="serving.back"),
    ]

    def __init__(self) -> None:
        super().__init__(name="serving")
        self.control: ServiceControl | None = None
        self.state = "checking"  # checking | no model | stopped | starting | running | stopping
        self.model_tag: str | None = None
        self.scraping = False
        self.first_scrape: Scrape | None = None
        self.previous: tuple[float, Scrape] | None = None  # (time, scrape)
        self.rps: deque[tuple[float, float]] = deque(maxlen=HISTORY)
        self.p95: deque[tuple[float, float]] = deque(maxlen=HISTORY)
        self.started_at = 0.0
        self.load_running = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="serve-status")
        with Horizontal(id="serve-buttons"):  # the whole width: in the request column the third was cut ("Load test (l")
            yield Button(t("Start service"), id="serve-toggle", variant="success")
            yield Button(t("Send (ctrl+s)"), id="serve-send", disabled=True)
            yield Button(t("Load test (l)"), id="serve-load", disabled=True)
        with Horizontal(id="serve-body"):
            with Vertical(id="serve-console"):
                yield Input(ENDPOINT_LABEL, placeholder=t("endpoint: /classify or /predict_proba"), id="serve-endpoint")
                body = RequestEditor(EXAMPLE_REQUEST, id="serve-request", soft_wrap=True)
                body.border_title = t("request body (JSON)")
                yield body
                answer = Static(t("start the service, then send the request"), id="serve-response")
                answer.border_title = t("response")
                yield answer
            with Vertical(id="serve-live"):
                yield Static("", id="serve-counters")
                yield PlotextPlot(id="serve-chart")
                histogram = Static("", id="serve-histogram")
                histogram.border_title = t("latency since the service started (its own histogram, from /metrics)")
                yield histogram
        server_log = Log(id="serve-log", max_lines=2000)
        server_log.border_title = t("server and load-test output")
        yield server_log
        yield Footer(show_command_palette=False)  # ctrl+p still opens it; the help lists it

    def on_mount(self) -> None:
        self.title = t("Serving") + " · application/inference/iris_service.py"  # i18n: not translated
        self.sub_title = ""
        self.control = ServiceControl(self.app.home, self._server_line)
        self._show_state()
        self._draw_chart()
        self.set_interval(SCRAPE_S, self._tick)
        self.query_one("#serve-toggle", Button).focus()
        self.check_model()

    def reopen(self) -> ServingScreen:
        return ServingScreen()

    def busy_reason(self) -> str | None:
        return t("stop the service first (s)") if self.state not in ("stopped", "no model", "checking") else None

    @work(exclusive=True, group="model-check", exit_on_error=False)
    async def check_model(self) -> None:
        """Is there a validated iris model to serve? Asked in a child process (the UI never imports BentoML)."""
        from workbench.runner.step_runner import StepRequest, StepRun

        request = StepRequest(
            "serving-screen", "probe", VALIDATED_PROBE, checks=[{"output": "present", "equals": True}], timeout_s=120
        )
        outcome = await StepRun(request, self.app.home).wait()
        if not self.alive or self.state != "checking":
            return
        tag = outcome.details.get("model_tag")
        self.model_tag = str(tag) if outcome.passed and tag else None
        self.state = "stopped" if outcome.passed else "no model"
        self._show_state()

    async def on_unmount(self) -> None:
        if self.control is not None and (self.control.running or self.control.load.running):
            await self.control.stop()

    # --- state -------------------------------------------------------------------------------------------------------
    def _server_line(self, text: str) -> None:
        if self.alive:
            self.query_one("#serve-log", Log).write_line(text)

    def _shown_command(self) -> str:
        """The command as it will run; before the start the port is not chosen yet (a free one is taken then)."""
        assert self.control is not None
        words = ["bentoml", *self.control.command()[1:]]
        if self.state != "running" and "--port" in words:
            words[words.index("--port") + 1] = t("<a free port>")
        return shlex.join(words)

    def _show_state(self) -> None:
        if not self.alive:
            return
        assert self.control is not None
        command = self._shown_command()
        text = {
            "checking": f"[dim]◌ {t('looking for a validated iris model in the model store…')}[/]",
            "no model": f"[yellow]● {t('no validated iris model to serve yet.')}[/] "
            + t(
                "The service serves the model that the model-validation lesson approved: press [b]m[/] to open "
                "that lesson and run it (r); it trains the model first if there is none. Then come back (v)."
            ),
            "stopped": f"[b]● {t('stopped')}[/] — {t('[b]s[/] starts it:')} [dim]{escape(command)}[/]"
            + (f"\n[dim]{t('serves the validated model {tag}', tag=escape(self.model_tag))}[/]" if self.model_tag else ""),
            "starting": f"[yellow]◌ {t('starting…')}[/] [dim]{escape(command)}[/]",
            "running": f"[green]● {t('serving at')}[/] [b]{self.control.url}[/] — {t('try /readyz, /livez, /metrics · [b]s[/] stops it')}",
            "stopping": f"[yellow]◌ {t('stopping…')}[/]",
        }[self.state]
        self.query_one("#serve-status", Static).update(text)
        toggle = self.query_one("#serve-toggle", Button)
        toggle.label = t("Stop service") if self.state == "running" else t("Start service")
        toggle.variant = "error" if self.state == "running" else "success"
        toggle.disabled = self.state in ("starting", "stopping")  # checking / no model: pressing it explains
        self.query_one("#serve-send", Button).disabled = self.state != "running"
        self.query_one("#serve-load", Button).disabled = self.state != "running" or self.load_running

    # --- actions -----------------------------------------------------------------------------------------------------
    @on(Button.Pressed, "#serve-toggle")
    def action_toggle_service(self) -> None:
        if self.state == "stopped":
            self.start_service()
        elif self.state == "running":
            self.stop_service()
        elif self.state == "no model":
            self.notify(t("no validated iris model yet: press m to open model-validation and run it"), severity="warning")
        elif self.state == "checking":
            self.notify(t("still looking for a validated model; a moment"))

    def action_open_validation(self) -> None:
        curriculum = self.app.curriculum
        if curriculum is None or curriculum.get(VALIDATION_LESSON) is None:
            self.notify(t("lesson '{lesson}' is not available", lesson=VALIDATION_LESSON), severity="error")
            return
        self.app.pop_screen()
        self.app.open_lesson(VALIDATION_LESSON)

    def action_example(self) -> None:
        self.query_one("#serve-request", TextArea).text = EXAMPLE_REQUEST
        self.query_one("#serve-endpoint", Input).value = ENDPOINT_LABEL

    @work(exclusive=True, group="service", exit_on_error=False)
    async def start_service(self) -> None:
        assert self.control is not None
        self.state = "starting"
        self._show_state()
        self.rps.clear()
        self.p95.clear()
        self.first_scrape = self.previous = None
        try:
            seconds = await self.control.start()
        except RuntimeError as exc:
            self.state = "stopped"
            self._show_state()
            self.notify(str(exc), title=t("the service did not start"), severity="error", timeout=10, markup=False)
            return
        if not self.alive:
            return
        self.state = "running"
        self.started_at = time.monotonic()
        self._show_state()
        self._server_line(t("ready after {seconds} s at {url}", seconds=f"{seconds:.1f}", url=self.control.url))

    @work(exclusive=True, group="service", exit_on_error=False)
    async def stop_service(self) -> None:
        assert self.control is not None
        self.state = "stopping"
        self._show_state()
        port = self.control.port
        free = await self.control.stop()
        self.state = "stopped"
        self._show_state()
        if self.alive:
            self._server_line(t("service stopped; port {port} free again: {free}", port=port, free=t("yes") if free else t("no")))

    @on(Button.Pressed, "#serve-send")
    def action_send(self) -> None:
        if self.state != "running":
            self.notify(t("start the service first (s)"), severity="warning")
            return
        self.send_request(
            self.query_one("#serve-endpoint", Input).value.strip() or ENDPOINT_LABEL,
            self.query_one("#serve-request", TextArea).text,
        )

    @work(group="requests", exit_on_error=False)
    async def send_request(self, endpoint: str, body: str) -> None:
        assert self.control is not None
        reply = await self.control.send(endpoint, body)
        if not self.alive:
            return
        colour = "green" if 200 <= reply.status < 300 else "yellow" if 400 <= reply.status < 500 else "red"
        status = reply.status or t("no answer")
        self.query_one("#serve-response", Static).update(
            f"[{colour}]POST {escape(endpoint)} → {status}[/] "
            + t("in {ms} ms", ms=f"{reply.elapsed_ms:.1f}")  # i18n: not translated
            + f"\n{escape(reply.body[:4000])}"
        )

    @on(Button.Pressed, "#serve-load")
    def action_load_test(self) -> None:
        if self.state != "running" or self.load_running:
            return
        self.run_load_test()

    @work(group="load", exit_on_error=False)
    async def run_load_test(self, users: int = 8, duration_s: int = 10) -> None:
        assert self.control is not None
        self.load_running = True
        self._show_state()
        self.notify(
            t("locust: {users} users for {seconds} s; watch the chart", users=users, seconds=duration_s), title=t("load test")
        )
        try:
            result = await self.control.load_test(users, duration_s)
        except ValueError:  # cut short (the service stopped): locust's stats say N/A
            self.notify(
                t("the load test ended before it had results (was the service stopped?)"),
                title=t("load test failed"),
                severity="warning",
            )
        except (RuntimeError, OSError) as exc:
            self.notify(str(exc), title=t("load test failed"), severity="error", markup=False)
        else:
            if self.alive:
                self.query_one("#serve-response", Static).update(
                    f"[b]{t('load test')}[/] "
                    + t(
                        "{users} users, {seconds} s: {requests} requests, {failures} failures, {rps} requests/s",
                        users=users,
                        seconds=duration_s,
                        requests=f"{result['requests']:.0f}",
                        failures=f"{result['failures']:.0f}",
                        rps=f"{result['rps']:.0f}",
                    )
                    + f"\np50 {result['latency_p50_ms']:.0f} ms · p95 {result['latency_p95_ms']:.0f} ms · "
                    f"p99 {result['latency_p99_ms']:.0f} ms " + t("(locust's own measurement, client side)")
                )
        finally:
            self.load_running = False
            if self.is_mounted:
                self._show_state()

    def action_back(self) -> None:
        if isinstance(self.focused, (TextArea, Input)):
            self.query_one("#serve-toggle", Button).focus()
            return
        self.app.pop_screen()

    # --- live metrics --------------------------------------------------------------------------------------------------
    async def _tick(self) -> None:
        if self.state != "running" or self.scraping or self.control is None:
            return
        self.scraping = True
        try:
            current = await self.control.scrape()
        except OSError:
            return
        finally:
            self.scraping = False
        now = time.monotonic()
        if self.first_scrape is None:
            self.first_scrape = current
        if self.previous is not None:
            then, before = self.previous
            window = current.histograms(LATENCY, "endpoint", API).minus(before.histograms(LATENCY, "endpoint", API))
            x = now - self.started_at
            self.rps.append((x, window.count / max(now - then, 1e-6)))
            p95 = window.quantile(0.95)
            if not math.isnan(p95):
                self.p95.append((x, p95 * 1000))
        self.previous = (now, current)
        total = current.histograms(LATENCY, "endpoint", API).minus(self.first_scrape.histograms(LATENCY, "endpoint", API))
        ok = sum(current.value(REQUESTS, endpoint=path, http_response_code="200") for path in API)
        refused = sum(current.value(REQUESTS, endpoint=path) for path in API) - ok
        in_flight = sum(current.value("bentoml_service_request_in_progress", endpoint=path) for path in API)
        p50, p95_all = total.quantile(0.5), total.quantile(0.95)
        latency = t("no requests yet") if math.isnan(p50) else f"p50 {p50 * 1000:.1f} ms · p95 {p95_all * 1000:.1f} ms"
        rate = self.rps[-1][1] if self.rps else 0.0
        if not self.alive:
            return
        self.query_one("#serve-counters", Static).update(
            f"[b]{' + '.join(API)}[/] "
            + t(
                "{ok} answered · {refused} refused · {in_flight} in flight · {rate} req/s now",
                ok=f"{ok:.0f}",
                refused=f"{refused:.0f}",
                in_flight=f"{in_flight:.0f}",
                rate=f"{rate:.0f}",
            )
            + f" · {latency}"
        )
        self.query_one("#serve-histogram", Static).update("\n".join(total.bar_lines(width=24)) or t("no requests yet"))
        self._draw_chart()

    def _draw_chart(self) -> None:
        chart = self.query_one("#serve-chart", PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        # Rates and latencies are never negative: the axes start at 0 (a flat 0 before any request drew -1 to 1).
        if self.rps:
            plt.plot([x for x, _ in self.rps], [y for _, y in self.rps], label=t("req/s"), marker="braille")
            plt.ylim(0, max(1.0, *(y for _, y in self.rps)) * 1.05, yside="left")  # type: ignore[arg-type]  # plotext's hint says float; it takes "left"/"right"
        if self.p95:
            plt.plot([x for x, _ in self.p95], [y for _, y in self.p95], label="p95 ms", marker="braille", yside="right")
            plt.ylim(0, max(1.0, *(y for _, y in self.p95)) * 1.05, yside="right")  # type: ignore[arg-type]  # as above
        plt.title(t("requests/s (left) and p95 latency ms (right), per second") if self.rps else t("live once the service runs"))
        plt.xlabel(t("seconds since start"))
        chart.refresh()
