"""Questions asked before something would end a running step: leaving its screen, or quitting the app.

A question stays true while it is up: it reads what runs twice a second, names the steps running now, and
goes by itself when the last of them has ended (there is nothing left to ask about).
"""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label

from workbench.i18n import t
from workbench.tui.translated import WorkbenchModal

BACKGROUND = "background"
CANCEL = "cancel"
CHECK_S = 0.25  # how often a question looks at what still runs


class _Question(WorkbenchModal[str | None]):
    DEFAULT_CSS = """
    _Question { align: center middle; }
    _Question > Vertical { width: 76; max-width: 95%; height: auto; max-height: 100%; border: round $warning; background: $surface; padding: 1 2; }
    _Question #question { width: 100%; }
    """

    def __init__(self, running: list[str]) -> None:
        super().__init__()
        self.shown = running

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.text(self.shown), id="question")

    def on_mount(self) -> None:
        self.set_interval(CHECK_S, self._check)

    def text(self, running: list[str]) -> str:
        raise NotImplementedError

    def still_running(self) -> list[str]:
        """What runs now, as "lesson/step"."""
        return [screen.running_what() for screen in self.app.running_lessons()]

    def _check(self) -> None:
        if not self.is_current:
            return  # under another screen (help): looked at again when back in front
        running = self.still_running()
        if not running:
            self.all_ended(self.shown)
        elif running != self.shown:
            self.shown = running
            self.query_one("#question", Label).update(self.text(running))

    def all_ended(self, ended: list[str]) -> None:
        raise NotImplementedError

    def action_answer(self, value: str | None) -> None:
        self.dismiss(value or None)


class LeaveRunningDialog(_Question):
    """A step runs and you are leaving its screen: let it run on in the background, cancel it, or stay."""

    BINDINGS = [
        Binding("b,enter", "answer('background')", "Run on in the background", id="leave.background"),
        Binding("x", "answer('cancel')", "Cancel the step", id="leave.cancel"),
        Binding("escape,s", "answer('')", "Stay here", id="leave.stay"),
    ]

    def __init__(self, lesson_id: str, step_id: str | None) -> None:
        self.lesson_id = lesson_id
        super().__init__([f"{lesson_id}/{step_id}" if step_id else lesson_id])

    def still_running(self) -> list[str]:
        return [screen.running_what() for screen in self.app.running_lessons() if screen.lesson.id == self.lesson_id]

    def text(self, running: list[str]) -> str:
        return (
            t("[b]{what}[/] is still running.", what=escape(", ".join(running)))
            + "\n\n"
            + t("[b]b[/] or [b]Enter[/]  let it run on in the background (the map shows ◐; open the lesson again to watch it)")
            + "\n"
            + t("[b]x[/]  cancel it (a pass from an earlier run is kept)")
            + "\n"
            + t("[b]Escape[/]  stay here")
        )

    def all_ended(self, ended: list[str]) -> None:
        # Nothing runs any more: leave as asked. The lesson's screen sees no run and keeps nothing in the background.
        self.dismiss(BACKGROUND)


class QuitRunningDialog(_Question):
    """Quitting while steps run: quitting cancels them."""

    BINDINGS = [
        Binding("y,q,ctrl+q", "answer('cancel')", "Quit and cancel", id="quit.yes"),
        Binding("n,escape", "answer('')", "Stay", id="quit.no"),
    ]

    def text(self, running: list[str]) -> str:
        return (
            t("Still running: [b]{what}[/].", what=escape(", ".join(running)))
            + "\n\n"
            + t("[b]y[/]  quit: the running steps are cancelled (a pass from an earlier run is kept)")
            + "\n"
            + t("[b]n[/] or [b]Escape[/]  stay")
        )

    def all_ended(self, ended: list[str]) -> None:
        # The question is moot: nothing would be cancelled. Say so; quitting stays the learner's choice.
        self.dismiss(None)
        self.app.notify(
            t("{what} ended, so nothing is running now; quit again to leave", what=", ".join(ended)),
            title=t("nothing to cancel"),
            markup=False,
        )
