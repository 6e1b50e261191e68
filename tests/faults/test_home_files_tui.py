"""What the app reads from the home, when it is wrong: keymap.toml, settings.json, mlflow.db, a dead run in progress.json
(issue 20, items 4 and 12; issue 15, defect 2). Pilot tests on the real app."""

from __future__ import annotations

import json
import time
from pathlib import Path

from textual.widgets import Label

from tests.conftest import LESSONS_DIR
from tests.faults.test_home_faults import mount_tmpfs  # noqa: F401  (a fixture: request.getfixturevalue)
from workbench.progress_store import ProgressStore
from workbench.tui.app import WorkbenchApp
from workbench.tui.keymap_file import binding_scopes, checked_keymap

SIZE = (160, 48)


async def _wait(pilot, condition, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.1)
        if condition():
            return
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def _app(home: Path) -> WorkbenchApp:
    return WorkbenchApp(home=home, lessons_dir=LESSONS_DIR, show_startup_time=False)


def _messages(app: WorkbenchApp) -> list[str]:
    return [n.message for n in app._notifications]


async def _lessons_loaded(pilot) -> None:
    from workbench.tui.screens.home_screen import HomeScreen

    await _wait(pilot, lambda: any(isinstance(s, HomeScreen) and s.loaded for s in pilot.app.screen_stack), 20, "lessons to load")


# -- keymap.toml (item 12) ------------------------------------------------------------------------------------


def test_each_bad_keymap_entry_is_named_and_left_out_and_the_good_ones_kept():
    entries = {
        "lesson.run_stepp": "f5",  # no such binding
        "lesson.run_lesson": "ctrl+shft+a",  # not a key name
        "lesson.run_step": "x",  # x is Cancel on the lesson screen
        "lesson.save_log": "f6",  # fine
        "runs.reload": "f5,ctrl+r",  # fine (f5 is free on the runs screen)
        "lesson.edit_params": "f6",  # f6 was just given to save_log
    }
    accepted, warnings = checked_keymap(entries, binding_scopes())
    assert accepted == {"lesson.save_log": "f6", "runs.reload": "f5,ctrl+r"}
    assert len(warnings) == 4
    by_id = {w.split("'")[1]: w for w in warnings}
    assert "no key binding has that id" in by_id["lesson.run_stepp"] and "lesson.run_step" in by_id["lesson.run_stepp"]
    assert "is not a key name" in by_id["lesson.run_lesson"]
    assert "'Cancel' (lesson.cancel)" in by_id["lesson.run_step"]
    assert "lesson.save_log" in by_id["lesson.edit_params"]


def test_dotted_keymap_ids_written_without_quotes_are_read_as_the_ids_they_name(tmp_path):
    """TOML reads `lesson.run_step = "f5"` (no quotes) as a table `lesson`: it was refused with "'lesson' ... not dict"."""
    from workbench.tui.keymap_file import read_keymap

    keymap = tmp_path / "keymap.toml"
    keymap.write_text('lesson.run_step = "f5"\n"runs.reload" = "ctrl+r"\nlesson.save_log = 6\n')
    entries, problems = read_keymap(keymap)
    assert entries == {"lesson.run_step": "f5", "runs.reload": "ctrl+r"}
    assert problems == [f"{keymap}: 'lesson.save_log' ignored: the value must be a key name such as \"f5\", not int"]
    accepted, warnings = checked_keymap(entries, binding_scopes())
    assert accepted == entries and warnings == []


async def test_a_keymap_that_would_hide_cancel_warns_and_the_footer_keeps_cancel(home):
    (home / "keymap.toml").write_text('"lesson.run_step" = "x"\n"lesson.save_log" = "f6"\n"nope.nothing" = "f2"\n')
    app = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        await _lessons_loaded(pilot)
        await _wait(pilot, lambda: any("keymap.toml" in m for m in _messages(app)), 20, "the keymap warning")
        [warning] = [m for m in _messages(app) if "keymap.toml" in m]
        assert "'lesson.run_step'" in warning and "'nope.nothing'" in warning and "save_log" not in warning
        app.open_lesson("data-quality")
        await pilot.pause(0.5)
        keys = {b.binding.key: b.binding.id for b in app.screen.active_bindings.values()}
        assert keys.get("x") == "lesson.cancel"  # Cancel is still on x
        assert keys.get("r") == "lesson.run_step"
        assert keys.get("f6") == "lesson.save_log"  # the good entry applies


async def test_a_folder_in_place_of_keymap_toml_is_one_warning_not_a_crash(home):
    (home / "keymap.toml").mkdir()
    app = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        await _lessons_loaded(pilot)
        await _wait(pilot, lambda: any("keymap.toml" in m for m in _messages(app)), 20, "the keymap warning")
        assert app.is_running


