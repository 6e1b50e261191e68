"""Command palette (ctrl+p): the next lesson, every lesson, exercise and screen by name."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from workbench.i18n import t

if TYPE_CHECKING:
    from workbench.tui.app import WorkbenchApp


class WorkbenchCommands(Provider):
    def _commands(self) -> list[tuple[str, object, str]]:
        app = cast("WorkbenchApp", self.app)  # the palette belongs to the workbench app
        commands: list[tuple[str, object, str]] = []
        upcoming = app.suggested_lesson()
        if upcoming is not None:
            commands.append(
                (
                    t("Next lesson: {lesson} — {title}", lesson=upcoming.id, title=upcoming.title),
                    partial(app.open_lesson, upcoming.id),
                    t("the first lesson not passed yet whose prerequisites have passed (n on the map)"),
                )
            )
        commands += [
            (t("Home: the layer map"), app.action_go_home, t("show the four layers and their lessons")),
            (t("Help: every key of this screen"), app.action_help, t("also ? or F1")),
            (t("Runs: compare experiment runs"), app.action_open_runs, t("every training run recorded in MLflow")),
            (t("GPU health check"), app.action_open_gpu, t("driver, devices, frameworks and verdicts")),
            (
                t("Serving: start the iris service, send requests, load test"),
                app.action_open_serving,
                t("bentoml serve on 127.0.0.1 with live metrics and a request console"),
            ),
            (t("Language: English / 繁體中文"), app.action_switch_language, t("switch the language of the app (ctrl+l)")),
            (t("Toggle light / dark theme"), app.action_toggle_theme, t("switch between the light and dark theme (ctrl+t)")),
        ]
        for lesson in app.curriculum.lessons if app.curriculum else []:
            commands.append(
                (
                    t("Lesson: {lesson} — {title}", lesson=lesson.id, title=lesson.title),
                    partial(app.open_lesson, lesson.id),
                    f"{lesson.layer} · {lesson.summary}",
                )
            )
        progress = app.progress
        for lesson, exercise in app.curriculum.exercises() if app.curriculum else []:
            done = "✔" if progress.exercise_status(exercise.id) == "passed" else "○"
            title, task, _ = lesson.exercise_texts(exercise)
            commands.append(
                (
                    t("Exercise {done} {exercise} — {title}", done=done, exercise=exercise.id, title=title),
                    partial(app.open_exercise, exercise.id),
                    f"{lesson.id} · {task}",
                )
            )
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]  # callbacks kept as object

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)  # type: ignore[arg-type]  # as above
