"""Questions asked before something would end a running step: leaving its screen, or quitting the app."""

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


class _Question(WorkbenchModal[str | None]):
    DEFAULT_CSS = """
    _Question { align: center middle; }
    _Question > Vertical { width: 76; max-width: 95%; height: auto; border: round $warning; background: $surface; padding: 1 2; }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.text, id="question")

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
        what = f"{lesson_id}/{step_id}" if step_id else lesson_id
        super().__init__(
            t("[b]{what}[/] is still running.", what=escape(what))
            + "\n\n"
            + t("[b]b[/] or [b]Enter[/]  let it run on in the background (the map shows ◐; open the lesson again to watch it)")
            + "\n"
            + t("[b]x[/]  cancel it (a pass from an earlier run is kept)")
            + "\n"
            + t("[b]Escape[/]  stay here")
        )


class QuitRunningDialog(_Question):
    """Quitting while steps run: quitting cancels them."""

    BINDINGS = [
        Binding("y,q,ctrl+q", "answer('cancel')", "Quit and cancel", id="quit.yes"),
        Binding("n,escape", "answer('')", "Stay", id="quit.no"),
    ]

    def __init__(self, running: list[str]) -> None:
        super().__init__(
            t("Still running: [b]{what}[/].", what=escape(", ".join(running)))
            + "\n\n"
            + t("[b]y[/]  quit: the running steps are cancelled (a pass from an earlier run is kept)")
            + "\n"
            + t("[b]n[/] or [b]Escape[/]  stay")
        )
