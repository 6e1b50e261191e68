"""Every lesson of the real curriculum, run in the real TUI the way a learner runs it.

    .venv/bin/python -m tests.walkthrough.every_lesson_in_the_tui [--lessons ID,ID] [--lang en|zh-TW]
                                                                  [--size 120x40] [--json FILE] [--timeout S]

What it does, for each lesson in curriculum order (or only those named by ``--lessons``):

1. On the home map it puts the focus on the lesson (the way the map's ``n`` key and coming back from a
   lesson do) and presses Enter, which opens the lesson screen.
2. It presses ``a`` (the lesson screen's "Run all", ``action_run_lesson``) and waits until the run has
   ended: no runner, nothing queued for the screen, no step shown as running (``--timeout`` per lesson,
   15 minutes by default; past it the run is cancelled with ``x`` and the lesson counts as failed).
3. It reads what the screen shows: each step's state mark in the step table, the verdict line the log
   panel printed for each step (``PASS``/``SKIPPED``/``FAILED gpu-health/probe (0.4 s): summary``, where a
   skipped step's reason is), and the run-status line (where a lesson skipped as a whole says why).
4. It presses Escape, back on the map, and reads the lesson's state mark there.
5. It checks that no process the app started is still alive: a process of this run is one whose
   environment holds ``WORKBENCH_HOME=<the run's temporary home>`` (every step child gets it).

It prints one line per lesson (id, the verdict the TUI shows, seconds), an indented line for every step
that did not pass (its state and the reason shown), then a total. The app runs headless in this process
(Textual's ``App.run_test`` Pilot, as the UI tests do) with a fresh temporary ``WORKBENCH_HOME``, so the
learner's own progress and models are never touched; the steps are the real ones (real training, real
servers), so the whole curriculum takes minutes (about 5-8 on 2 cores).

A lesson passes when the map marks it passed and every step the table shows passed, or was skipped by the
step itself with a reason (docker-build's engine steps where there is no Docker Engine); skipped steps are
reported as skipped, never as passed. Exit status: 0 every lesson passed and nothing was left running,
1 otherwise, 2 bad usage (an unknown lesson id, a bad size).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.text import Text

from tests.conftest import LESSONS_DIR, processes_of_home
from tests.tui.conftest import lessons_loaded, wait_for

LESSON_TIMEOUT_S = 15 * 60.0
POLL_S = 0.25  # how often the run's end is checked (the screen keeps updating in between)
SETTLE_S = 10.0  # how long the processes of a finished lesson may take to go
DONE_STATES = ("passed", "skipped")  # a step skipped by itself (with a reason) does not fail its lesson


@dataclass
class StepSeen:
    id: str
    state: str  # as the step table shows it: passed, skipped, failed, not started (never reached), ...
    time: str  # the table's time column, e.g. "3.2s"
    summary: str = ""  # from the verdict line the log panel printed for the step, e.g. the reason it skipped


@dataclass
class LessonSeen:
    id: str
    map_state: str = "not started"  # the lesson's mark on the home map after the run
    steps: list[StepSeen] = field(default_factory=list)
    seconds: float = 0.0
    status_line: str = ""  # the lesson screen's run-status line at the end (a lesson skipped as a whole says why)
    also_ran: list[str] = field(default_factory=list)  # prerequisite lessons the run-all ran first
    problems: list[str] = field(default_factory=list)  # timed out, processes left behind, ...

    @property
    def passed(self) -> bool:
        return (
            self.map_state == "passed"
            and bool(self.steps)
            and all(step.state in DONE_STATES for step in self.steps)
            and not self.problems
        )

    def line(self) -> str:
        counts: dict[str, int] = {}
        for step in self.steps:
            counts[step.state] = counts.get(step.state, 0) + 1
        shown = ", ".join(f"{n} {state}" for state, n in counts.items()) or "no step ran"
        verdict = "passed" if self.passed else "NOT PASSED"
        lines = [f"{self.id:<24} {verdict:<10} map: {self.map_state:<11} steps: {shown:<32} {self.seconds:7.1f} s"]
        if self.also_ran:
            lines.append(f"    ran first (prerequisites): {', '.join(self.also_ran)}")
        for step in self.steps:
            if step.state != "passed":
                lines.append(f"    {step.id}: {step.state}" + (f" — {step.summary}" if step.summary else ""))
        if not self.steps and self.status_line:
            lines.append(f"    status: {self.status_line}")
        lines.extend(f"    problem: {problem}" for problem in self.problems)
        return "\n".join(lines)


def plain(value: object) -> str:
    """What a cell or label shows, without its markup."""
    return Text.from_markup(value).plain if isinstance(value, str) else str(value)


def state_named(shown: str) -> str:
    """The state a badge ("✔ passed", "✔ 通過") or a bare mark ("✔") stands for, in any language."""
    from workbench.tui.lesson_states import ICONS, badge, mark

    shown = shown.strip()
    for state in ICONS:
        if shown in (plain(badge(state)), plain(mark(state))):
            return state
    return f"? {shown!r}"


def verdict_lines(log_lines: list[str], lesson_id: str) -> dict[str, str]:
    """step id -> the summary of the last verdict line the log panel printed for it."""
    pattern = re.compile(rf"^(?:PASS|[A-Z]+) {re.escape(lesson_id)}/(?P<step>[\w.-]+) \([\d.]+ s\): (?P<summary>.*)$")
    found = {}
    for line in log_lines:
        match = pattern.match(line)
        if match:
            found[match["step"]] = match["summary"]
    return found


def leftovers(home: Path) -> list[str]:
    """Command lines of the live processes started for this run's home (this process excluded)."""
    found = []
    for pid in processes_of_home(home):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        found.append(f"{pid}: {command.strip()[:160]}")
    return found


