"""A lesson: README beside the steps; live log, metrics, progress, code, commands and artifacts.

Events from the step child are queued as they arrive and applied once per
frame, so a flood of output never blocks key presses. Leaving the screen while
a step runs asks first: the run can go on in the background (the screen is
kept, and opening the lesson again shows it live) or be cancelled.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Label,
    Markdown,
    ProgressBar,
    TabbedContent,
    TabPane,
)

from shared.events import Artifact, Event, Metric, Progress, Status
from shared.events import Log as LogEvent
from workbench.curriculum.lesson_loader import Lesson
from workbench.curriculum.lesson_schema import Step
from workbench.i18n import t
from workbench.runner.lesson_runner import LessonReport, LessonRunner
from workbench.runner.step_runner import StepOutcome, StepRun
from workbench.tui.lesson_states import badge, badge_width, mark
from workbench.tui.screens.params_dialog import ParamsDialog
from workbench.tui.translated import WorkbenchScreen
from workbench.tui.widgets.code_panel import CodePanel
from workbench.tui.widgets.commands_panel import CommandsPanel
from workbench.tui.widgets.log_panel import LogPanel
from workbench.tui.widgets.metrics_panel import MetricsPanel

FRAME_S = 1 / 30
TIME_WIDTH = 7  # "9999.9s"
COMPACT_BELOW = 100  # screen columns under which the step table shows marks, not words
STEP_ROWS_SHOWN = 9  # rows the step table shows before it scrolls (#steps max-height 12: border and header)
# A child's stderr line that is a real problem (marked "!"); INFO/WARNING chatter of TensorFlow, absl or MLflow is not.
ERROR_LINE = re.compile(
    r"^(Traceback \(most recent call last\)|\s+File \"|\s*(\w+\.)*\w*(Error|Exception)\b(:|$)|.*\b(ERROR|CRITICAL|FATAL)\b"
    r"|[EF]\d{4} )"
)


def is_error_line(line: str) -> bool:
    return bool(ERROR_LINE.match(line))


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis (wide characters count twice)."""
    if cell_len(text) <= width:
        return text
    out = ""
    for char in text:
        if cell_len(out + char) > max(width - 1, 0):
            break
        out += char
    return out + "…"


class StepTable(DataTable):
    """The step table: its titles are fitted to its own width, whenever that width changes (the screen's size
    does not tell: the table is first laid out before the narrow layout's styles apply)."""

    def on_resize(self) -> None:
        screen = self.screen
        if isinstance(screen, LessonScreen):
            self.call_after_refresh(screen._refit_steps)


