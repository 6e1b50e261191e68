"""``mlops-workbench exercise``: list exercises, show one, check it, watch it, reset it."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from shared.constants import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from workbench.curriculum.lesson_loader import load_curriculum
from workbench.progress_store import ProgressStore
from workbench.runner.exercise_runner import check_exercise, ensure_workspace, reset_workspace
from workbench.runner.file_watch import WATCH_POLL_S, FileWatch


def list_exercises(lessons_dir: Path | None, home: Path) -> int:
    curriculum = load_curriculum(lessons_dir)
    progress = ProgressStore.open(home)
    for lesson, exercise in curriculum.exercises():
        state = progress.exercise_status(exercise.id)
        mark = "✔" if state == "passed" else "○"
        print(f"{mark} {exercise.id:<24} {lesson.id:<18} {lesson.exercise_texts(exercise)[0]}")
    print("\nmlops-workbench exercise ID           shows one; --check, --watch, --reset, --hint N, --solution")
    return EXIT_OK


def _print_result(outcome, progress: ProgressStore, exercise_id: str) -> None:
    progress.record_exercise(exercise_id, "passed" if outcome.passed else "failed", outcome.summary)
    verdict = "PASSED" if outcome.passed else "NOT YET"
    print(f"{time.strftime('%H:%M:%S')} {verdict}: {outcome.summary}", flush=True)


def chosen_actions(*, check: bool, watch: bool, reset: bool, hint: int | None, solution: bool) -> list[str]:
    """The action options given (each is one thing to do with an exercise), by name."""
    given = (("--check", check), ("--watch", watch), ("--reset", reset), ("--hint", hint is not None), ("--solution", solution))
    return [name for name, on in given if on]


def run_exercise(
    exercise_id: str,
    *,
    lessons_dir: Path | None,
    home: Path,
    check: bool,
    watch: bool,
    reset: bool,
    hint: int | None,
    solution: bool,
) -> int:
    # Each option is one thing to do: two at once would silently do one (or watch forever in CI), so neither runs.
    chosen = chosen_actions(check=check, watch=watch, reset=reset, hint=hint, solution=solution)
    if len(chosen) > 1:
        named = ", ".join(chosen[:-1]) + " and " + chosen[-1]
        print(f"error: {named} cannot be used together: choose one", file=sys.stderr)
        return EXIT_USAGE
    curriculum = load_curriculum(lessons_dir)
    found = curriculum.find_exercise(exercise_id)
    if found is None:
        known = [e.id for _, e in curriculum.exercises()]
        print(f"error: unknown exercise '{exercise_id}'; exercises: {', '.join(known)}", file=sys.stderr)
        return EXIT_USAGE
    lesson, exercise = found
    progress = ProgressStore.open(home)
    if reset:
        path, backup = reset_workspace(home, lesson, exercise)
        print(f"reset {path} to the starting version" + (f"; your version is kept as {backup}" if backup else ""))
        return EXIT_OK
    path = ensure_workspace(home, lesson, exercise)
    if hint is not None:
        if not 1 <= hint <= len(exercise.hints):
            print(f"error: --hint takes 1 to {len(exercise.hints)}", file=sys.stderr)
            return EXIT_USAGE
        print(f"hint {hint}/{len(exercise.hints)}: {lesson.exercise_texts(exercise)[2][hint - 1]}")
        return EXIT_OK
    if solution:
        if progress.exercise_status(exercise.id) != "passed":
            print("the reference solution is shown once your own version passes: try --hint 1 first")
            return EXIT_FAILED
        print((lesson.folder / exercise.solution).read_text(encoding="utf-8"))
        return EXIT_OK
    if not (check or watch):
        title, task, _ = lesson.exercise_texts(exercise)
        print(f"{title}  [{lesson.id}, {lesson.layer} layer]\n\n{task}\n")
        print(f"edit:   {path}")
        print(f"check:  mlops-workbench exercise {exercise.id} --check   (or --watch: re-checks on every save)")
        print(f"hints:  mlops-workbench exercise {exercise.id} --hint 1   ({len(exercise.hints)} hints)")
        print(f"state:  {progress.exercise_status(exercise.id)}")
        return EXIT_OK
    outcome = asyncio.run(check_exercise(home, lesson, exercise, path))
    _print_result(outcome, progress, exercise.id)
    if not watch:
        return EXIT_OK if outcome.passed else EXIT_FAILED
    print(f"watching {path} — save to re-check, Ctrl-C to stop", flush=True)
    watch_file = FileWatch(path)
    try:
        while True:
            time.sleep(WATCH_POLL_S)
            if watch_file.changed():
                outcome = asyncio.run(check_exercise(home, lesson, exercise, path))
                _print_result(outcome, progress, exercise.id)
    except KeyboardInterrupt:
        return EXIT_OK if outcome.passed else EXIT_FAILED