async def settled(home: Path, seconds: float = SETTLE_S) -> list[str]:
    """The processes still alive after giving them ``seconds`` to end."""
    deadline = time.monotonic() + seconds
    while (left := leftovers(home)) and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
    return left


async def walk_lesson(pilot, lesson_id: str, timeout: float, home: Path) -> LessonSeen:
    from textual.widgets import DataTable, Label

    from workbench.tui.screens.home_screen import HomeScreen, LessonItem
    from workbench.tui.screens.lesson_screen import LessonScreen
    from workbench.tui.widgets.log_panel import LogPanel

    app = pilot.app
    seen = LessonSeen(lesson_id)
    home_screen = app.screen
    assert isinstance(home_screen, HomeScreen), f"expected the map, found {type(home_screen).__name__}"
    # 1. Focus the lesson on the map, Enter.
    home_screen.focus_lesson(lesson_id)
    await wait_for(
        pilot,
        lambda: (item := home_screen.highlighted_item()) is not None and item.lesson_id == lesson_id,
        10,
        f"{lesson_id} highlighted on the map",
    )
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, LessonScreen) and app.screen.lesson.id == lesson_id,
        10,
        f"the lesson screen of {lesson_id}",
    )
    screen = app.screen
    assert isinstance(screen, LessonScreen)
    # 2. Run all (a), wait for the end of the run.
    started = time.monotonic()
    await pilot.press("a")
    table = screen.query_one("#steps", DataTable)
    step_ids = [step.id for step in screen.lesson.spec.steps]

    def ended() -> bool:
        return (
            not screen.running
            and not screen._pending  # everything the run reported has reached the screen
            and all(state_named(plain(table.get_cell(s, "state"))) != "running" for s in step_ids)
        )

    deadline = started + timeout
    while not ended() and time.monotonic() < deadline:
        await pilot.pause(POLL_S)
    seen.seconds = time.monotonic() - started
    if not ended():
        seen.problems.append(f"the run did not end within {timeout:g} s: cancelled with x")
        await pilot.press("x")
        await wait_for(pilot, ended, 60, f"{lesson_id} to end after the cancel")
    await pilot.pause(0.3)
    # 3. What the screen shows.
    log_lines = list(screen.query_one(LogPanel).lines)
    summaries = verdict_lines(log_lines, lesson_id)
    for step_id in step_ids:
        state = state_named(plain(table.get_cell(step_id, "state")))
        if state == "not started" and step_id not in summaries:
            continue  # not reached (an earlier step failed): the table leaves it as it was
        seen.steps.append(StepSeen(step_id, state, plain(table.get_cell(step_id, "time")), summaries.get(step_id, "")))
    seen.status_line = plain(screen.query_one("#run-status", Label).render())
    seen.also_ran = [
        line[3:].split(":", 1)[0] for line in log_lines if line.startswith("== ") and not line.startswith(f"== {lesson_id}:")
    ]
    # 4. Back on the map: the lesson's mark.
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is home_screen, 10, "the map after Escape")
    await pilot.pause(0.2)
    item = next(i for i in home_screen.query(LessonItem) if i.lesson_id == lesson_id)
    seen.map_state = state_named(plain(item.query_one(Label).render()).split(" ", 1)[0])
    # 5. Nothing the lesson started outlives it.
    left = await settled(home)
    if left:
        seen.problems.append("processes still alive after the lesson: " + "; ".join(left))
    return seen


