"""Exercises: the learner's copy in the workspace, and running an exercise's check on it.

The learner edits ``<home>/workspace/<lesson>/<file>``, never the shipped
starting version. A check runs in a child process like any step: it imports
the learner's file and uses it for real (trains, validates…), so deleting code
cannot make it pass.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared.events import Event
from workbench.curriculum.lesson_loader import Lesson
from workbench.runner.step_runner import StepOutcome, StepRequest, StepRun


def workspace_file(home: Path, lesson: Lesson, exercise: Any) -> Path:
    return home / "workspace" / lesson.id / Path(exercise.file).name


def ensure_workspace(home: Path, lesson: Lesson, exercise: Any) -> Path:
    """The learner's copy, created from the starting version the first time (never overwritten here)."""
    target = workspace_file(home, lesson, exercise)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lesson.folder / exercise.file, target)
    return target


def _keep_learners_version(target: Path) -> Path:
    """Copy ``target`` to a backup name no other reset has taken: created exclusively, so none is ever overwritten."""
    stem, data = f"{target.name}.bak-{time.strftime('%Y%m%d-%H%M%S')}", target.read_bytes()
    count = 1
    while True:
        backup = target.with_name(stem if count == 1 else f"{stem}-{count}")
        try:
            with backup.open("xb") as kept:
                kept.write(data)
            return backup
        except FileExistsError:
            count += 1  # a reset in the same second kept another version under this name


def reset_workspace(home: Path, lesson: Lesson, exercise: Any) -> tuple[Path, Path | None]:
    """Back to the starting version; the learner's version is kept beside it as ``<file>.bak-<time>[-N]``."""
    target = workspace_file(home, lesson, exercise)
    backup = None
    if target.exists():
        backup = _keep_learners_version(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(lesson.folder / exercise.file, target)
    return target, backup


def exercise_request(lesson: Lesson, exercise: Any, path: Path) -> StepRequest:
    return StepRequest(
        lesson_id=lesson.id,
        step_id=f"exercise-{exercise.id}",
        entry=lesson.script_entry(exercise.check),
        params={**exercise.params, "path": str(path)},
        checks=[check.model_dump(exclude_none=True) for check in exercise.checks],
        timeout_s=exercise.timeout_s,
        title=exercise.title,
    )


async def check_exercise(
    home: Path, lesson: Lesson, exercise: Any, path: Path, on_event: Callable[[Event], None] | None = None
) -> StepOutcome:
    return await StepRun(exercise_request(lesson, exercise, path), home, on_event).wait()
