"""Run real lessons through the LessonRunner and keep every event, per lesson and step."""

from __future__ import annotations

import asyncio
from pathlib import Path

from shared.events import Metric
from workbench.curriculum.lesson_loader import load_curriculum
from workbench.progress_store import ProgressStore
from workbench.runner.lesson_runner import LessonReport, LessonRunner


class Recorder:
    """A LessonRenderer that keeps every event per (lesson, step)."""

    def __init__(self) -> None:
        self.events: dict[tuple[str, str], list] = {}
        self.notes: list[str] = []

    def note(self, message, level="info"):
        self.notes.append(message)

    def lesson_started(self, lesson, reason):
        pass

    def step_started(self, lesson, step, command):
        self.events[(lesson.id, step.id)] = []

    def event(self, lesson, step, event):
        self.events[(lesson.id, step.id)].append(event)

    def step_finished(self, lesson, step, outcome):
        pass

    def lesson_finished(self, report):
        pass


def run_recorded(selection: str, home: Path) -> tuple[dict[str, LessonReport], Recorder]:
    curriculum = load_curriculum()
    recorder = Recorder()
    runner = LessonRunner(curriculum, home, recorder, ProgressStore.open(home))
    reports = asyncio.run(runner.run(curriculum.select(selection)))
    return {r.id: r for r in reports}, recorder


def metric_steps(events, name):
    return [e.step for e in events if isinstance(e, Metric) and e.name == name]