# -- settings.json (item 4) -----------------------------------------------------------------------------------


async def test_settings_json_as_a_folder_is_moved_aside_and_ctrl_l_still_switches_and_saves(home):
    (home / "settings.json").mkdir()
    app = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        await _lessons_loaded(pilot)
        assert any("settings.json could not be read" in m and "kept it as" in m for m in _messages(app))
        await pilot.press("ctrl+l")
        await _lessons_loaded(pilot)
        assert app.is_running
    assert json.loads((home / "settings.json").read_text())["language"] == "zh-TW"
    assert list(home.glob("settings.json.corrupt-*"))


# -- runs screen on a garbage store (item 12) ----------------------------------------------------------------


async def test_the_runs_screen_says_the_cause_and_the_fix_of_a_garbage_store_in_one_line(home, tmp_path, monkeypatch):
    garbage = tmp_path / "team.db"
    garbage.write_bytes(b"\x00garbage" * 1000)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{garbage}")
    from workbench.tui.screens.runs_screen import RunsScreen

    app = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        await _lessons_loaded(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, RunsScreen)
        status = app.screen.query_one("#runs-status", Label)
        await _wait(pilot, lambda: "could not read" in str(status.render()), 120, "the error")
        text = str(status.render())
        assert "file is not a database" in text and "fix:" in text and "MLFLOW_TRACKING_URI" in text
        assert "_execute" not in text and "Traceback" not in text


# -- a run left by a dead process (issue 15, defect 2) --------------------------------------------------------


async def test_a_lesson_left_running_by_a_dead_process_shows_interrupted_on_the_map(home):
    raw = {
        "format_version": 1,
        "lessons": {
            "keras-digits": {
                "status": "not started",
                "steps": {},
                "running": {"pid": 2**22 + 12345, "started": "1", "host": None, "started_at": "then"},
            },
            "sklearn-iris": {
                "status": "passed",
                "steps": {},
                "running": {"pid": 2**22 + 12346, "started": "1", "host": None, "started_at": "then"},
            },
        },
    }
    (home / "progress.json").write_text(json.dumps(raw))
    assert ProgressStore.open(home).lesson_status("keras-digits") == "interrupted"
    app = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        await _lessons_loaded(pilot)
        assert app.progress.lesson_status("keras-digits") == "interrupted"
        assert app.progress.lesson_status("sklearn-iris") == "passed"
        drawn = app.export_screenshot()
        assert "↯" in drawn and "◐" not in drawn  # interrupted on the map; nothing "running" for ever


# -- a read-only home in the app (item 5) ---------------------------------------------------------------------


async def test_run_all_on_a_read_only_home_says_why_in_one_line_instead_of_doing_nothing(request):
    from workbench.tui.screens.lesson_screen import LessonScreen
    from workbench.tui.widgets.log_panel import LogPanel

    home = request.getfixturevalue("mount_tmpfs")("4m", read_only=True)
    app = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        await _lessons_loaded(pilot)
        app.open_lesson("data-quality")
        await _wait(pilot, lambda: isinstance(app.screen, LessonScreen), 10, "the lesson screen")
        screen = app.screen
        await pilot.press("a")
        wanted = f"the workbench home {home} is not writable"

        def said() -> list[str]:
            return [line for panel in screen.query(LogPanel) for line in panel.lines if wanted in line]

        await _wait(pilot, lambda: bool(said()), 30, "the home problem in the log")
        assert len(said()) == 1
        await _wait(pilot, lambda: not screen.running, 10, "the run to end")
        assert app.is_running


# -- text that looks like markup --------------------------------------------------------------------------------


async def test_a_progress_file_problem_that_looks_like_markup_is_shown_as_it_is_not_a_crash(home):
    """A hand-edited progress.json whose bad entry is named `x[/]`: the notice quoting it once ended the app at start
    (Textual read `[/]` as a closing tag). Every notice shows its text as it is."""
    raw = {"format_version": 1, "lessons": {"x[/]": [1], "sklearn-iris": {"status": "passed", "steps": {}}}}
    (home / "progress.json").write_text(json.dumps(raw))
    app = _app(home)
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # the toasts are drawn, as for a person
        await _lessons_loaded(pilot)
        await pilot.pause(0.2)
        assert app._exception is None and app.is_running
        [notice] = [m for m in _messages(app) if "x[/]" in m]
        assert "progress.json" in notice
        app.notify("saved to /tmp/ML [old]/log.txt [/]")  # any notice: a path with brackets stays whole
        await pilot.pause(0.2)
        assert app._exception is None and "saved to /tmp/ML [old]/log.txt [/]" in _messages(app)
