"""The live log: capped, follows the tail until you scroll up, filterable, savable.

Lines arrive in batches (one write per frame, not one per line), so a step
that floods output cannot freeze the screen. A step's output is text, never
terminal commands: escape sequences and control characters are removed
before a line is kept (colours too; see ``shared.events.terminal_text``).
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

from rich.highlighter import Highlighter
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Log

from shared.events.terminal_text import printable
from shared.utils.atomic_files import write_text_atomic
from workbench.i18n import t

MAX_LINES = 10_000
# The most lines drawn per frame (Log costs ~30 µs a line): a flood queues the rest (lines that would be
# pruned anyway fall off the front), so one frame never does unbounded work.
MAX_LINES_PER_FRAME = 300


class MatchHighlighter(Highlighter):
    """Marks every occurrence of the filter text (case-insensitive) in a log line."""

    def __init__(self, query: str) -> None:
        self.query = query

    def highlight(self, text: Text) -> None:
        if self.query:
            text.highlight_words([self.query], style="bold reverse", case_sensitive=False)


class LogPanel(Vertical):
    DEFAULT_CSS = """
    LogPanel { height: 1fr; }
    LogPanel > #log-filter { display: none; height: 3; }
    LogPanel.filtering > #log-filter { display: block; }
    LogPanel > Log { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: deque[str] = deque(maxlen=MAX_LINES)
        self._backlog: deque[str] = deque(maxlen=MAX_LINES)
        self.query_text = ""
        self.border_title = t("log")

    def compose(self) -> ComposeResult:
        yield Input(placeholder=t("filter the log (Enter to apply, Escape to clear)"), id="log-filter")
        yield Log(max_lines=MAX_LINES, id="log", highlight=False)

    @property
    def log_widget(self) -> Log:
        return self.query_one("#log", Log)

    def _matches(self, line: str) -> bool:
        return not self.query_text or self.query_text in line.lower()

    def write_lines(self, lines: list[str]) -> None:
        """Append a batch and draw (up to a frame's worth of) it."""
        if not lines:
            return
        lines = [printable(str(line)) for line in lines]
        self.lines.extend(lines)
        self._backlog.extend(line for line in lines if self._matches(line))
        self.drain()

    def drain(self) -> None:
        """Draw queued lines, at most MAX_LINES_PER_FRAME; follow the tail only if the reader is at the bottom."""
        if not self._backlog:
            return
        count = min(len(self._backlog), MAX_LINES_PER_FRAME)
        chunk = [self._backlog.popleft() for _ in range(count)]
        log = self.log_widget
        follow = log.is_vertical_scroll_end or log.max_scroll_y == 0
        log.write("\n".join(chunk) + "\n", scroll_end=follow)

    def clear(self) -> None:
        self.lines.clear()
        self._backlog.clear()
        self.log_widget.clear()

    def start_filter(self) -> None:
        self.add_class("filtering")
        self.query_one("#log-filter", Input).focus()

    def apply_filter(self, text: str) -> None:
        self.query_text = text.strip().lower()
        self._backlog.clear()
        log = self.log_widget
        log.clear()
        log.highlighter = MatchHighlighter(self.query_text)
        log.highlight = bool(self.query_text)  # only lines that match are shown; the match itself stands out
        shown = [line for line in self.lines if self._matches(line)]
        self._backlog.extend(shown)
        self.drain()
        self.border_title = (
            t("log — filter: {query} ({count} lines)", query=repr(self.query_text), count=len(shown))
            if self.query_text
            else t("log")
        )
        if not self.query_text:
            self.remove_class("filtering")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply_filter(event.value)
        self.log_widget.focus()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.has_class("filtering"):
            event.stop()
            self.query_one("#log-filter", Input).value = ""
            self.apply_filter("")
            self.log_widget.focus()

    def save(self, folder: Path, stem: str) -> Path:
        path = folder / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}.log"
        return write_text_atomic(path, "\n".join(self.lines) + "\n")
