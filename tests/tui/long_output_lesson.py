"""A fixture lesson whose step prints what real steps print at their worst (long lines, a wide-character
line, tabs, escape sequences) and reports metrics with long names and values; it runs in milliseconds.
Used by the tests of what a learner reads at 80x24 (log, metrics, step table, progress bar).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import DataTable

from tests.conftest import FIXTURE_CURRICULUM
from tests.tui.conftest import open_lesson as open_any_lesson
from tests.tui.conftest import wait_for
from workbench.tui.screens.lesson_screen import LessonScreen
from workbench.tui.widgets.log_panel import LogPanel

SMALL = (80, 24)
LESSON_ID = "long-output"
WORDS = " ".join(f"word{i:03d}" for i in range(60))  # ~480 characters of words
UNBROKEN = "x" * 300  # no space to break at
WIDE = "寬字元" * 60  # two cells per character
LONG_METRIC = "validation_accuracy_of_the_held_out_set"

LESSON_TOML = f"""format_version = 1
id = "{LESSON_ID}"
title = "Long output"
layer = "shared"
summary = "A step that prints long lines and reports metrics with long names."
objectives = ["Read a long log at 80 columns"]
prerequisites = []

[[steps]]
id = "shout"
title = "Print long lines, wide characters, tabs and escape sequences, and report metrics"
entry = "steps.py:shout"
timeout_s = 60
checks = [{{ output = "value", min = 1 }}]

[[steps]]
id = "quick"
title = "A short step"
entry = "steps.py:quick"
timeout_s = 60
checks = [{{ output = "value", min = 1 }}]

[[steps]]
id = "ticking"
title = "Report progress"
entry = "steps.py:ticking"
timeout_s = 60
checks = [{{ output = "value", min = 1 }}]
"""

STEPS = f'''"""Fixture steps: output at its worst."""
from shared import events


def shout() -> dict:
    print("{WORDS}")
    print("{UNBROKEN}")
    print("{WIDE}")
    print("col1\\tcol2\\tcol3\\t" * 12)
    print("\\x1b[2J\\x1b[Hclear screen, \\x1b]0;a window title\\x07title, \\x1b[31mred\\x1b[0m and \\x1b[10Acursor up")
    for step in range(30):
        events.metric("loss", 1.0 / (step + 3), step=step)
        events.metric("{LONG_METRIC}", 0.5 + step / 100, step=step)
    events.metric("lr", 0.001234567, step=0)
    events.metric("only_nan", float("nan"), step=0)
    return {{"value": 1.0}}


def quick() -> dict:
    print("quick step output")
    return {{"value": 1.0}}


def ticking() -> dict:
    import time

    for tick in range(100):
        events.progress(tick, 100)
        time.sleep(0.05)
    return {{"value": 1.0}}
'''


def make_long_output_lessons(tmp_path: Path) -> Path:
    """The fixture curriculum plus the lesson ``long-output`` (a copy in ``tmp_path``)."""
    lessons = tmp_path / "lessons"
    shutil.copytree(FIXTURE_CURRICULUM, lessons)
    lesson = lessons / f"099-{LESSON_ID}"
    lesson.mkdir()
    (lesson / "lesson.toml").write_text(LESSON_TOML, encoding="utf-8")
    (lesson / "README.md").write_text("# Long output\n\nA fixture lesson.\n", encoding="utf-8")
    (lesson / "steps.py").write_text(STEPS, encoding="utf-8")
    return lessons


async def open_lesson(pilot) -> LessonScreen:
    """The lesson ``long-output`` open, as from the map."""
    return await open_any_lesson(pilot, LESSON_ID, settle_s=0.3)


async def open_and_run(pilot, step: str = "shout") -> LessonScreen:
    screen = await open_lesson(pilot)
    await run(pilot, screen, step)
    return screen


async def run(pilot, screen: LessonScreen, step: str) -> None:
    """Run one step with r and wait until it has passed and every line it printed is drawn."""
    progress = pilot.app.progress
    before = progress.step_record(LESSON_ID, step).get("finished_at")
    steps = screen.query_one("#steps", DataTable)
    steps.move_cursor(row=["shout", "quick", "ticking"].index(step))
    await pilot.press("r")

    def passed() -> bool:
        record = progress.step_record(LESSON_ID, step)
        return not screen.running and record.get("finished_at") != before and record.get("status") == "passed"

    await wait_for(pilot, passed, 30, f"{step} to pass")
    panel = screen.query_one(LogPanel)
    await wait_for(pilot, lambda: not panel._backlog and not screen._pending, 10, "the log to draw every line")
    await pilot.pause(0.3)


def unwrapped(rows: list[str]) -> str:
    """The drawn rows joined back (continuations are indented): what a reader reads across the wraps."""
    return "".join(row.lstrip(" ") if row.startswith("  ") else "\n" + row for row in rows)
