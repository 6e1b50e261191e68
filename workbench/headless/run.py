"""``mlops-workbench --lesson ID``: run lessons without the TUI and report the result."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

from shared.constants import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from shared.utils import process_tree
from workbench.curriculum.lesson_loader import SelectionError, load_curriculum
from workbench.curriculum.step_signature import parameter_problems
from workbench.headless.renderers import PlainRenderer, RichRenderer
from workbench.headless.reports import json_document, junit_path_problem, write_junit
from workbench.i18n import t
from workbench.progress_store import ProgressStore
from workbench.runner.lesson_runner import LessonReport, LessonRunner
from workbench.runner.step_runner import URGENT_STAGES, cancel_live_runs


def _usage_error(message: str) -> int:
    print(t("error: {message}", message=message), file=sys.stderr)
    return EXIT_USAGE


CANCEL_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


async def _run(runner: LessonRunner, selected, step: str | None, params: dict | None) -> list[LessonReport]:
    """Ctrl-C, SIGTERM and a hang-up (terminal closed) are a cancel: the step's whole tree ends, then the report."""
    loop = asyncio.get_running_loop()

    def told_to_go(hang_up: bool) -> None:
        """SIGTERM or SIGHUP: nobody waits for a graceful Ctrl-C round; the step's tree gets SIGTERM at once."""
        if hang_up:
            process_tree.detach_from_terminal()
        cancel_live_runs(URGENT_STAGES)
        runner.cancel()

    loop.add_signal_handler(signal.SIGINT, runner.cancel)
    loop.add_signal_handler(signal.SIGTERM, told_to_go, False)
    loop.add_signal_handler(signal.SIGHUP, told_to_go, True)
    try:
        return await runner.run(selected, only_step=step, params=params)
    finally:
        for sig in CANCEL_SIGNALS:
            loop.remove_signal_handler(sig)


def run_headless(
    selection: str,
    *,
    lessons_dir: Path | None,
    home: Path,
    json_output: bool = False,
    junit: Path | None = None,
    step: str | None = None,
    plain: bool = False,
    params: dict | None = None,
) -> int:
    curriculum = load_curriculum(lessons_dir)
    try:
        selected = curriculum.select(selection)
    except SelectionError as exc:
        return _usage_error(str(exc))
    if step is not None:
        if len(selected) != 1:
            return _usage_error(t("--step needs exactly one lesson in --lesson"))
        known = [s.id for s in selected[0].spec.steps]
        if step not in known:
            return _usage_error(
                t(
                    "lesson '{lesson}' has no step '{step}'; its steps: {steps}",
                    lesson=selected[0].id,
                    step=step,
                    steps=", ".join(known),
                )
            )
        if params:
            lesson = selected[0]
            chosen = next(s for s in lesson.spec.steps if s.id == step)
            problems = parameter_problems(lesson.script_entry(chosen.entry), params, chosen.params)
            if problems:  # checked against the step's own signature, before anything runs
                return _usage_error(t("--param for {step}: {problems}", step=f"{lesson.id}/{step}", problems="; ".join(problems)))
    if junit is not None and (problem := junit_path_problem(junit)):
        return _usage_error(problem)  # found before anything runs, not after the whole lesson

    out = sys.stderr if json_output else sys.stdout
    renderer = PlainRenderer(out) if plain or not out.isatty() else RichRenderer(out)
    for broken in curriculum.broken:
        renderer.note(t("broken lesson {lesson}", lesson=f"'{broken.id}'") + ": " + "; ".join(broken.errors), "warning")
    progress = ProgressStore.open(home)
    if progress.warning:
        renderer.note(progress.warning, "warning")
    runner = LessonRunner(curriculum, home, renderer, progress)
    reports = asyncio.run(_run(runner, selected, step, params))

    document = json_document(reports)
    if json_output:  # first: a report file that cannot be written after all never costs the JSON document
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    if junit is not None:
        try:
            renderer.note(t("JUnit report written to {path}", path=write_junit(junit, reports)))
        except OSError as exc:
            renderer.note(t("--junit {path}: not written ({error})", path=junit, error=exc), "error")
            return EXIT_FAILED
    passed = sum(r.passed for r in reports)
    renderer.note(
        t("{passed}/{total} lessons passed", passed=passed, total=len(reports)), "info" if document["passed"] else "error"
    )
    return EXIT_OK if document["passed"] else EXIT_FAILED
