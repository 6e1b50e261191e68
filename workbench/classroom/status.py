"""The instructor's view of a class: learner × lesson, read from each learner's progress.json (read only).

Read only means it: a learner's file is never repaired, migrated or moved aside here (the server may run as
root, and a file it rewrote would become root's and the learner's next run would lose it). A damaged file is
graded from what can be read and named in the row's ``progress_problem``; a symbolic link is not followed
(it could point at another learner's progress).

Per lesson: state, attempts, last run, time spent (sum of the attempts' durations). Per learner: lessons
passed, exercises done, connected (from the server's sessions.json, when its server is alive), and
*stuck*: the same step failed 3 times in a row, or connected with no progress for 20 minutes.
Exports: CSV (one row per learner, one column per lesson) and JUnit XML (one testsuite per learner,
one testcase per lesson) for a gradebook.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.classroom.roster import SESSIONS_FILE, Classroom
from workbench.progress_store import lesson_state, validated

FAILING = ("failed", "timeout", "crashed")
STUCK_FAILURES = 3
STUCK_IDLE_S = 20 * 60
PROGRESS_FILE = "progress.json"
MAX_PROGRESS_BYTES = 32 * 1024 * 1024  # a learner's file, read by the instructor's process: bounded


def _epoch(stamp: Any) -> float | None:
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except ValueError:
        return None


def _iso(epoch: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(epoch)) if epoch else None


def read_sessions(classroom: Classroom) -> dict[str, Any]:
    """{learner id: connected since (epoch)} as the running server wrote it; empty when no server is alive."""
    try:
        data = json.loads((classroom.root / SESSIONS_FILE).read_text(encoding="utf-8"))
        pid = int(data["server_pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    learners = data.get("learners")
    return learners if isinstance(learners, dict) else {}


def read_progress(home: Path) -> tuple[dict[str, Any], float | None, str | None]:
    """A learner's progress as it is on disk, never written: (usable part, last modified, what is wrong or None)."""
    path = home / PROGRESS_FILE
    empty: dict[str, Any] = {"lessons": {}, "exercises": {}}
    try:  # not followed: a link; not blocked: a FIFO in its place
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return empty, None, None
    except OSError as exc:
        why = "a symbolic link, not followed" if path.is_symlink() else (exc.strerror or str(exc))
        return empty, None, f"{path} could not be read ({why})"
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return empty, st.st_mtime, f"{path} could not be read (not a regular file)"
        if st.st_size > MAX_PROGRESS_BYTES:
            return empty, st.st_mtime, f"{path} could not be read ({st.st_size} bytes, more than a progress file holds)"
        try:
            raw = json.loads(handle.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            return empty, st.st_mtime, f"{path} could not be read ({exc})"
    data, problems = validated(raw)  # the learner's app's own rules for what is usable
    if not problems:
        return data, st.st_mtime, None
    what = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    return data, st.st_mtime, f"{path} has entries that could not be read ({what})"


def _failed_streak(attempts: list[dict[str, Any]]) -> tuple[int, str | None]:
    """How many of the latest attempts in a row failed on the same step (and which)."""
    streak, step = 0, None
    for attempt in reversed(attempts):
        steps = attempt.get("steps") if isinstance(attempt.get("steps"), dict) else {}
        failing = [s for s, state in steps.items() if state in FAILING]
        if attempt.get("status") not in FAILING or not failing:
            break
        if step is None:
            step = failing[0]
        elif step not in failing:
            break
        streak += 1
    return streak, step


def lesson_cell(entry: dict[str, Any], state: str | None = None) -> dict[str, Any]:
    attempts = entry.get("attempts") or []
    spent = 0.0
    last_run = None
    for attempt in attempts:
        start, end = _epoch(attempt.get("started_at")), _epoch(attempt.get("finished_at"))
        if start and end and end >= start:
            spent += end - start
        last_run = attempt.get("finished_at") or last_run
    running = entry.get("running")
    if isinstance(running, dict):
        last_run = running.get("started_at") or last_run
    streak, step = _failed_streak(attempts)
    return {
        "state": state or entry.get("status", "not started"),
        "attempts": len(attempts) + (1 if isinstance(running, dict) else 0),
        "last_run": last_run,
        "time_s": round(spent, 1),
        "failed_streak": streak,
        "failing_step": step,
    }


def class_status(
    classroom: Classroom, lesson_ids: list[str], *, now: float | None = None, connected: dict[str, Any] | None = None
) -> dict[str, Any]:
    now = time.time() if now is None else now
    sessions = read_sessions(classroom) if connected is None else connected
    learners = []
    for learner in classroom.learners:
        progress, last_activity, problem = read_progress(learner.home(classroom.root))
        lessons_raw, exercises = progress["lessons"], progress["exercises"]
        cells = {}
        for lesson_id in lesson_ids:
            entry = lessons_raw.get(lesson_id) or {}
            cells[lesson_id] = lesson_cell(entry, lesson_state(entry))  # as the learner's app shows it
        since = sessions.get(learner.id)
        stuck_reasons = [
            f"{lesson_id}: step {cell['failing_step']} failed {cell['failed_streak']} times in a row"
            for lesson_id, cell in cells.items()
            if cell["failed_streak"] >= STUCK_FAILURES
        ]
        everything_passed = all(cells[i]["state"] == "passed" for i in lesson_ids) if lesson_ids else False
        if since is not None and not everything_passed:
            quiet_from = max(float(since), last_activity or 0.0)
            if now - quiet_from >= STUCK_IDLE_S:
                stuck_reasons.append(f"no progress for {int((now - quiet_from) // 60)} minutes")
        learners.append(
            {
                "id": learner.id,
                "name": learner.name,
                "connected": since is not None,
                "connected_since": _iso(float(since)) if since is not None else None,
                "last_activity": _iso(last_activity),
                "passed": sum(1 for cell in cells.values() if cell["state"] == "passed"),
                "exercises_done": sum(1 for r in exercises.values() if isinstance(r, dict) and r.get("status") == "passed"),
                "stuck": bool(stuck_reasons),
                "stuck_reasons": stuck_reasons,
                "progress_problem": problem,
                "lessons": cells,
            }
        )
    return {"class": classroom.name, "generated_at": _iso(now), "lessons": lesson_ids, "learners": learners}


def unreachable_row(learner_id: str, name: str, lesson_ids: list[str], why: str) -> dict[str, Any]:
    """A learner whose progress could not be read (their seat's server on Kubernetes did not answer)."""
    return {
        "id": learner_id,
        "name": name,
        "connected": False,
        "connected_since": None,
        "last_activity": None,
        "passed": 0,
        "exercises_done": 0,
        "stuck": True,
        "stuck_reasons": [f"their seat did not answer ({why})"],
        "progress_problem": None,
        "lessons": {lesson_id: lesson_cell({}, "unknown") for lesson_id in lesson_ids},
    }


def to_csv(status: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lessons = status["lessons"]
    writer.writerow(
        [
            "learner",
            "name",
            "passed",
            "exercises_done",
            "stuck",
            "connected",
            *lessons,
            *(f"{lesson}:attempts" for lesson in lessons),
        ]
    )
    for row in status["learners"]:
        cells = row["lessons"]
        writer.writerow(
            [
                row["id"],
                row["name"],
                row["passed"],
                row["exercises_done"],
                "; ".join(row["stuck_reasons"]),
                "yes" if row["connected"] else "no",
                *(cells[lesson]["state"] for lesson in lessons),
                *(cells[lesson]["attempts"] for lesson in lessons),
            ]
        )
    return out.getvalue()


def to_junit(status: dict[str, Any]) -> str:
    """One testsuite per learner, one testcase per lesson: passed, failure (a verdict) or skipped (no verdict yet)."""
    root = ET.Element("testsuites", name=f"classroom {status['class']}")
    total = {"tests": 0, "failures": 0, "skipped": 0}
    for row in status["learners"]:
        suite = ET.SubElement(root, "testsuite", name=row["id"])
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        spent = 0.0
        for lesson in status["lessons"]:
            cell = row["lessons"][lesson]
            spent += cell["time_s"]
            case = ET.SubElement(suite, "testcase", classname=row["id"], name=lesson, time=f"{cell['time_s']:.1f}")
            counts["tests"] += 1
            if cell["state"] in FAILING:
                counts["failures"] += 1
                failure = ET.SubElement(
                    case, "failure", message=f"{cell['state']} after {cell['attempts']} attempts", type=cell["state"]
                )
                failure.text = f"last run {cell['last_run']}"
            elif cell["state"] != "passed":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=str(cell["state"]))
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        suite.set("time", f"{spent:.1f}")
        for key in total:
            total[key] += counts[key]
    for key, value in total.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