async def walk(
    lesson_ids: list[str] | None, size: tuple[int, int], timeout: float, home: Path
) -> tuple[list[LessonSeen], list[str]]:
    from workbench.tui.app import WorkbenchApp

    app = WorkbenchApp(home=home, lessons_dir=LESSONS_DIR, show_startup_time=False)
    results: list[LessonSeen] = []
    async with app.run_test(size=size) as pilot:
        await lessons_loaded(pilot)
        curriculum = app.loaded_curriculum()
        ordered = [lesson.id for lesson in sorted(curriculum.lessons, key=lambda lesson: (lesson.order, lesson.id))]
        for broken in curriculum.broken:
            results.append(LessonSeen(broken.id, "broken", problems=["broken: " + "; ".join(broken.errors)]))
            print(results[-1].line(), flush=True)
        if lesson_ids is not None:
            unknown = [i for i in lesson_ids if i not in ordered and i not in {b.id for b in curriculum.broken}]
            if unknown:
                raise SystemExit(f"unknown lesson id(s): {', '.join(unknown)}; the lessons are: {', '.join(ordered)}")
            ordered = [i for i in ordered if i in lesson_ids]
        for lesson_id in ordered:
            seen = await walk_lesson(pilot, lesson_id, timeout, home)
            results.append(seen)
            print(seen.line(), flush=True)
        await app.end_processes()
    # After the app has gone: nothing it started is alive.
    return results, await settled(home)


def parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)x(\d+)", text)
    if match is None or int(match[1]) < 40 or int(match[2]) < 12:
        raise argparse.ArgumentTypeError(f"size '{text}': expected COLUMNSxROWS, at least 40x12, e.g. 120x40")
    return int(match[1]), int(match[2])


def main(argv: list[str] | None = None) -> int:
    from workbench import i18n

    parser = argparse.ArgumentParser(
        prog="python -m tests.walkthrough.every_lesson_in_the_tui",
        description="Run every lesson of the real curriculum in the TUI (open, run all, read the screen).",
    )
    parser.add_argument("--lessons", help="comma-separated lesson ids (default: every lesson, in curriculum order)")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=i18n.ENGLISH, help="the app's language (default: en)")
    parser.add_argument("--size", type=parse_size, default=(120, 40), help="terminal size COLUMNSxROWS (default: 120x40)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--timeout", type=float, default=LESSON_TIMEOUT_S, help="seconds per lesson (default: 900)")
    args = parser.parse_args(argv)
    lesson_ids = [i.strip() for i in args.lessons.split(",") if i.strip()] if args.lessons else None

    i18n.set_language(args.lang, explicit=True)
    with tempfile.TemporaryDirectory(prefix="walkthrough-home-") as folder:
        home = Path(folder) / "home"
        home.mkdir()
        os.environ["WORKBENCH_HOME"] = str(home)  # as `mlops-workbench --home` does; the step children carry it too
        for name in ("BENTOML_HOME", "WORKBENCH_LESSONS_DIR"):
            os.environ.pop(name, None)
        started = time.monotonic()
        try:
            results, left = asyncio.run(walk(lesson_ids, args.size, args.timeout, home))
        except SystemExit as exc:
            print(exc, file=sys.stderr)
            return 2
        total_s = time.monotonic() - started

    passed = [r for r in results if r.passed]
    print(
        f"total: {len(results)} lessons, {len(passed)} passed, {len(results) - len(passed)} not passed, "
        f"{sum(len([s for s in r.steps if s.state == 'skipped']) for r in results)} steps skipped, "
        f"{total_s:.1f} s ({args.lang}, {args.size[0]}x{args.size[1]})"
    )
    print("processes left after the app ended: " + ("; ".join(left) if left else "none"))
    if args.json is not None:
        from shared.utils.atomic_files import write_json_atomic

        write_json_atomic(
            args.json,
            {
                "lessons": [asdict(r) | {"passed": r.passed} for r in results],
                "seconds": round(total_s, 1),
                "language": args.lang,
                "size": list(args.size),
                "leftover_processes": left,
            },
        )
    return 0 if len(passed) == len(results) and results and not left else 1


if __name__ == "__main__":
    sys.exit(main())
