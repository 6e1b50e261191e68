"""Lesson and step states, kept in ``<workbench home>/progress.json`` across restarts.

Writes are atomic. A file that cannot be read is never silently reset: it is
moved aside (``progress.json.corrupt-<time>``) and the problem is reported.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.utils.atomic_files import write_json_atomic

FORMAT_VERSION = 1
STATES = ("not started", "running", "passed", "failed", "broken")


@dataclass
class ProgressStore:
    path: Path
    data: dict[str, Any] = field(default_factory=lambda: {"format_version": FORMAT_VERSION, "lessons": {}})
    warning: str | None = None

    @classmethod
    def open(cls, home: Path) -> "ProgressStore":
        store = cls(path=home / "progress.json")
        if not store.path.exists():
            return store
        try:
            data = json.loads(store.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("lessons"), dict):
                raise ValueError("expected an object with a 'lessons' object")
        except (ValueError, UnicodeDecodeError) as exc:
            aside = store.path.with_name(f"{store.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            store.path.rename(aside)
            store.warning = f"{store.path} could not be read ({exc}); kept it as {aside} and started fresh progress"
            return store
        store.data = data
        return store

    def _lesson(self, lesson_id: str) -> dict[str, Any]:
        return self.data["lessons"].setdefault(lesson_id, {"status": "not started", "steps": {}})

    def lesson_status(self, lesson_id: str) -> str:
        entry = self.data["lessons"].get(lesson_id)
        return entry.get("status", "not started") if isinstance(entry, dict) else "not started"

    def step_record(self, lesson_id: str, step_id: str) -> dict[str, Any]:
        entry = self.data["lessons"].get(lesson_id) or {}
        return dict((entry.get("steps") or {}).get(step_id) or {})

    def record_step(self, lesson_id: str, step_id: str, status: str, duration_s: float, summary: str) -> None:
        lesson = self._lesson(lesson_id)
        lesson.setdefault("steps", {})[step_id] = {
            "status": status,
            "duration_s": round(duration_s, 3),
            "summary": summary,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        self.save()

    def record_lesson(self, lesson_id: str, status: str) -> None:
        self._lesson(lesson_id)["status"] = status
        self.save()

    def exercise_status(self, exercise_id: str) -> str:
        entry = (self.data.get("exercises") or {}).get(exercise_id)
        return entry.get("status", "pending") if isinstance(entry, dict) else "pending"

    def record_exercise(self, exercise_id: str, status: str, summary: str) -> None:
        self.data.setdefault("exercises", {})[exercise_id] = {
            "status": status, "summary": summary, "checked_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        self.save()

    def save(self) -> None:
        write_json_atomic(self.path, self.data)
