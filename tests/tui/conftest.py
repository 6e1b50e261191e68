from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pytest

from workbench.tui.app import WorkbenchApp


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    """Let the app run until ``condition`` holds (the screen updates between checks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.1)
        if condition():
            return
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


async def lessons_loaded(pilot) -> None:
    """The app loads lessons after its first frame; wait until the map shows them."""
    from workbench.tui.screens.home_screen import HomeScreen

    app = pilot.app
    await wait_for(pilot, lambda: any(isinstance(s, HomeScreen) and s.loaded for s in app.screen_stack), 10, "lessons to load")


def process_group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


@pytest.fixture
def make_app(home: Path):
    def _make(lessons_dir: Path | None = None) -> WorkbenchApp:
        return WorkbenchApp(home=home, lessons_dir=lessons_dir, show_startup_time=False)

    return _make
