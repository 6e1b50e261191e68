"""Render the lesson event stream as text: rich on a terminal, plain lines in CI logs.

What a step prints or sends is shown as text, never obeyed: terminal control
sequences are removed from every line (colours too; see
``shared.events.terminal_text``), and in rich output it is never read as markup.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, TextIO

from rich.markup import escape

from shared.events import Artifact, Event, Log, Metric, Progress, Result, Status
from shared.events.step_status import StepStatus
from shared.events.terminal_text import printable
from workbench.curriculum.lesson_loader import Lesson
from workbench.curriculum.lesson_schema import Step
from workbench.i18n import t
from workbench.runner.lesson_runner import LessonReport
from workbench.runner.step_runner import StepOutcome

if TYPE_CHECKING:
    from rich.progress import TaskID

MARK = {
    StepStatus.PASSED: "PASS",
    StepStatus.FAILED: "FAIL",
    StepStatus.TIMEOUT: "TIMEOUT",
    StepStatus.CANCELLED: "CANCELLED",
    StepStatus.INTERRUPTED: "INTERRUPTED",
    StepStatus.CRASHED: "CRASH",
    StepStatus.SKIPPED: "SKIP",
}


def mark(status: str) -> str:
    known = status in StepStatus.__members__.values()
    return t(MARK.get(StepStatus(status), status.upper()) if known else status.upper())


def safe(text: object) -> str:
    """Step-supplied text for rich markup: no control sequences, and brackets shown, not parsed."""
    return escape(printable(str(text)))


def metric_value(value: float) -> str:
    """The value, marked when it is not a finite number (a diverged loss), so nobody reads it as a measurement."""
    return f"{value:.6g}" if math.isfinite(value) else f"{value:.6g} (not a finite number)"


def progress_fraction(event: Progress) -> float:
    """done/total clamped to [0, 1] (total > 0)."""
    return min(max(event.done / event.total, 0.0), 1.0) if event.total else 0.0


class PlainRenderer:
    """One line per event; progress printed at each quarter so CI logs stay short."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._quarter: int = -1

    def _print(self, text: str) -> None:
        print(printable(text), file=self.stream, flush=True)

    def note(self, message: str, level: str = "info") -> None:
        self._print(f"{'!' if level in ('error', 'warning') else '*'} {message}")

    def lesson_started(self, lesson: Lesson, reason: str | None) -> None:
        extra = f" — {reason}" if reason else ""
        self._print(f"== {lesson.id} [{lesson.layer}] {lesson.title}{extra}")

    def step_started(self, lesson: Lesson, step: Step, command: str) -> None:
        self._quarter = -1
        self._print(f"-- {lesson.id}/{step.id}: {lesson.step_title(step)}")
        self._print(f"   $ {command}")

    def event(self, lesson: Lesson, step: Step, event: Event) -> None:
        if isinstance(event, Log):
            prefix = "   | " if event.stream != "stderr" else "   ! "
            self._print(prefix + event.message)
        elif isinstance(event, Metric):
            at = "" if event.step is None else f" @ {event.step}"
            self._print(f"   metric {event.name} = {metric_value(event.value)}{at}")
        elif isinstance(event, Progress):
            if event.total:
                quarter = int(4 * progress_fraction(event))
                if quarter != self._quarter:
                    self._quarter = quarter
                    self._print(f"   progress {event.done:g}/{event.total:g} {event.label}".rstrip())
        elif isinstance(event, Artifact):
            self._print(f"   artifact {event.kind}: {event.path}" + (f" ({event.description})" if event.description else ""))
        elif isinstance(event, Status):
            self._print(f"   > {event.message}")
        elif isinstance(event, Result):
            pass  # reported by step_finished, with the runner's view of the exit

    def step_finished(self, lesson: Lesson, step: Step, outcome: StepOutcome) -> None:
        self._print(f"{mark(outcome.status)} {lesson.id}/{step.id} ({outcome.duration_s:.1f} s): {outcome.summary}")

    def lesson_finished(self, report: LessonReport) -> None:
        verdict = t("passed") if report.passed else t("did not pass")
        self._print(f"== {report.id} {verdict}" + (f" ({report.reason})" if report.skipped and report.reason else ""))


class RichRenderer(PlainRenderer):
    """Colour, a live progress bar, and dimmed log lines for an interactive terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        self.console = Console(file=self.stream, highlight=False)
        self._bar = Bar(
            TextColumn("   [progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:g}/{task.total:g}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self._task: TaskID | None = None

    def _print(self, text: str) -> None:
        self.console.print(printable(text), markup=False)

    def note(self, message: str, level: str = "info") -> None:
        style = "bold red" if level == "error" else "yellow" if level == "warning" else "cyan"
        self.console.print(f"• {printable(message)}", style=style, markup=False)

    def lesson_started(self, lesson: Lesson, reason: str | None) -> None:
        self.console.rule(
            f"[bold]{lesson.id}[/] [dim]{lesson.layer}[/] {safe(lesson.title)}"
            + (f" [yellow]({safe(reason)})[/]" if reason else "")
        )

    def step_started(self, lesson: Lesson, step: Step, command: str) -> None:
        self.console.print(f"[bold cyan]▶ {step.id}[/] {safe(lesson.step_title(step))}")
        self.console.print(f"  $ {printable(command)}", style="dim green", markup=False)

    def _stop_bar(self) -> None:
        if self._task is not None:
            self._bar.stop()
            self._bar.remove_task(self._task)
            self._task = None

    def event(self, lesson: Lesson, step: Step, event: Event) -> None:
        if isinstance(event, Progress):
            if event.total:
                label = safe(event.label or step.id)  # the bar's description is markup
                if self._task is None:
                    self._task = self._bar.add_task(label, total=event.total)
                    self._bar.start()
                self._bar.update(self._task, completed=event.done, total=event.total, description=label)
            return
        if isinstance(event, Log):
            style = "red" if event.level == "error" else "yellow" if event.level == "warning" else "dim"
            self.console.print(f"  │ {printable(event.message)}", style=style, markup=False)
        elif isinstance(event, Metric):
            at = "" if event.step is None else f" [dim]@ {event.step}[/]"
            self.console.print(f"  [magenta]◆ {safe(event.name)}[/] = [bold]{metric_value(event.value)}[/]{at}")
        elif isinstance(event, Artifact):
            self.console.print(f"  [blue]▣ {safe(event.kind)}[/] {safe(event.path)}")
        elif isinstance(event, Status):
            self.console.print(f"  [cyan]› {safe(event.message)}[/]")

    def step_finished(self, lesson: Lesson, step: Step, outcome: StepOutcome) -> None:
        self._stop_bar()
        style = "bold green" if outcome.passed else "bold yellow" if outcome.status == StepStatus.SKIPPED else "bold red"
        self.console.print(f"[{style}]{mark(outcome.status)}[/] {step.id} [dim]({outcome.duration_s:.1f} s)[/] ", end="")
        self.console.print(printable(outcome.summary), markup=False)

    def lesson_finished(self, report: LessonReport) -> None:
        self._stop_bar()
        if report.passed:
            self.console.print(f"[bold green]✔ {report.id} {t('passed')}[/]")
        else:
            self.console.print(
                f"[bold red]✘ {report.id} {t('did not pass')}[/]"
                + (f" [dim]{safe(report.reason)}[/]" if report.skipped and report.reason else "")
            )
