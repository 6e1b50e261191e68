"""Lesson and step states, kept in ``<workbench home>/progress.json`` across restarts.

- Every change is one read-modify-write under a lock file (``.progress.json.lock``):
  lessons run at the same time on one home — several terminals, a classroom —
  all get recorded. Writes are atomic.
- What is read is validated like garbage: a file that is not JSON, a folder in
  its place, or entries of the wrong type are moved aside
  (``progress.json.corrupt-<time>``, the good entries kept) with one warning;
  nothing raises.
- A run records its owner (pid, process start time, host). A lesson whose
  owner died (killed, terminal closed) is shown as *interrupted*; a cancelled
  or interrupted run never takes away an earlier pass — only a run that fails
  does. Every run is kept as an attempt (history).
- A home that cannot be written (read-only, full) loses nothing silently: the
  change is kept in memory, retried with the next change, and reported once
  through ``on_problem``.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.configs.workbench_home import write_problem
from shared.events.step_status import OK_STATUSES, StepStatus
from shared.utils.atomic_files import file_lock, set_aside, write_json_atomic
from shared.utils.process_identity import identity, is_alive

FORMAT_VERSION = 1
STEP_STATES = tuple(s.value for s in StepStatus)
LESSON_STATES = (*STEP_STATES, "broken")
STATES = LESSON_STATES  # the name older code imports
# Outcomes that leave an earlier pass in place: the run did not get to a verdict.
NO_VERDICT = (StepStatus.CANCELLED, StepStatus.INTERRUPTED)
FAILURES = (StepStatus.FAILED, StepStatus.TIMEOUT, StepStatus.CRASHED)
MAX_ATTEMPTS = 50
LOCK_TIMEOUT_S = 30.0

Change = Callable[[dict[str, Any]], None]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _empty() -> dict[str, Any]:
    return {"format_version": FORMAT_VERSION, "lessons": {}}


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _validated(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """The usable part of what was read, and what was wrong with the rest (empty: nothing)."""
    if not isinstance(raw, dict):
        return _empty(), [f"expected an object, found {_type_name(raw)}"]
    problems: list[str] = []
    data = {k: v for k, v in raw.items() if k not in ("lessons", "exercises")}
    data["format_version"] = raw.get("format_version", FORMAT_VERSION)
    lessons = raw.get("lessons", {})
    if not isinstance(lessons, dict):
        problems.append(f"'lessons' is {_type_name(lessons)}, expected an object")
        lessons = {}
    data["lessons"] = {}
    for lesson_id, entry in lessons.items():
        where = f"lessons.{lesson_id}"
        if not isinstance(entry, dict):
            problems.append(f"{where} is {_type_name(entry)}, expected an object")
            continue
        clean = dict(entry)
        status = entry.get("status", "not started")
        if status == StepStatus.RUNNING and "running" not in entry:
            status = StepStatus.INTERRUPTED  # written by an older workbench that then died
        if status not in LESSON_STATES:
            problems.append(f"{where}.status is {status!r}, expected one of {', '.join(LESSON_STATES)}")
            status = "not started"
        clean["status"] = status
        steps = entry.get("steps", {})
        if not isinstance(steps, dict):
            problems.append(f"{where}.steps is {_type_name(steps)}, expected an object")
            steps = {}
        clean["steps"] = {}
        for step_id, record in steps.items():
            if not isinstance(record, dict) or record.get("status") not in STEP_STATES:
                problems.append(f"{where}.steps.{step_id} is not a step record")
                continue
            clean["steps"][step_id] = record
        running = entry.get("running")
        if running is not None and not (isinstance(running, dict) and isinstance(running.get("pid"), int)):
            problems.append(f"{where}.running is not an owner record")
            clean.pop("running")
        attempts = entry.get("attempts", [])
        if not isinstance(attempts, list) or not all(isinstance(a, dict) for a in attempts):
            problems.append(f"{where}.attempts is not a list of objects")
            attempts = []
        clean["attempts"] = attempts
        data["lessons"][lesson_id] = clean
    exercises = raw.get("exercises", {})
    if not isinstance(exercises, dict):
        problems.append(f"'exercises' is {_type_name(exercises)}, expected an object")
        exercises = {}
    data["exercises"] = {}
    for exercise_id, record in exercises.items():
        if not isinstance(record, dict) or not isinstance(record.get("status"), str):
            problems.append(f"exercises.{exercise_id} is not an exercise record")
            continue
        data["exercises"][exercise_id] = record
    return data, problems


def validated(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """What a reader that must not repair the file (the classroom's status) may use of it, and what is wrong."""
    return _validated(raw)


def lesson_state(entry: dict[str, Any]) -> str:
    """A lesson entry's state: running (its owner is alive), interrupted (it died and had not passed), or the verdict."""
    run = entry.get("running")
    if run is not None:
        if is_alive(run):
            return StepStatus.RUNNING.value
        return StepStatus.PASSED.value if entry.get("status") == StepStatus.PASSED else StepStatus.INTERRUPTED.value
    return str(entry.get("status", StepStatus.NOT_STARTED.value))


def _close_interrupted(entry: dict[str, Any]) -> None:
    """A run whose owner has died becomes an *interrupted* attempt (an earlier pass stays)."""
    run = entry.get("running")
    if run is None or is_alive(run):
        return
    _finish(entry, StepStatus.INTERRUPTED)


def _finish(entry: dict[str, Any], status: str, verdict: bool = True) -> None:
    """Close the open attempt with ``status``; ``verdict=False`` (one step of several ran) leaves the lesson's state."""
    run = entry.pop("running", None) or {}
    attempt = {"status": str(status), "started_at": run.get("started_at"), "finished_at": _now()}
    if run.get("steps"):
        attempt["steps"] = run["steps"]
    entry.setdefault("attempts", []).append(attempt)
    del entry["attempts"][:-MAX_ATTEMPTS]
    if verdict and not (status in NO_VERDICT and entry.get("status") == StepStatus.PASSED):
        entry["status"] = str(status)


@dataclass
class ProgressStore:
    path: Path
    data: dict[str, Any] = field(default_factory=_empty)
    warning: str | None = None  # what opening found wrong (shown once by the app / the headless run)
    on_problem: Callable[[str], None] | None = None  # later problems (a write that failed); default: kept in .problems
    problems: list[str] = field(default_factory=list)
    _pending: list[Change] = field(default_factory=list)
    _seen: tuple[int, int, int] | None = None

    @property
    def home(self) -> Path:
        return self.path.parent

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(f".{self.path.name}.lock")

    @classmethod
    def open(cls, home: Path) -> ProgressStore:
        store = cls(path=Path(home) / "progress.json")
        store.data, store.warning = store._read()
        return store

    # -- reading -------------------------------------------------------------------------------------------

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _read(self) -> tuple[dict[str, Any], str | None]:
        """The validated contents; garbage is moved aside (the good entries kept) and described in one warning."""
        self._seen = self._stat()
        if not self.path.exists() and not self.path.is_symlink():
            return _empty(), None
        try:
            if self.path.is_dir():
                raise ValueError("a folder is in its place")
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            data, problems = _validated(raw)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            data, problems, salvage = _empty(), [reason], False
        else:
            salvage = True
        if not problems:
            return data, None
        what = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        try:
            aside = set_aside(self.path)
        except OSError as exc:
            return data, (
                f"{self.path} could not be read ({what}) nor moved aside ({exc.strerror}); going on with what could be read"
            )
        kept = "kept the entries that could be read" if salvage else "started fresh progress"
        if salvage:
            with suppress(OSError):  # else written with the next change
                write_json_atomic(self.path, data)
        self._seen = self._stat()
        return data, f"{self.path} could not be read ({what}); kept it as {aside} and {kept}"

    def refresh(self) -> None:
        """Re-read the file when another process changed it (a lesson run in another terminal)."""
        if self._stat() != self._seen:
            data, warning = self._read()
            for change in self._pending:
                change(data)
            self.data = data
            if warning:
                self._problem(warning)

    def _lessons(self) -> dict[str, Any]:
        self.refresh()
        return self.data["lessons"]

    def lesson_status(self, lesson_id: str) -> str:
        """running (its owner is alive), interrupted (its owner died and it had not passed), or the last verdict."""
        entry = self._lessons().get(lesson_id)
        return lesson_state(entry) if isinstance(entry, dict) else StepStatus.NOT_STARTED.value

    def attempts(self, lesson_id: str) -> list[dict[str, Any]]:
        """Every finished run of the lesson, oldest first (status, started_at, finished_at, steps)."""
        entry = self._lessons().get(lesson_id) or {}
        return copy.deepcopy(entry.get("attempts", []))

    def step_record(self, lesson_id: str, step_id: str) -> dict[str, Any]:
        entry = self._lessons().get(lesson_id) or {}
        return dict((entry.get("steps") or {}).get(step_id) or {})

    def exercise_status(self, exercise_id: str) -> str:
        self.refresh()
        entry = (self.data.get("exercises") or {}).get(exercise_id)
        return entry.get("status", "pending") if isinstance(entry, dict) else "pending"

    # -- writing -------------------------------------------------------------------------------------------

    def _problem(self, message: str) -> None:
        self.problems.append(message)
        if self.on_problem is not None:
            self.on_problem(message)

    def _update(self, change: Change) -> bool:
        """Apply ``change`` to the file's current contents under the lock; False (reported) when it could not be saved."""
        pending = [*self._pending, change]
        try:
            with file_lock(self.lock_path, timeout_s=LOCK_TIMEOUT_S):
                data, warning = self._read()
                if warning:
                    self._problem(warning)
                for each in pending:
                    each(data)
                write_json_atomic(self.path, data)
                self._seen = self._stat()
        except (OSError, TimeoutError) as exc:
            change(self.data)  # the screen still shows it; the file gets it with the next change that can be saved
            self._pending = pending
            why = write_problem(self.home, exc) if isinstance(exc, OSError) else str(exc)
            if len(pending) == 1:
                self._problem(f"{why}: progress not saved to {self.path} (kept in memory, retried with the next change)")
            return False
        self._pending = []
        self.data = data
        return True

    @staticmethod
    def _lesson(data: dict[str, Any], lesson_id: str) -> dict[str, Any]:
        entry = data["lessons"].setdefault(lesson_id, {"status": "not started", "steps": {}})
        entry.setdefault("steps", {})
        return entry

    def record_step(self, lesson_id: str, step_id: str, status: str, duration_s: float, summary: str) -> bool:
        record = {
            "status": str(status),
            "duration_s": round(duration_s, 3),
            "summary": summary,
            "finished_at": _now(),
        }

        def change(data: dict[str, Any]) -> None:
            entry = self._lesson(data, lesson_id)
            previous = entry["steps"].get(step_id) or {}
            if status in NO_VERDICT and previous.get("status") == StepStatus.PASSED:
                previous["last_attempt"] = record  # a cancel does not take the pass away
            else:
                entry["steps"][step_id] = record
            if isinstance(entry.get("running"), dict):
                entry["running"].setdefault("steps", {})[step_id] = str(status)

        return self._update(change)

    def record_lesson(self, lesson_id: str, status: str, verdict: bool = True) -> bool:
        """``running`` starts an attempt owned by this process; any other status finishes it.

        cancelled/interrupted keep an earlier pass; passed, failed, timeout, crashed are verdicts. ``verdict=False``
        records the attempt but leaves the lesson's state as it was (one step passed, the others have not yet).
        """

        def change(data: dict[str, Any]) -> None:
            entry = self._lesson(data, lesson_id)
            _close_interrupted(entry)
            if status == StepStatus.RUNNING:
                if entry.get("running"):
                    _finish(entry, StepStatus.INTERRUPTED)  # this process starts it again without finishing
                entry["running"] = {**identity(), "started_at": _now()}
            else:
                _finish(entry, status, verdict)

        return self._update(change)

    def record_exercise(self, exercise_id: str, status: str, summary: str) -> bool:
        record = {"status": status, "summary": summary, "checked_at": _now()}

        def change(data: dict[str, Any]) -> None:
            data.setdefault("exercises", {})[exercise_id] = record

        return self._update(change)

    def save(self) -> bool:
        """Write what is pending (nothing new)."""
        return self._update(lambda data: None)

    def finish_if_running(self, lesson_id: str, status: str) -> bool:
        """End this process's open run of the lesson (a run torn down by an exception or a cancelled task)."""
        entry = self._lessons().get(lesson_id) or {}
        run = entry.get("running")
        if not (isinstance(run, dict) and run.get("pid") == os.getpid()):
            return True
        return self.record_lesson(lesson_id, status)


def verdict_from_steps(step_records: list[dict[str, Any] | None]) -> str | None:
    """The lesson's state from the latest record of each of its steps (after a run of one step): passed when every
    step has passed (or skipped itself), failed when one of them failed, else none yet (None)."""
    statuses = [(record or {}).get("status") for record in step_records]
    if all(status in OK_STATUSES for status in statuses):
        return StepStatus.PASSED.value
    if any(status in FAILURES for status in statuses):
        return StepStatus.FAILED.value
    return None


def lesson_verdict(step_statuses: list[str], passed: bool, cancelled: bool) -> str:
    """What a finished run records for its lesson: a cancel (by the learner) is not a failure."""
    if passed:
        return StepStatus.PASSED.value
    if any(status in FAILURES for status in step_statuses):
        return StepStatus.FAILED.value
    if cancelled or StepStatus.CANCELLED in step_statuses:
        return StepStatus.CANCELLED.value
    return StepStatus.FAILED.value
