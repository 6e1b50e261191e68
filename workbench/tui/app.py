"""The workbench app: ``mlops-workbench`` with no arguments.

Start-up stays fast because nothing heavy is imported here: lessons are data,
steps run in child processes, screens are imported when first opened.
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()

from pathlib import Path  # noqa: E402

from typing import TYPE_CHECKING  # noqa: E402

from textual import work  # noqa: E402
from textual.app import App  # noqa: E402
from textual.binding import Binding  # noqa: E402

from workbench import i18n  # noqa: E402
from workbench.i18n import t  # noqa: E402
from workbench.progress_store import ProgressStore  # noqa: E402

if TYPE_CHECKING:
    from workbench.curriculum.lesson_loader import Curriculum

KEYMAP_FILE = "keymap.toml"
SETTINGS_FILE = "settings.json"


def _workbench_commands():  # type: ignore[no-untyped-def]
    """The palette provider, imported when the palette first opens (textual.command is not free)."""
    from workbench.tui.commands import WorkbenchCommands

    return WorkbenchCommands


class WorkbenchApp(App):
    CSS_PATH = Path(__file__).with_name("workbench.tcss")
    TITLE = "mlops-workbench"
    COMMANDS = App.COMMANDS | {_workbench_commands}
    BINDINGS = [
        Binding("ctrl+t", "toggle_theme", "Theme", id="app.toggle_theme"),
        Binding("h", "go_home", "Home", id="app.home", show=False),
        Binding("e", "open_runs", "Runs", id="app.runs"),
        Binding("g", "open_gpu", "GPU", id="app.gpu"),
        Binding("v", "open_serving", "Serve", id="app.serving"),
        Binding("ctrl+l", "switch_language", "中文/English", id="app.language"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(self, home: Path, lessons_dir: Path | None = None, show_startup_time: bool = True) -> None:
        super().__init__()
        self.home = home
        self.lessons_dir = lessons_dir
        # Loaded in a thread after the first frame (validation is the slowest part of start-up).
        self.curriculum: Curriculum | None = None
        self.progress = ProgressStore.open(home)
        self.progress.on_problem = lambda message: self.notify(message, severity="error", timeout=15, markup=False)
        self.show_startup_time = show_startup_time
        self.settings = self._read_settings()
        saved = self.settings.get("language")
        if not i18n.chosen_explicitly() and isinstance(saved, str) and saved in i18n.LANGUAGES:
            i18n.set_language(saved)  # switched in the app before (ctrl+l); --lang still wins

    def on_mount(self) -> None:
        from workbench.tui.screens.home_screen import HomeScreen

        self.theme = "textual-dark"
        self._apply_keymap()
        self.push_screen(HomeScreen())
        if self.show_startup_time:
            self.sub_title = t("started in {ms} ms", ms=f"{(time.perf_counter() - _STARTED) * 1000:.0f}")
        if self.progress.warning:
            self.notify(self.progress.warning, title=t("progress file"), severity="warning", timeout=15)
        if self.settings_warning:
            self.notify(self.settings_warning, title="settings.json", severity="warning", timeout=15, markup=False)
        self.call_after_refresh(self._load_curriculum)

    @work(thread=True, exclusive=True, group="load-lessons")
    def _load_curriculum(self) -> None:
        from workbench.curriculum.lesson_loader import load_curriculum

        curriculum = load_curriculum(self.lessons_dir)
        self.call_from_thread(self._curriculum_loaded, curriculum)

    def _curriculum_loaded(self, curriculum: "Curriculum") -> None:
        from workbench.tui.screens.home_screen import HomeScreen

        self.curriculum = curriculum
        for broken in curriculum.broken:
            self.notify("\n".join(broken.errors), title=t("broken lesson {lesson}", lesson=broken.id), severity="warning", timeout=10)
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.call_later(screen.populate)

    def _apply_keymap(self) -> None:
        """``<home>/keymap.toml`` remaps bindings by id, e.g. ``"lesson.run_step" = "f5"`` (checked in a thread)."""
        path = self.home / KEYMAP_FILE
        if path.exists() or path.is_symlink():
            self._load_keymap(path)

    @work(thread=True, exclusive=True, group="keymap", exit_on_error=False)
    def _load_keymap(self, path: Path) -> None:
        from workbench.tui import keymap_file

        keymap, warnings = keymap_file.load(path)  # unknown ids, bad key names, keys taken: warned and left out
        self.call_from_thread(self._keymap_loaded, keymap, warnings)

    def _keymap_loaded(self, keymap: dict[str, str], warnings: list[str]) -> None:
        if keymap:
            self.set_keymap(keymap)
        if warnings:
            self.notify("\n".join(warnings), title=t("keymap"), severity="warning", markup=False, timeout=15)

    def open_lesson(self, lesson_id: str) -> None:
        from workbench.tui.screens.lesson_screen import LessonScreen

        if self.curriculum is None:
            self.notify("the lessons are still loading", severity="warning")
            return
        lesson = self.curriculum.get(lesson_id)
        if lesson is None:
            self.notify(f"lesson '{lesson_id}' is not available", severity="error")
            return
        self.push_screen(LessonScreen(lesson))

    def open_exercise(self, exercise_id: str) -> None:
        from workbench.tui.screens.exercise_screen import ExerciseScreen

        found = self.curriculum.find_exercise(exercise_id) if self.curriculum else None
        if found is None:
            self.notify(f"exercise '{exercise_id}' is not available", severity="error")
            return
        self.push_screen(ExerciseScreen(*found))

    def action_open_runs(self) -> None:
        from workbench.tui.screens.runs_screen import RunsScreen

        if not isinstance(self.screen, RunsScreen):
            self.push_screen(RunsScreen())

    def action_open_gpu(self) -> None:
        from workbench.tui.screens.gpu_screen import GpuScreen

        if not isinstance(self.screen, GpuScreen):
            self.push_screen(GpuScreen())

    def action_open_serving(self) -> None:
        from workbench.tui.screens.serving_screen import ServingScreen

        if not isinstance(self.screen, ServingScreen):
            self.push_screen(ServingScreen())

    def _read_settings(self) -> dict:
        from shared.utils.atomic_files import read_json_object

        # Missing: the defaults. Damaged (not JSON, a folder in its place): moved aside, one warning, the defaults.
        data, self.settings_warning = read_json_object(self.home / SETTINGS_FILE)
        return data or {}

    def action_switch_language(self) -> None:
        """English <-> 繁體中文: saved in <home>/settings.json; the screens are rebuilt in the new language."""
        from shared.utils.atomic_files import write_json_atomic
        from workbench.tui.screens.home_screen import HomeScreen
        from workbench.tui.screens.lesson_screen import LessonScreen

        if any(isinstance(s, LessonScreen) and s.running for s in self.screen_stack):
            self.notify(t("finish or cancel the running step first (x)"), severity="warning")
            return
        new = i18n.ZH_TW if i18n.language() == i18n.ENGLISH else i18n.ENGLISH
        i18n.set_language(new)
        self.settings["language"] = new
        write_json_atomic(self.home / SETTINGS_FILE, self.settings)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(HomeScreen())
        self.sub_title = ""
        self.notify(t("language: {name}", name=i18n.LANGUAGE_NAMES[new]))

    def action_go_home(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    async def action_quit(self) -> None:
        from workbench.tui.screens.lesson_screen import LessonScreen

        for screen in self.screen_stack:
            if isinstance(screen, LessonScreen) and screen.running:
                self.notify("ending the running step before quitting…")
                await screen.stop_runs()
        self.exit()


def run_app(home: Path, lessons_dir: Path | None = None) -> int:
    app = WorkbenchApp(home=home, lessons_dir=lessons_dir)
    app.run()
    return app.return_code or 0
