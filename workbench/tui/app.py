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
    from textual.command import Provider
    from textual.notifications import SeverityLevel
    from textual.screen import Screen

    from workbench.curriculum.lesson_loader import Curriculum, Lesson
    from workbench.tui.screens.lesson_screen import LessonScreen

KEYMAP_FILE = "keymap.toml"
SETTINGS_FILE = "settings.json"


def _workbench_commands() -> type[Provider]:
    """The palette provider, imported when the palette first opens (textual.command is not free)."""
    from workbench.tui.commands import WorkbenchCommands

    return WorkbenchCommands


class WorkbenchApp(App):
    CSS_PATH = Path(__file__).with_name("workbench.tcss")
    TITLE = "mlops-workbench"
    COMMANDS = App.COMMANDS | {_workbench_commands}
    # Every screen's footer shows only the app keys it names in FOOTER_APP (see translated.py); the help
    # screen (? or F1) lists them all, so the footer fits in 80 columns.
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="app.toggle_theme"),
        Binding("h", "go_home", "Home", id="app.home"),
        Binding("e", "open_runs", "Runs", id="app.runs"),
        Binding("g", "open_gpu", "GPU", id="app.gpu"),
        Binding("v", "open_serving", "Serve", id="app.serving"),
        Binding("ctrl+l", "switch_language", "中文/English", id="app.language"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(self, home: Path, lessons_dir: Path | None = None, show_startup_time: bool = True) -> None:
        from workbench.tui import cjk_wrap

        super().__init__()
        cjk_wrap.install()  # Chinese lines break between characters, never inside an English word
        self.home = home
        self.lessons_dir = lessons_dir
        # Loaded in a thread after the first frame (validation is the slowest part of start-up).
        self.curriculum: Curriculum | None = None
        self._lessons_loading = False  # start_loading_lessons: once
        self.progress = ProgressStore.open(home)
        self.progress.on_problem = lambda message: self.notify(message, severity="error", timeout=15, markup=False)
        self.show_startup_time = show_startup_time
        self.settings = self._read_settings()
        self.startup_ms: float | None = None  # shown once, on the first home screen
        self.started_in_ms: float | None = None
        self.last_lesson_id: str | None = None
        self.recent_lesson_id: str | None = None
        saved = self.settings.get("language")
        if not i18n.chosen_explicitly() and isinstance(saved, str) and saved in i18n.LANGUAGES:
            i18n.set_language(saved)  # switched in the app before (ctrl+l); --lang still wins

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notice (the screens' too: they call this) shows its text as it is. The workbench's notices carry no
        markup of their own, and what they quote may hold '[': a lesson title, a path, a step's summary, a broken
        lesson's error, the progress file's problem (``[/]`` there once ended the app at start)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def get_default_screen(self) -> Screen:
        """The map is the bottom of the screen stack (not pushed over Textual's blank default screen: one
        screen composed and drawn at start-up instead of two, ~30 ms of the first paint)."""
        from workbench.tui.screens.home_screen import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        saved_theme = self.settings.get("theme")
        self.theme = saved_theme if saved_theme in ("textual-dark", "textual-light") else "textual-dark"
        self._apply_keymap()
        if self.show_startup_time:
            self.startup_ms = (time.perf_counter() - _STARTED) * 1000
            self.started_in_ms = self.startup_ms  # kept: the map's title says it again in a new language (ctrl+l)
        if self.progress.warning:
            self.notify(self.progress.warning, title=t("progress file"), severity="warning", timeout=15)
        if self.settings_warning:
            title = "settings.json"  # i18n: not translated (a file name)
            self.notify(self.settings_warning, title=title, severity="warning", timeout=15, markup=False)
        if not self.is_headless:
            self._catch_stop_signals()
        # The lessons load in a thread once the map has drawn its first full frame (start_loading_lessons).

    def _catch_stop_signals(self) -> None:
        """SIGTERM and SIGHUP (the terminal closed) are a quit: every step tree and service ends, the terminal is restored.

        A plain signal handler (not the event loop's): it runs even while the loop is stuck writing to a
        terminal that is gone. A watchdog makes sure the way out finishes (see STOP_DEADLINE_S).
        """
        import asyncio
        import contextlib
        import signal

        loop = asyncio.get_running_loop()

        def on_signal(signum: int, frame: object) -> None:
            from shared.utils import process_tree

            if signum == signal.SIGHUP:
                process_tree.detach_from_terminal()
            if not getattr(self, "_stopping", False):
                process_tree.exit_after(STOP_DEADLINE_S, _kill_what_is_left, last_resort_at=KILL_DEADLINE_S)
            loop.call_soon_threadsafe(self._stop_signal)

        for sig in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(ValueError):  # not the main thread
                signal.signal(sig, on_signal)

    def _stop_signal(self) -> None:
        if getattr(self, "_stopping", False):
            return
        self._stopping = True
        self.run_worker(self._end_and_exit(), group="stop-signal", exit_on_error=False)

    async def _end_and_exit(self) -> None:
        try:
            await self.end_processes(urgent=True)
        finally:
            self.exit(return_code=1)

    async def end_processes(self, urgent: bool = False) -> None:
        """End everything this app started: running lessons (recorded as cancelled), other steps, served services.

        ``urgent`` (SIGTERM, SIGHUP): the step trees get SIGTERM at once instead of a Ctrl-C round first.
        """
        import sys

        from workbench.runner.step_runner import URGENT_STAGES, cancel_live_runs, end_live_runs

        if urgent:
            cancel_live_runs(URGENT_STAGES)
        for screen in self.running_lessons():
            await screen.stop_runs()
        await end_live_runs()
        service_control = sys.modules.get("workbench.tui.service_control")
        if service_control is not None:
            await service_control.stop_all()

    def start_loading_lessons(self) -> None:
        """Load and validate the lessons in a thread, once. The map calls it after its first full frame: the
        thread's imports and validation would otherwise hold the GIL while the first screen is drawn."""
        if self._lessons_loading:
            return
        self._lessons_loading = True
        self._load_curriculum()

    @work(thread=True, exclusive=True, group="load-lessons")
    def _load_curriculum(self) -> None:
        from workbench.curriculum.lesson_loader import load_curriculum

        curriculum = load_curriculum(self.lessons_dir)
        self.call_from_thread(self._curriculum_loaded, curriculum)

    def _curriculum_loaded(self, curriculum: Curriculum) -> None:
        from workbench.tui.screens.home_screen import HomeScreen

        self.curriculum = curriculum
        for broken in curriculum.broken:
            self.notify(
                "\n".join(broken.errors), title=t("broken lesson {lesson}", lesson=broken.id), severity="warning", timeout=10
            )
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
        """The lesson's screen: the one running in the background if there is one, else a new one."""
        from workbench.tui.screens.lesson_screen import LessonScreen

        if self.curriculum is None:
            self.notify(t("the lessons are still loading"), severity="warning")
            return
        lesson = self.curriculum.get(lesson_id)
        if lesson is None:
            self.notify(t("lesson '{lesson}' is not available", lesson=lesson_id), severity="error")
            return
        self.last_lesson_id = lesson_id  # the map shows it highlighted when you come back
        self.recent_lesson_id = lesson_id  # and suggests what comes after it
        existing = next((s for s in self.running_lessons() if s.lesson.id == lesson_id), None)
        if existing is not None:
            existing.left_running = False  # in front again: leaving asks again
        if existing is not None and existing in self.screen_stack:
            while self.screen is not existing:
                self.pop_screen()
        elif existing is not None:
            self.uninstall_screen(existing)  # in front again: installed means "kept in the background, off the stack"
            self.push_screen(existing)
        else:
            self.push_screen(LessonScreen(lesson))

    # ---- guidance: which lesson comes next ----------------------------------------------------------------------
    def loaded_curriculum(self) -> Curriculum:
        """The lessons, for screens that exist only once they are loaded (the map fills itself after loading)."""
        if self.curriculum is None:
            raise RuntimeError("the lessons are not loaded yet")
        return self.curriculum

    def next_lesson(self, after: str | None = None) -> Lesson | None:
        """The first lesson (in curriculum order, after ``after``, wrapping round) not passed yet whose prerequisites
        have all passed; None when every lesson has passed."""
        if self.curriculum is None:
            return None
        lessons = sorted(self.curriculum.lessons, key=lambda lesson: (lesson.order, lesson.id))
        start = next((i + 1 for i, lesson in enumerate(lessons) if lesson.id == after), 0)
        status = self.progress.lesson_status
        for lesson in lessons[start:] + lessons[:start]:
            if lesson.id == after or status(lesson.id) == "passed":
                continue
            if all(status(pre) == "passed" for pre in lesson.spec.prerequisites):
                return lesson
        return None

    def suggested_lesson(self) -> Lesson | None:
        """What the map suggests: the lesson you were on while it has not passed, else the one after it."""
        recent = self.curriculum.get(self.recent_lesson_id) if self.curriculum and self.recent_lesson_id else None
        if recent is None:
            return self.next_lesson()
        status = self.progress.lesson_status
        if status(recent.id) != "passed" and all(status(pre) == "passed" for pre in recent.spec.prerequisites):
            return recent
        return self.next_lesson(after=recent.id)

    def open_next_lesson(self, after: str | None = None) -> None:
        lesson = self.next_lesson(after)
        if lesson is None:
            self.notify(t("every lesson has passed — well done"), title=t("next lesson"))
            return
        self.action_go_home()
        self.call_after_refresh(self.open_lesson, lesson.id)

    # ---- steps that run on after their screen was left -----------------------------------------------------------
    def running_lessons(self) -> list:
        """Every lesson screen with a running step: on the stack, or kept in the background."""
        from workbench.tui.screens.lesson_screen import LessonScreen

        screens = [s for s in self.screen_stack if isinstance(s, LessonScreen)]
        screens += [s for s in self._installed_screens.values() if isinstance(s, LessonScreen) and s not in screens]
        return [s for s in screens if s.running]

    def keep_in_background(self, screen: LessonScreen) -> None:
        """Keep a lesson screen (and its run) alive after it is popped; it is dropped when its run ends."""
        if not self.is_screen_installed(screen):
            self.install_screen(screen, f"background-{screen.lesson.id}-{id(screen)}")

    def drop_background_screen(self, screen: LessonScreen) -> None:
        """A kept lesson screen whose run has ended goes, once it is off every stack (Textual refuses to uninstall
        a screen on a stack; one left under another screen is dropped when it is popped, see LessonScreen)."""
        if self.is_screen_installed(screen) and not any(screen in stack for stack in self._screen_stacks.values()):
            self.uninstall_screen(screen)
            self.call_later(screen.remove)

    def background_run_ended(self, screen: LessonScreen) -> None:
        from workbench.tui.screens.home_screen import HomeScreen

        self.drop_background_screen(screen)
        if not self.is_running or self._exit:  # the app is closing: its map may already be taken apart
            return
        for home in self.screen_stack:
            if isinstance(home, HomeScreen) and home.loaded and home.is_attached:
                home.refresh_lessons()

    def open_exercise(self, exercise_id: str) -> None:
        from workbench.tui.screens.exercise_screen import ExerciseScreen

        found = self.curriculum.find_exercise(exercise_id) if self.curriculum else None
        if found is None:
            self.notify(t("exercise '{exercise}' is not available", exercise=exercise_id), severity="error")
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
        from workbench.tui.screens.home_screen import HomeScreen

        if self.running_lessons():
            self.notify(t("finish or cancel the running step first (x)"), severity="warning")
            return
        reasons = (getattr(s, "busy_reason", lambda: None)() for s in self.screen_stack)
        busy = next((reason for reason in reasons if reason), None)
        if busy is not None:
            self.notify(busy, severity="warning")
            return
        new = i18n.ZH_TW if i18n.language() == i18n.ENGLISH else i18n.ENGLISH
        i18n.set_language(new)
        self.save_setting("language", new)
        # The same screens again, built in the new language (dialogs are closed).
        reopen = [getattr(s, "reopen", lambda: None) for s in self.screen_stack[1:]]
        while len(self.screen_stack) > 1:
            self.pop_screen()
        home = self.screen_stack[0]
        if isinstance(home, HomeScreen):
            self.call_later(home.rebuild)  # the map is the bottom of the stack: rebuilt in place
            if home.sub_title and self.started_in_ms is not None:  # its title too, not English until a restart
                home.sub_title = t("started in {ms} ms", ms=f"{self.started_in_ms:.0f}")
        for make in reopen:
            screen = make()
            if screen is not None:
                self.push_screen(screen)
        self.notify(t("language: {name}", name=i18n.LANGUAGE_NAMES[new]))

    def save_setting(self, name: str, value: object) -> None:
        from shared.utils.atomic_files import write_json_atomic

        self.settings[name] = value
        try:
            write_json_atomic(self.home / SETTINGS_FILE, self.settings)
        except OSError as exc:
            self.notify(t("could not save the setting: {problem}", problem=exc), severity="warning", markup=False)

    def action_go_home(self) -> None:
        """Back to the map; a lesson with a running step on the way asks first (background, cancel or stay)."""
        from workbench.tui.screens.lesson_screen import LessonScreen

        for screen in reversed(self.screen_stack[1:]):
            if isinstance(screen, LessonScreen) and screen.running and not screen.left_running:
                if screen is not self.screen:
                    while self.screen is not screen:
                        self.pop_screen()
                screen.leave(self.action_go_home)
                return
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        from workbench.tui.screens.help_screen import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"
        self.save_setting("theme", self.theme)

    async def action_quit(self) -> None:
        """Quit; while steps run, ask first (quitting cancels them)."""
        from workbench.tui.screens.confirm_dialogs import CANCEL, QuitRunningDialog

        if isinstance(self.screen, QuitRunningDialog):
            self.screen.dismiss(CANCEL)  # ctrl+q again: yes
            return
        running = self.running_lessons()
        if running:

            def answer(choice: str | None) -> None:
                if choice == CANCEL:
                    self.run_worker(self._quit_now(), group="quit", exit_on_error=False)

            self.push_screen(QuitRunningDialog([s.running_what() for s in running]), answer)
            return
        await self._quit_now()

    async def _quit_now(self) -> None:
        if self.running_lessons():
            self.notify(t("ending the running step before quitting…"))
        await self.end_processes()
        self.exit()


# After SIGTERM/SIGHUP the orderly way out (steps cancelled and recorded, terminal restored) takes 2-3 s;
# if it is stuck, the watchdog kills every step tree and service at KILL_DEADLINE_S and exits at STOP_DEADLINE_S.
KILL_DEADLINE_S = 3.0
STOP_DEADLINE_S = 4.5


def _kill_what_is_left() -> None:
    """The watchdog's last resort: every step tree and service of this app, SIGKILL, no event loop needed."""
    import sys

    for name, function in (
        ("workbench.runner.step_runner", "end_live_trees"),
        ("workbench.tui.service_control", "end_leftovers"),
    ):
        module = sys.modules.get(name)
        if module is not None:
            getattr(module, function)(stages=())


def run_app(home: Path, lessons_dir: Path | None = None) -> int:
    app = WorkbenchApp(home=home, lessons_dir=lessons_dir)
    app.run()
    return app.return_code or 0
