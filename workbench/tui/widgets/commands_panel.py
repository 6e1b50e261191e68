"""The commands a run used, each shown whole: a long one wraps at the panel's width (continuations indented), so
commands that start alike (``cd lessons/… && python -c 'from steps import …'``) never look the same."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from workbench.tui.widgets.log_panel import wrap_line

MAX_COMMANDS = 500


class CommandsPanel(VerticalScroll):
    DEFAULT_CSS = """
    CommandsPanel { height: 1fr; }
    CommandsPanel > Static { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[str] = []  # the commands as written (the wrap is only how they are drawn)
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="commands-text")

    def on_mount(self) -> None:
        self.anchor()  # the newest command stays in view, until the reader scrolls up

    def add(self, command: str) -> None:
        self.lines = [*self.lines[-(MAX_COMMANDS - 1) :], command]
        self._draw()

    def _draw(self) -> None:
        """Wrap every command at the width there is now."""
        self._width = self.scrollable_content_region.width
        rows = [row for line in self.lines for row in wrap_line(line, self._width or 1_000)]
        self.query_one(Static).update(Text("\n".join(rows), no_wrap=True, overflow="crop"))

    def on_resize(self) -> None:
        self.call_after_refresh(self._redraw_if_needed)

    def _redraw_if_needed(self) -> None:
        if self.scrollable_content_region.width != self._width:
            self._draw()