class TuiRenderer:
    """The LessonRenderer of the TUI: queue everything, the screen applies it per frame."""

    def __init__(self, screen: LessonScreen) -> None:
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
    CSS_PATH = "lesson_screen.tcss"  # read when the screen first opens: not part of the first paint
    HELP_TITLE = "lesson"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (COMPACT_BELOW, "-wide")]
    HELP = (
        "The lesson's README is on the left, under its steps. r runs the highlighted step, a runs every step "
        "(and the lessons it needs first). While a step runs you see its log, metrics, progress and code; "
        "x cancels it. Leaving while a step runs asks whether it should go on in the background."
    )
    BINDINGS = [
        Binding("r", "run_step", "Run step", id="lesson.run_step"),
        Binding("a", "run_lesson", "Run all", id="lesson.run_lesson"),
        Binding("x", "cancel", "Cancel", id="lesson.cancel"),
        Binding("escape", "back", "Back", id="lesson.back"),
        Binding("p", "edit_params", "Params", id="lesson.edit_params"),
        Binding("o", "open_exercise", "Exercise", id="lesson.exercise"),
        Binding("n", "next_lesson", "Next lesson", id="lesson.next", show=False),
        Binding("slash", "filter_log", "Filter log", id="lesson.filter_log", show=False),
        Binding("s", "save_log", "Save log", id="lesson.save_log", show=False),
        Binding("w", "wrap_log", "Wrap log on/off", id="lesson.wrap_log", show=False),
        Binding("l", "focus_log", "Log", id="lesson.tab_log", show=False),
        Binding("m", "show_tab('tab-metrics')", "Metrics", id="lesson.tab_metrics", show=False),
        Binding("c", "show_tab('tab-code')", "Code", id="lesson.tab_code", show=False),
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
        self._code_step: Step = lesson.spec.steps[0]
        self._in_traceback = False
        self._step_width = 0
        self._compact = False
        self.left_running = False  # the learner chose to leave while a step runs (background or cancel): do not ask again
        self.param_overrides: dict[str, dict[str, Any]] = {}  # step id -> params edited in the TUI

    # ---- layout -------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="lesson-body"):
            with Vertical(id="lesson-left"):
                steps: DataTable = StepTable(id="steps", cursor_type="row")
                steps.border_title = t("steps")
                yield steps
                yield Label("", id="step-title")  # the highlighted step's whole title, when the table cuts it
                with VerticalScroll(id="readme-scroll"):
                    yield Markdown(self.lesson.readme_text(), id="readme")
            with Vertical(id="lesson-right"):
                yield Label(self._initial_status(), id="run-status")
                yield ProgressBar(id="progress", show_eta=True)
                yield LogPanel(id="log-panel")
                labels = self._tab_labels(self.app.size.width)
                with TabbedContent(id="tabs", initial="tab-metrics"):
                    with TabPane(labels["tab-metrics"], id="tab-metrics"):
                        yield MetricsPanel(id="metrics")
                    with TabPane(labels["tab-code"], id="tab-code"):
                        yield CodePanel(id="code-panel")
                    with TabPane(labels["tab-commands"], id="tab-commands"):
                        yield CommandsPanel(id="commands")
                    with TabPane(labels["tab-artifacts"], id="tab-artifacts"):
                        yield DataTable(id="artifacts", cursor_type="row")
        yield Footer(show_command_palette=False)  # ctrl+p still opens it; the help lists it

    @staticmethod
    def _tab_labels(width: int) -> dict[str, str]:
        """The tabs' names, with each tab's key beside it where there is room (the help lists them too)."""
        names = {"tab-metrics": ("Metrics", "m"), "tab-code": ("Code", "c"), "tab-commands": ("Commands", "k")}
        names["tab-artifacts"] = ("Files", "f")
        return {pane: t(name) + (f" ({key})" if width >= COMPACT_BELOW else "") for pane, (name, key) in names.items()}

    def _relabel_tabs(self) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        for pane, label in self._tab_labels(self.size.width or self.app.size.width).items():
            tab = tabs.get_tab(pane)
            if str(tab.label) != label:
                tab.label = label

    def _initial_status(self) -> str:
        """What the last run of this lesson left: its state and the latest step's summary."""
        progress = self.app.progress
        state = progress.lesson_status(self.lesson.id)
        records = [(progress.step_record(self.lesson.id, s.id), s) for s in self.lesson.spec.steps]
        finished = [(r, s) for r, s in records if r.get("finished_at")]
        if state == "not started" or not finished:
            return f"{badge(state)}  [dim]{t('r runs the highlighted step, a runs them all, ? shows every key')}[/]"
        record, step = max(finished, key=lambda pair: str(pair[0].get("finished_at")))
        summary = escape(str(record.get("summary", "")))
        return f"{badge(state)} · " + t("last run {step}: {summary}", step=step.id, summary=summary)

    def on_mount(self) -> None:
        self.title = f"{self.lesson.id} · {self.lesson.layer}"
        self.sub_title = self.lesson.title
        self._fill_steps()
        bar = self.query_one("#progress", ProgressBar)
        # Idle, not the "busy" animation: complete when every step passed last time (or was skipped), empty otherwise.
        states = [self.app.progress.step_record(self.lesson.id, s.id).get("status") for s in self.lesson.spec.steps]
        done = "passed" in states and all(state in ("passed", "skipped") for state in states)
        bar.update(total=1, progress=1 if done else 0)
        bar.query_one("#eta").display = False
        artifacts = self.query_one("#artifacts", DataTable)
        for column in ("kind", "path", "description"):
            artifacts.add_column(t(column), key=column)
        self._show_code(self.lesson.spec.steps[0])
        self.set_interval(FRAME_S, self._flush)
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.query_one("#steps", DataTable).focus()
        self.call_after_refresh(self._refit_steps)  # the table's real width is known once it is laid out

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self._refit_steps)
        self.call_after_refresh(self._relabel_tabs)

    def on_screen_suspend(self) -> None:
        if not self.running:  # kept for a run that ended while this screen was under another one: it goes now
            self.app.drop_background_screen(self)

    def reopen(self) -> LessonScreen:
        return LessonScreen(self.lesson)

    def _layout(self) -> tuple[bool, int]:
        """(icons only, title width): below 100 columns the state column shows just the mark (the word is in the
        status line and the help), so the step titles keep room; state and time are never cut."""
        steps = self.query_one("#steps", DataTable)
        compact = (self.size.width or self.app.size.width) < COMPACT_BELOW
        state_width = 1 if compact else badge_width()
        # Before the table is laid out: its column's share of the window, less the border (lesson_screen.tcss).
        share = (self.app.size.width // 2) if compact else (self.app.size.width * 2 // 5)
        available = steps.size.width or max(share - 2, 30)
        scrollbar = 2 if len(self.lesson.spec.steps) > STEP_ROWS_SHOWN else 0
        return compact, max(available - state_width - TIME_WIDTH - 3 * 2 * steps.cell_padding - scrollbar, 8)

    def _state_cell(self, state: str) -> str:
        return mark(state) if self._compact else badge(state)

    def _fill_steps(self) -> None:
        """(Re)build the step table for the width it has."""
        steps = self.query_one("#steps", DataTable)
        cursor = steps.cursor_row
        self._compact, self._step_width = self._layout()
        steps.clear(columns=True)
        steps.add_column("" if self._compact else t("state"), key="state", width=1 if self._compact else badge_width())
        steps.add_column(t("time"), key="time", width=TIME_WIDTH)
        steps.add_column(t("step"), key="step", width=self._step_width)
        progress = self.app.progress
        for step in self.lesson.spec.steps:
            record = progress.step_record(self.lesson.id, step.id)
            state = record.get("status", "not started")
            if step.id == self._running_step:
                state = "running"
            duration = f"{record['duration_s']:.1f}s" if "duration_s" in record and state != "running" else ""
            steps.add_row(self._state_cell(state), duration, clip(self.lesson.step_title(step), self._step_width), key=step.id)
        if 0 <= cursor < steps.row_count:
            steps.move_cursor(row=cursor, animate=False)
        self._show_full_title()

    def _show_full_title(self) -> None:
        """Under the table, the highlighted step's title in full, when the table had to cut it."""
        title = self.lesson.step_title(self._selected_step())
        label = self.query_one("#step-title", Label)
        cut = cell_len(title) > self._step_width
        label.update(f"▸ {escape(title)}" if cut else "")
        label.set_class(cut, "-cut")

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit_steps)
        self.call_after_refresh(self._relabel_tabs)

    def _refit_steps(self) -> None:
        if self.query_one("#steps", DataTable).size.width and self._layout() != (self._compact, self._step_width):
            self._fill_steps()

    # ---- code -------------------------------------------------------------
    def _show_code(self, step: Step) -> None:
        self._code_step = step
        self.query_one(CodePanel).show(self.lesson.script_entry(step.entry), self.app.current_theme.dark)

    def _theme_changed(self) -> None:
        self._show_code(self._code_step)

    @on(DataTable.RowSelected, "#artifacts")
    def _preview_artifact(self, event: DataTable.RowSelected) -> None:
        from workbench.tui.screens.artifact_preview import ArtifactPreview

        kind, path, description = (str(cell) for cell in event.data_table.get_row(event.row_key))
        self.app.push_screen(ArtifactPreview(kind, path, description))

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """The code can only scroll to its function once its tab has a size: show it again when the tab opens."""
        if event.pane.id == "tab-code":
            self.call_after_refresh(self._show_code, self._code_step)

    # ---- queue, applied once per frame ----------------------------------
    def queue_line(self, line: str) -> None:
        self._pending.append(("line", line))

    def queue_call(self, call: Callable[[], None]) -> None:
        self._pending.append(("call", call))

    def queue_event(self, lesson: Lesson, step: Step, event: Event) -> None:
        if isinstance(event, LogEvent):
            self._pending.append(("line", self._log_prefix(event) + event.message))
        else:
            self._pending.append(("event", event))

    def _log_prefix(self, event: LogEvent) -> str:
        """'! ' for a warning or error the step reported, or a child's stderr line that is a real error (a traceback)."""
        if event.level in ("warning", "error"):
            return "! "
        if event.stream != "stderr":
            return ""
        line = event.message
        if line.startswith("Traceback (most recent call last)"):
            self._in_traceback = True
            return "! "
        if self._in_traceback:
            if not line.startswith((" ", "\t")):
                self._in_traceback = False  # the exception line ends the traceback
            return "! "
        return "! " if is_error_line(line) else ""

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
                if progress is not None:
                    self._show_progress(progress)
                    progress = None
                payload()
            elif isinstance(payload, Metric):
                metrics.add(payload.name, payload.value, payload.step)
            elif isinstance(payload, Progress):
                progress = payload
            elif isinstance(payload, Artifact):
                self.query_one("#artifacts", DataTable).add_row(  # a str cell is markup: escape what the step sent
                    escape(payload.kind), escape(payload.path), escape(payload.description)
                )
                lines.append(f"  artifact {payload.kind}: {payload.path}")
            elif isinstance(payload, Status):
                lines.append(f"> {payload.message}")
                self.query_one("#run-status", Label).update(
                    f"{badge('running')} {self._running_step or ''}: {escape(payload.message)}"
                )
        if lines:
            panel.write_lines(lines)
        else:
            panel.drain()
        if progress is not None:
            self._show_progress(progress)
        metrics.sync()

    def _show_progress(self, progress: Progress) -> None:
        if self._running_step is None:
            return  # a late event after the step's verdict: the bar stays finished
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=progress.total, progress=progress.done)
        bar.query_one("#eta").display = bool(progress.total)

    def _finish_bar(self, status: str) -> None:
        """A finished step shows a finished bar: full when it passed, stopped where it was otherwise; no ETA."""
        bar = self.query_one("#progress", ProgressBar)
        bar.query_one("#eta").display = False
        if status in ("passed", "skipped"):
            bar.update(total=1, progress=1)
        elif bar.total is None:
            bar.update(total=1, progress=0)  # it never reported progress: not the "busy" animation
        bar.set_class(status not in ("passed", "skipped"), "-stopped")

    # ---- runner callbacks (applied in order with the events) --------------
    def _command(self, text: str) -> None:
        self.query_one("#commands", CommandsPanel).add(f"$ {text}")

    def _set_step_state(self, step_id: str, state: str, duration: str = "") -> None:
        steps = self.query_one("#steps", DataTable)
        if step_id in steps.rows:
            steps.update_cell(step_id, "state", self._state_cell(state))
            steps.update_cell(step_id, "time", duration)

    def step_started(self, lesson: Lesson, step: Step, command: str) -> None:
        self._running_step = step.id
        self._step_started_at = time.monotonic()
        self._in_traceback = False
        self._command(command)
        self.query_one(LogPanel).write_lines([f"-- {lesson.id}/{step.id}: {lesson.step_title(step)}"])
        bar = self.query_one("#progress", ProgressBar)
        bar.remove_class("-stopped")
        bar.update(total=None, progress=0)  # busy until the step reports its progress
        bar.query_one("#eta").display = False
        self.query_one("#run-status", Label).update(f"{badge('running')} {lesson.id}/{step.id}")
        if lesson.id == self.lesson.id:
            self._set_step_state(step.id, "running")
            self._show_code(step)

    def step_finished(self, lesson: Lesson, step: Step, outcome: StepOutcome) -> None:
        verdict = t("PASS") if outcome.passed else t(outcome.status.upper())  # FAILED, TIMEOUT, ... (zh-TW.toml)
        self.query_one(LogPanel).write_lines([f"{verdict} {lesson.id}/{step.id} ({outcome.duration_s:.1f} s): {outcome.summary}"])
        self.query_one("#run-status", Label).update(f"{badge(outcome.status)} {lesson.id}/{step.id}: {escape(outcome.summary)}")
        self._running_step = None
        self._finish_bar(outcome.status)
        if lesson.id == self.lesson.id:
            self._set_step_state(step.id, outcome.status, f"{outcome.duration_s:.1f}s")
        if not outcome.ok and outcome.status != "cancelled":
            tail = "\n".join(outcome.log_tail[-3:])
            self.notify(
                f"{step.id}: {outcome.summary}" + (f"\n{tail}" if tail else ""),
                title=t("step did not pass"),
                severity="error",
                timeout=10,
            )

    def lesson_finished(self, report: LessonReport) -> None:
        if report.skipped and report.reason:
            self.query_one("#run-status", Label).update(f"{badge('failed')} {escape(report.reason)}")
            self._finish_bar("failed")
        if report.id != self.lesson.id or not report.passed:
            return
        next_lesson = self.app.next_lesson(after=self.lesson.id)
        if next_lesson is not None:
            message = t("{lesson} passed. Next: {next} — press n to open it", lesson=self.lesson.id, next=next_lesson.id)
            self.query_one("#run-status", Label).update(f"{badge('passed')} {escape(message)}")
        else:
            message = t("{lesson} passed.", lesson=self.lesson.id)
        if not self.is_current:
            message = t("in the background: {message}", message=message)
        self.app.notify(message, title=t("passed"), timeout=10)

    # ---- actions ---------------------------------------------------------
    def _selected_step(self) -> Step:
        steps = self.query_one("#steps", DataTable)
        return self.lesson.spec.steps[min(max(steps.cursor_row, 0), len(self.lesson.spec.steps) - 1)]

    @on(DataTable.RowHighlighted, "#steps")
    def _show_step_code(self, event: DataTable.RowHighlighted) -> None:
        self._show_full_title()
        if self._running_step is None and event.cursor_row is not None and 0 <= event.cursor_row < len(self.lesson.spec.steps):
            self._show_code(self.lesson.spec.steps[event.cursor_row])

    @property
    def running(self) -> bool:
        return self.runner is not None

    def running_what(self) -> str:
        return f"{self.lesson.id}/{self._running_step}" if self._running_step else self.lesson.id

    def action_run_step(self) -> None:
        self._start(self._selected_step().id)

    def action_open_exercise(self) -> None:
        from workbench.tui.screens.exercise_screen import ExerciseScreen

        exercises = self.lesson.spec.exercises
        if not exercises:
            self.notify(t("this lesson has no exercise yet"))
            return
        progress = self.app.progress
        exercise = next((e for e in exercises if progress.exercise_status(e.id) != "passed"), exercises[0])
        self.app.push_screen(ExerciseScreen(self.lesson, exercise))

    def action_next_lesson(self) -> None:
        self.leave(lambda: self.app.open_next_lesson(after=self.lesson.id))

    def action_edit_params(self) -> None:
        step = self._selected_step()
        current = self.param_overrides.get(step.id, dict(step.params))

        def remember(params: dict[str, Any] | None) -> None:
            if params is None:
                return
            self.param_overrides[step.id] = params
            self._command(f"# {step.id} will run with params {json.dumps(params, ensure_ascii=False)}")
            self.notify(t("{step} will run with your parameters (r runs it)", step=step.id), title=t("parameters"))

        self.app.push_screen(ParamsDialog(self.lesson, step, current), remember)

    def action_run_lesson(self) -> None:
        self._start(None)

    def _start(self, only_step: str | None) -> None:
        params = self.param_overrides.get(only_step) if only_step else None
        if self.running:
            self.notify(t("a step is already running; press x to cancel it"), severity="warning")
            return
        if self.app.curriculum is None:
            return
        self.query_one(MetricsPanel).clear()
        self.query_one("#artifacts", DataTable).clear()
        self.query_one(LogPanel).follow_tail()  # a new run: its output is what matters, wherever the log was scrolled
        command = f"mlops-workbench --lesson {self.lesson.id}" + (f" --step {only_step}" if only_step else "")
        self._command(command)
        self.runner = LessonRunner(
            self.app.curriculum,
            self.app.home,
            TuiRenderer(self),
            self.app.progress,
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
        if self._running_step is not None:  # ended without a verdict for its step (cancelled before it reported)
            self._set_step_state(self._running_step, "cancelled")
            self._finish_bar("cancelled")
        self._running_step = None
        self.app.background_run_ended(self)

    def action_cancel(self) -> None:
        if self.runner is None:
            self.notify(t("nothing is running"))
            return
        self.runner.cancel()
        self.query_one(LogPanel).write_lines(["! " + t("cancel requested: ending the step's process tree")])

    def leave(self, then: Callable[[], object]) -> None:
        """Leave this screen by calling ``then``; while a step runs, ask first (background, cancel, or stay)."""
        from workbench.tui.screens.confirm_dialogs import BACKGROUND, CANCEL, LeaveRunningDialog

        if not self.running or self.left_running:
            then()
            return

        def answer(choice: str | None) -> None:
            if choice in (BACKGROUND, CANCEL):
                self.left_running = True
                # Kept until its run has ended, also when cancelled: the cancel finishes in the background.
                self.app.keep_in_background(self)
                if choice == CANCEL:
                    self.action_cancel()
                then()

        self.app.push_screen(LeaveRunningDialog(self.lesson.id, self._running_step), answer)

    def action_back(self) -> None:
        self.leave(self.app.pop_screen)

    def action_filter_log(self) -> None:
        self.query_one(LogPanel).start_filter()

    def action_focus_log(self) -> None:
        self.query_one(LogPanel).log_widget.focus()

    def action_wrap_log(self) -> None:
        wrapped = self.query_one(LogPanel).toggle_wrap()
        self.notify(t("long log lines now wrap") if wrapped else t("long log lines now scroll sideways"))

    def action_save_log(self) -> None:
        path = self.query_one(LogPanel).save(self.app.home / "logs", self.lesson.id)
        self.notify(t("log saved to {path}", path=path), title=t("saved"))
        self._command(f"less {path}")

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    async def stop_runs(self) -> None:
        """End every running step tree and wait until the worker has reported (used when quitting)."""
        if self.runner is not None:
            self.runner.cancel()
            for worker in list(self.app.workers):
                if worker.group == "lesson-run" and worker.node is self:
                    with contextlib.suppress(Exception):  # cancelled or failed: the step tree is ended either way
                        await worker.wait()
