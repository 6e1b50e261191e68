"""A lesson: README beside the steps; live log, metrics, progress, code, commands and artifacts.

Events from the step child are queued as they arrive and applied once per
frame, so a flood of output never blocks key presses.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    DataTable, Footer, Header, Label, Log, Markdown, ProgressBar, TabbedContent, TabPane,
)

from shared.events import Artifact, Event, Log as LogEvent, Metric, Progress, Status
from workbench.curriculum.lesson_loader import Lesson
from workbench.curriculum.lesson_schema import Step
from workbench.i18n import t
from workbench.runner.lesson_runner import LessonReport, LessonRunner
from workbench.runner.step_runner import StepOutcome, StepRun
from workbench.tui.lesson_states import badge
from workbench.tui.screens.params_dialog import ParamsDialog
from workbench.tui.widgets.code_panel import CodePanel
from workbench.tui.widgets.log_panel import LogPanel
from workbench.tui.widgets.metrics_panel import MetricsPanel
from workbench.tui.translated import WorkbenchScreen

FRAME_S = 1 / 30


class TuiRenderer:
    """The LessonRenderer of the TUI: queue everything, the screen applies it per frame."""

    def __init__(self, screen: "LessonScreen") -> None:
        self.screen = screen

    def note(self, message: str, level: str = "info") -> None:
        self.screen.queue_line(f"{'!' if level in ('error', 'warning') else '*'} {message}")

    def lesson_started(self, lesson: Lesson, reason: str | None) -> None:
        self.screen.queue_line(f"== {lesson.id}: {lesson.title}" + (f" ({reason})" if reason else ""))

    def step_started(self, lesson: Lesson, step: Step, command: str) -> None:
        self.screen.queue_call(lambda: self.screen.step_started(lesson, step, command))

    def event(self, lesson: Lesson, step: Step, event: Event) -> None:
        self.screen.queue_event(lesson, step, event)

    def step_finished(self, lesson: Lesson, step: Step, outcome: StepOutcome) -> None:
        self.screen.queue_call(lambda: self.screen.step_finished(lesson, step, outcome))

    def lesson_finished(self, report: LessonReport) -> None:
        self.screen.queue_call(lambda: self.screen.lesson_finished(report))


class LessonScreen(WorkbenchScreen):
    BINDINGS = [
        Binding("r", "run_step", "Run step", id="lesson.run_step"),
        Binding("a", "run_lesson", "Run all steps", id="lesson.run_lesson"),
        Binding("x", "cancel", "Cancel", id="lesson.cancel"),
        Binding("escape", "cancel_or_back", "Cancel / back", id="lesson.back"),
        Binding("p", "edit_params", "Params", id="lesson.edit_params"),
        Binding("o", "open_exercise", "Exercise", id="lesson.exercise"),
        Binding("slash", "filter_log", "Filter log", id="lesson.filter_log"),
        Binding("s", "save_log", "Save log", id="lesson.save_log"),
        Binding("l", "show_tab('tab-log')", "Log", id="lesson.tab_log", show=False),
        Binding("m", "show_tab('tab-metrics')", "Metrics", id="lesson.tab_metrics"),
        Binding("c", "show_tab('tab-code')", "Code", id="lesson.tab_code"),
        Binding("k", "show_tab('tab-commands')", "Commands", id="lesson.tab_commands", show=False),
        Binding("f", "show_tab('tab-artifacts')", "Files", id="lesson.tab_artifacts", show=False),
    ]

    def __init__(self, lesson: Lesson) -> None:
        super().__init__(name=lesson.id)
        self.lesson = lesson
        self.runner: LessonRunner | None = None
        self.active_runs: list[StepRun] = []
        self._pending: list[tuple[str, Any]] = []
        self._step_started_at: float | None = None
        self._running_step: str | None = None
        self.param_overrides: dict[str, dict[str, Any]] = {}  # step id -> params edited in the TUI

    # ---- layout -------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="lesson-body"):
            with Vertical(id="lesson-left"):
                steps: DataTable = DataTable(id="steps", cursor_type="row")
                steps.border_title = t("steps")
                yield steps
                with VerticalScroll(id="readme-scroll"):
                    yield Markdown(self.lesson.readme_text(), id="readme")
            with Vertical(id="lesson-right"):
                with Horizontal(id="progress-row"):
                    yield Label(badge("not started"), id="run-status")
                    yield ProgressBar(id="progress", show_eta=True)
                yield LogPanel(id="log-panel")
                with TabbedContent(id="tabs", initial="tab-metrics"):
                    with TabPane(t("Metrics"), id="tab-metrics"):
                        yield MetricsPanel(id="metrics")
                    with TabPane(t("Code"), id="tab-code"):
                        yield CodePanel(id="code-panel")
                    with TabPane(t("Commands"), id="tab-commands"):
                        yield Log(id="commands", highlight=False)
                    with TabPane(t("Artifacts"), id="tab-artifacts"):
                        yield DataTable(id="artifacts", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"{self.lesson.id} · {self.lesson.layer}"
        self.sub_title = self.lesson.title
        steps = self.query_one("#steps", DataTable)
        steps.add_column(t("state"), key="state")
        steps.add_column(t("step"), key="step")
        steps.add_column(t("time"), key="time")
        progress = self.app.progress  # type: ignore[attr-defined]
        for step in self.lesson.spec.steps:
            record = progress.step_record(self.lesson.id, step.id)
            duration = f"{record['duration_s']:.1f}s" if "duration_s" in record else ""
            steps.add_row(badge(record.get("status", "not started")), self.lesson.step_title(step), duration, key=step.id)
        self.query_one("#progress", ProgressBar).update(total=1, progress=0)  # idle, not the "busy" animation
        artifacts = self.query_one("#artifacts", DataTable)
        for column in ("kind", "path", "description"):
            artifacts.add_column(t(column), key=column)
        self.query_one(CodePanel).show(self.lesson.script_entry(self.lesson.spec.steps[0].entry), self.app.current_theme.dark)
        self.set_interval(FRAME_S, self._flush)
        steps.focus()

    # ---- queue, applied once per frame ----------------------------------
    def queue_line(self, line: str) -> None:
        self._pending.append(("line", line))

    def queue_call(self, call: Callable[[], None]) -> None:
        self._pending.append(("call", call))

    def queue_event(self, lesson: Lesson, step: Step, event: Event) -> None:
        if isinstance(event, LogEvent):
            prefix = "! " if event.stream == "stderr" or event.level in ("warning", "error") else ""
            self._pending.append(("line", prefix + event.message))
        else:
            self._pending.append(("event", event))

    def _flush(self) -> None:
        """Apply everything queued since the last frame: lines in one write, the latest progress once."""
        panel = self.query_one(LogPanel)
        metrics = self.query_one(MetricsPanel)
        pending, self._pending = self._pending, []
        lines: list[str] = []
        progress: Progress | None = None
        for kind, payload in pending:
            if kind == "line":
                lines.append(payload)
            elif kind == "call":
                panel.write_lines(lines)  # keep order: a step's lines before its verdict
                lines = []
                payload()
            elif isinstance(payload, Metric):
                metrics.add(payload.name, payload.value, payload.step)
            elif isinstance(payload, Progress):
                progress = payload
            elif isinstance(payload, Artifact):
                self.query_one("#artifacts", DataTable).add_row(  # a str cell is markup: escape what the step sent
                    escape(payload.kind), escape(payload.path), escape(payload.description))
                lines.append(f"  artifact {payload.kind}: {payload.path}")
            elif isinstance(payload, Status):
                lines.append(f"> {payload.message}")
                self.query_one("#run-status", Label).update(f"{badge('running')} {self._running_step or ''}: {escape(payload.message)}")
        if lines:
            panel.write_lines(lines)
        else:
            panel.drain()
        if progress is not None:
            self.query_one("#progress", ProgressBar).update(total=progress.total, progress=progress.done)
        metrics.sync()

    # ---- runner callbacks (applied in order with the events) --------------
    def _command(self, text: str) -> None:
        self.query_one("#commands", Log).write_line(f"$ {text}")

    def _set_step_state(self, step_id: str, state: str, duration: str = "") -> None:
        steps = self.query_one("#steps", DataTable)
        if step_id in steps.rows:
            steps.update_cell(step_id, "state", badge(state))
            steps.update_cell(step_id, "time", duration)

    def step_started(self, lesson: Lesson, step: Step, command: str) -> None:
        self._running_step = step.id
        self._step_started_at = time.monotonic()
        self._command(command)
        self.query_one(LogPanel).write_lines([f"-- {lesson.id}/{step.id}: {lesson.step_title(step)}"])
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=None, progress=0)
        self.query_one("#run-status", Label).update(f"{badge('running')} {step.id}")
        if lesson.id == self.lesson.id:
            self._set_step_state(step.id, "running")
            self.query_one(CodePanel).show(self.lesson.script_entry(step.entry), self.app.current_theme.dark)

    def step_finished(self, lesson: Lesson, step: Step, outcome: StepOutcome) -> None:
        verdict = "PASS" if outcome.passed else outcome.status.upper()
        self.query_one(LogPanel).write_lines([f"{verdict} {lesson.id}/{step.id} ({outcome.duration_s:.1f} s): {outcome.summary}"])
        self.query_one("#run-status", Label).update(f"{badge(outcome.status)} {step.id}: {escape(outcome.summary)}")
        if lesson.id == self.lesson.id:
            self._set_step_state(step.id, outcome.status, f"{outcome.duration_s:.1f}s")
        if not outcome.ok and outcome.status != "cancelled":
            tail = "\n".join(outcome.log_tail[-3:])
            self.notify(f"{step.id}: {outcome.summary}" + (f"\n{tail}" if tail else ""), title=t("step did not pass"),
                        severity="error", timeout=10)

    def lesson_finished(self, report: LessonReport) -> None:
        if report.skipped and report.reason:
            self.query_one("#run-status", Label).update(f"{badge('failed')} {escape(report.reason)}")

    # ---- actions ---------------------------------------------------------
    def _selected_step(self) -> Step:
        steps = self.query_one("#steps", DataTable)
        return self.lesson.spec.steps[max(steps.cursor_row, 0)]

    @on(DataTable.RowHighlighted, "#steps")
    def _show_step_code(self, event: DataTable.RowHighlighted) -> None:
        if self._running_step is None and event.cursor_row is not None and event.cursor_row < len(self.lesson.spec.steps):
            self.query_one(CodePanel).show(self.lesson.script_entry(self.lesson.spec.steps[event.cursor_row].entry), self.app.current_theme.dark)

    @property
    def running(self) -> bool:
        return self.runner is not None

    def action_run_step(self) -> None:
        self._start(self._selected_step().id)

    def action_open_exercise(self) -> None:
        from workbench.tui.screens.exercise_screen import ExerciseScreen

        if not self.lesson.spec.exercises:
            self.notify(t("this lesson has no exercise yet"))
            return
        self.app.push_screen(ExerciseScreen(self.lesson, self.lesson.spec.exercises[0]))

    def action_edit_params(self) -> None:
        step = self._selected_step()
        current = self.param_overrides.get(step.id, dict(step.params))

        def remember(params: dict[str, Any] | None) -> None:
            if params is None:
                return
            self.param_overrides[step.id] = params
            self._command(f"# {step.id} will run with params {json.dumps(params, ensure_ascii=False)}")
            self.notify(f"{step.id} will run with your parameters (r runs it)", title="params")

        self.app.push_screen(ParamsDialog(self.lesson.step_title(step), current), remember)

    def action_run_lesson(self) -> None:
        self._start(None)

    def _start(self, only_step: str | None) -> None:
        params = self.param_overrides.get(only_step) if only_step else None
        if self.running:
            self.notify(t("a step is already running; press x to cancel it"), severity="warning")
            return
        self.query_one(MetricsPanel).clear()
        self.query_one("#artifacts", DataTable).clear()
        command = f"mlops-workbench --lesson {self.lesson.id}" + (f" --step {only_step}" if only_step else "")
        self._command(command)
        self.runner = LessonRunner(
            self.app.curriculum, self.app.home, TuiRenderer(self), self.app.progress,  # type: ignore[attr-defined]
            on_run=self.active_runs.append,
        )
        self._run(self.runner, only_step, params)

    @work(exclusive=True, group="lesson-run", exit_on_error=False)
    async def _run(self, runner: LessonRunner, only_step: str | None, params: dict[str, Any] | None) -> None:
        try:
            await runner.run([self.lesson], only_step=only_step, params=params)
        finally:
            self.runner = None
            self.active_runs.clear()
            self.queue_call(self._run_ended)

    def _run_ended(self) -> None:
        self._running_step = None

    def action_cancel(self) -> None:
        if self.runner is None:
            self.notify("nothing is running")
            return
        self.runner.cancel()
        self.query_one(LogPanel).write_lines(["! cancel requested: ending the step's process tree"])

    def action_cancel_or_back(self) -> None:
        if self.running:
            self.action_cancel()
        else:
            self.app.pop_screen()

    def action_filter_log(self) -> None:
        self.query_one(LogPanel).start_filter()

    def action_save_log(self) -> None:
        path = self.query_one(LogPanel).save(self.app.home / "logs", self.lesson.id)  # type: ignore[attr-defined]
        self.notify(f"log saved to {path}", title="saved")
        self._command(f"less {path}")

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    async def stop_runs(self) -> None:
        """End every running step tree and wait until the worker has reported (used when quitting)."""
        if self.runner is not None:
            self.runner.cancel()
            for worker in list(self.app.workers):
                if worker.group == "lesson-run" and worker.node is self:
                    try:
                        await worker.wait()
                    except Exception:  # cancelled or failed: the step tree is ended either way
                        pass
