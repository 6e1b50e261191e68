"""Render the lesson event stream as text: rich on a terminal, plain lines in CI logs."""

from __future__ import annotations

import sys
from typing import TextIO

from shared.events import Artifact, Event, Log, Metric, Progress, Result, Status
from workbench.curriculum.lesson_loader import Lesson
from workbench.i18n import t
from workbench.curriculum.lesson_schema import Step
from workbench.runner.lesson_runner import LessonReport
from workbench.runner.step_runner import StepOutcome

MARK = {"passed": "PASS", "failed": "FAIL", "timeout": "TIMEOUT", "cancelled": "CANCELLED", "crashed": "CRASH", "skipped": "SKIP"}


def mark(status: str) -> str:
    return t(MARK.get(status, status.upper()))


class PlainRenderer:
    """One line per event; progress printed at each quarter so CI logs stay short."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._quarter: int = -1

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

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
            self._print(f"   metric {event.name} = {event.value:.6g}{at}")
        elif isinstance(event, Progress):
            if event.total:
                quarter = int(4 * event.done / event.total)
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
        from rich.progress import BarColumn, Progress as Bar, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.console = Console(file=self.stream, highlight=False)
        self._bar = Bar(
            TextColumn("   [progress.description]{task.description}"), BarColumn(), TextColumn("{task.completed:g}/{task.total:g}"),
            TimeElapsedColumn(), TimeRemainingColumn(), console=self.console, transient=True,
        )
        self._task: int | None = None

    def _print(self, text: str) -> None:
        self.console.print(text, markup=False)

    def note(self, message: str, level: str = "info") -> None:
        style = "bold red" if level == "error" else "yellow" if level == "warning" else "cyan"
        self.console.print(f"• {message}", style=style, markup=False)

    def lesson_started(self, lesson: Lesson, reason: str | None) -> None:
        self.console.rule(f"[bold]{lesson.id}[/] [dim]{lesson.layer}[/] {lesson.title}" + (f" [yellow]({reason})[/]" if reason else ""))

    def step_started(self, lesson: Lesson, step: Step, command: str) -> None:
        self.console.print(f"[bold cyan]▶ {step.id}[/] {lesson.step_title(step)}")
        self.console.print(f"  $ {command}", style="dim green", markup=False)

    def _stop_bar(self) -> None:
        if self._task is not None:
            self._bar.stop()
            self._bar.remove_task(self._task)
            self._task = None

    def event(self, lesson: Lesson, step: Step, event: Event) -> None:
        if isinstance(event, Progress):
            if event.total:
                if self._task is None:
                    self._task = self._bar.add_task(event.label or step.id, total=event.total)
                    self._bar.start()
                self._bar.update(self._task, completed=event.done, total=event.total, description=event.label or step.id)
            return
        if isinstance(event, Log):
            style = "red" if event.level == "error" else "yellow" if event.level == "warning" else "dim"
            self.console.print(f"  │ {event.message}", style=style, markup=False)
        elif isinstance(event, Metric):
            at = "" if event.step is None else f" [dim]@ {event.step}[/]"
            self.console.print(f"  [magenta]◆ {event.name}[/] = [bold]{event.value:.6g}[/]{at}")
        elif isinstance(event, Artifact):
            self.console.print(f"  [blue]▣ {event.kind}[/] {event.path}")
        elif isinstance(event, Status):
            self.console.print(f"  [cyan]› {event.message}[/]")

    def step_finished(self, lesson: Lesson, step: Step, outcome: StepOutcome) -> None:
        self._stop_bar()
        style = "bold green" if outcome.passed else "bold yellow" if outcome.status == "skipped" else "bold red"
        self.console.print(f"[{style}]{mark(outcome.status)}[/] {step.id} "
                           f"[dim]({outcome.duration_s:.1f} s)[/] ", end="")
        self.console.print(outcome.summary, markup=False)

    def lesson_finished(self, report: LessonReport) -> None:
        self._stop_bar()
        if report.passed:
            self.console.print(f"[bold green]✔ {report.id} {t('passed')}[/]")
        else:
            self.console.print(f"[bold red]✘ {report.id} {t('did not pass')}[/]" + (f" [dim]{report.reason}[/]" if report.skipped and report.reason else ""))
