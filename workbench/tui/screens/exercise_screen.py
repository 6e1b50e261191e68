"""An exercise: the task, the learner's file, and a check that re-runs every time the file is saved.

Watch mode polls the file's modification time (cheap, no extra dependency);
a change starts the check in a child process, exactly like ``--check``.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Header, Label, Markdown, Static

from workbench.curriculum.lesson_loader import Lesson
from workbench.i18n import t
from workbench.runner.exercise_runner import check_exercise, ensure_workspace, reset_workspace
from workbench.runner.file_watch import WATCH_POLL_S, FileWatch
from workbench.tui.lesson_states import badge
from workbench.tui.translated import WorkbenchModal, WorkbenchScreen


class ConfirmReset(WorkbenchModal[bool]):
    DEFAULT_CSS = """
    ConfirmReset { align: center middle; }
    ConfirmReset > Vertical { width: 70; height: auto; border: round $warning; background: $surface; padding: 1 2; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Reset", id="reset.yes"),
        Binding("n,escape", "answer(False)", "Keep", id="reset.no"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                t("Reset the file to its starting version?")
                + "\n"
                + t("Your version is kept beside it as a .bak file.  [b]y[/] reset · [b]n[/] keep")
            )

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ExerciseScreen(WorkbenchScreen):
    HELP_TITLE = "exercise"
    HELP = (
        "Edit your copy of the exercise file in any editor: every save runs the check again, in a child process, "
        "for real. h shows one more hint, c checks now, x puts the starting version back (yours is kept), "
        "n goes to the next exercise. After a pass the reference solution is shown to compare with yours."
    )
    BINDINGS = [
        Binding("h", "hint", "Hint", id="exercise.hint"),
        Binding("c", "check", "Check now", id="exercise.check"),
        Binding("e", "edit", "Edit", id="exercise.edit"),
        Binding("n", "next", "Next exercise", id="exercise.next", show=False),
        Binding("x", "reset", "Reset", id="exercise.reset", show=False),
        Binding("escape", "app.pop_screen", "Back", id="exercise.back"),
    ]

    def __init__(self, lesson: Lesson, exercise: Any) -> None:
        super().__init__(name=f"exercise-{exercise.id}")
        self.lesson = lesson
        self.exercise = exercise
        self.path: Path | None = None
        self.hints_shown = 0
        self.status = "pending"
        self.checks_run = 0
        self._watch_file: FileWatch | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="exercise-body"):
            title, task, _ = self.lesson.exercise_texts(self.exercise)
            yield Markdown(f"## {title}\n\n{task}", id="exercise-task")
            yield Static("", id="exercise-path")
            yield Static(badge("not started"), id="exercise-status")
            yield Static("", id="exercise-hints")
            yield Static("", id="exercise-solution")
        yield Footer(show_command_palette=False)  # ctrl+p still opens it; the help lists it

    def on_mount(self) -> None:
        self.title = t(
            "exercise {exercise} · {lesson} ({layer})", exercise=self.exercise.id, lesson=self.lesson.id, layer=self.lesson.layer
        )
        self.sub_title = ""
        self.path = ensure_workspace(self.app.home, self.lesson, self.exercise)
        self.query_one("#exercise-path", Static).update(
            t("edit [b]{path}[/] in your editor — it is checked every time you save (or press e)", path=escape(str(self.path)))
            + "\n"
            f"[dim]$ mlops-workbench exercise {self.exercise.id} --watch[/]\n"  # i18n: not translated
            + t(
                "[b]h[/] one more hint · [b]c[/] check now · [b]e[/] open it in $EDITOR · [b]x[/] start over · "
                "[b]n[/] next exercise · [b]Escape[/] back to the lesson"
            )
        )
        self._watch_file = FileWatch(self.path)
        self.set_interval(WATCH_POLL_S, self._watch)
        self.action_check()

    def _watch(self) -> None:
        if self._watch_file is not None and self._watch_file.changed():
            self.action_check()

    def action_check(self) -> None:
        self.query_one("#exercise-status", Static).update(f"{badge('running')} {t('checking your file…')}")
        self._run_check()

    @work(exclusive=True, group="exercise-check", exit_on_error=False)
    async def _run_check(self) -> None:
        assert self.path is not None
        outcome = await check_exercise(self.app.home, self.lesson, self.exercise, self.path)
        if not self.alive:
            return  # the learner left while it ran
        self.checks_run += 1
        self.status = "passed" if outcome.passed else "failed"
        self.app.progress.record_exercise(self.exercise.id, self.status, outcome.summary)
        tail = escape("\n".join(f"  {line}" for line in outcome.log_tail[-6:] if line.strip()))
        state = badge("passed") if outcome.passed else f"[red]✘ {t('not yet')}[/]"
        self.query_one("#exercise-status", Static).update(
            f"{state}  {escape(outcome.summary)}" + (f"\n[dim]{tail}[/]" if tail and not outcome.passed else "")
        )
        if outcome.passed:
            solution = (self.lesson.folder / self.exercise.solution).read_text(encoding="utf-8")
            self.query_one("#exercise-solution", Static).update(
                f"[b]{t('reference solution')}[/] {t('(compare with yours)')}\n{escape(solution)}"
            )
        else:
            self.query_one("#exercise-solution", Static).update("")

    def action_hint(self) -> None:
        _, _, hints = self.lesson.exercise_texts(self.exercise)
        if self.hints_shown < len(hints):
            self.hints_shown += 1
        lines = [f"{t('hint')} {i + 1}/{len(hints)}: {escape(h)}" for i, h in enumerate(hints[: self.hints_shown])]
        self.query_one("#exercise-hints", Static).update("\n".join(lines))

    def action_next(self) -> None:
        exercises = self.app.loaded_curriculum().exercises()
        ids = [e.id for _, e in exercises]
        lesson, exercise = exercises[(ids.index(self.exercise.id) + 1) % len(exercises)]
        self.app.switch_screen(ExerciseScreen(lesson, exercise))

    def action_reset(self) -> None:
        def answer(reset: bool | None) -> None:
            if reset:
                path, backup = reset_workspace(self.app.home, self.lesson, self.exercise)
                self.notify(
                    t("reset {file}", file=path.name) + (t("; yours is kept as {file}", file=backup.name) if backup else ""),
                    title=t("exercise"),
                    markup=False,
                )

        self.app.push_screen(ConfirmReset(), answer)

    def action_edit(self) -> None:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.notify(
                t("set $EDITOR, or open {path} in any editor: saving re-runs the check", path=self.path),
                severity="warning",
                markup=False,
            )
            return
        with self.app.suspend():
            os.system(f"{editor} {shlex.quote(str(self.path))}")

    def reopen(self) -> ExerciseScreen:
        return ExerciseScreen(self.lesson, self.exercise)
