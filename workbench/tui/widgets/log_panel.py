"""The live log: capped, follows the tail until you scroll up, filterable, savable, wrapped.

Lines arrive in batches (one write per frame, not one per line), so a step
that floods output cannot freeze the screen. A step's output is text, never
terminal commands: escape sequences and control characters are removed
before a line is kept (colours too; see ``shared.events.terminal_text``).
Long lines wrap at the panel's width (continuations indented), so nothing
hides past the right edge; ``w`` turns wrapping off for output that reads
better unwrapped (tables), with a horizontal scrollbar instead. The wrap is
only how lines are drawn: the filter and a saved log see the lines as written.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

from rich.cells import cell_len, get_character_cell_size
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
MAX_CHARS_PER_FRAME = 20_000  # and at most about this much text: a flood of 8000-character lines wraps to many rows
CONTINUATION = "  "  # a wrapped line's continuations start indented, so a new line still reads as one


def _fitting(text: str, width: int) -> int:
    """How many characters of ``text`` fit in ``width`` cells (wide characters take two)."""
    if text.isascii():
        return min(len(text), width)
    used = 0
    for index, char in enumerate(text):
        used += get_character_cell_size(char)
        if used > width:
            return index
    return len(text)


def wrap_line(line: str, width: int) -> list[str]:
    """``line`` as rows of at most ``width`` cells: broken at a space in the row's second half, else where the
    row is full (a long word, a path, Chinese text); wide characters count twice, tabs are expanded, and
    continuation rows are indented."""
    if "\t" in line:
        line = line.expandtabs()
    if width < 1 or len(line) * 2 <= width or cell_len(line) <= width:
        return [line]
    indent = CONTINUATION if width > 4 * len(CONTINUATION) else ""
    rows: list[str] = []
    rest, room = line, width
    while True:
        cut = _fitting(rest, room)
        if cut == len(rest):
            break
        space = rest.rfind(" ", 0, cut + 1)
        if space > room // 2:
            cut = space
        cut = max(cut, 1)  # a character wider than the row still moves on
        rows.append(rest[:cut].rstrip(" "))
        rest, room = rest[cut:].lstrip(" "), width - len(indent)
    if rest:
        rows.append(rest)
    return [rows[0], *(indent + row for row in rows[1:])]


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
    LogPanel > Log { height: 1fr; scrollbar-gutter: stable; }
    LogPanel.-wrap > Log { overflow-x: hidden; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: deque[str] = deque(maxlen=MAX_LINES)
        self._backlog: deque[str] = deque(maxlen=MAX_LINES)
        self.query_text = ""
        self.wrap = True
        self._wrap_width = 0  # the width the drawn lines were wrapped at (0: not laid out yet)
        self.border_title = t("log")
        self.add_class("-wrap")

    def compose(self) -> ComposeResult:
        yield Input(placeholder=t("filter the log (Enter to apply, Escape to clear)"), id="log-filter")
        yield Log(max_lines=MAX_LINES, id="log", highlight=False)

    def on_mount(self) -> None:
        # Anchored: at the tail, the log stays there when the panel changes height (the status line above it
        # grows); scrolling up lets go until the reader is back at the bottom or a new run starts.
        self.log_widget.anchor()

    @property
    def log_widget(self) -> Log:
        return self.query_one("#log", Log)

    def _matches(self, line: str) -> bool:
        return not self.query_text or self.query_text in line.lower()

    def _width(self) -> int:
        return self.log_widget.scrollable_content_region.width

    def write_lines(self, lines: list[str]) -> None:
        """Append a batch and draw (up to a frame's worth of) it."""
        if not lines:
            return
        lines = [printable(str(line)) for line in lines]
        self.lines.extend(lines)
        self._backlog.extend(line for line in lines if self._matches(line))
        self.drain()

    def drain(self) -> None:
        """Draw queued lines, at most a frame's worth; follow the tail only if the reader is at the bottom."""
        if not self._backlog:
            return
        chunk: list[str] = []
        chars = 0
        while self._backlog and len(chunk) < MAX_LINES_PER_FRAME and (not chunk or chars < MAX_CHARS_PER_FRAME):
            chunk.append(self._backlog.popleft())
            chars += len(chunk[-1])
        log = self.log_widget
        if self.wrap:
            if not self._wrap_width:
                self._wrap_width = self._width()
            width = self._wrap_width
            chunk = [row for line in chunk for part in line.split("\n") for row in wrap_line(part, width)]
        follow = log.is_vertical_scroll_end or log.max_scroll_y == 0
        log.write("\n".join(chunk) + "\n", scroll_end=follow)

    def _redraw(self) -> int:
        """Draw every kept line again (the filter, the width or the wrap changed), a frame's worth at a time;
        returns how many lines are shown."""
        self._backlog.clear()
        self.log_widget.clear()
        self._wrap_width = self._width()
        self._backlog.extend(line for line in self.lines if self._matches(line))
        shown = len(self._backlog)
        self.drain()
        return shown

    def on_resize(self) -> None:
        self.call_after_refresh(self._rewrap_if_needed)

    def _rewrap_if_needed(self) -> None:
        if self.wrap and self.lines and self._width() != self._wrap_width:
            self._redraw()

    def toggle_wrap(self) -> bool:
        """Wrap long lines (the default) or not (scroll sideways); returns whether lines now wrap."""
        self.wrap = not self.wrap
        self.set_class(self.wrap, "-wrap")
        self._redraw()
        return self.wrap

    def follow_tail(self) -> None:
        """Back to the newest line, following it again (a new run starts: what it prints is what matters)."""
        self.log_widget.scroll_end(animate=False, immediate=True, x_axis=False)

    def clear(self) -> None:
        self.lines.clear()
        self._backlog.clear()
        self.log_widget.clear()

    def start_filter(self) -> None:
        self.add_class("filtering")
        self.query_one("#log-filter", Input).focus()

    def apply_filter(self, text: str) -> None:
        self.query_text = text.strip().lower()
        log = self.log_widget
        log.highlighter = MatchHighlighter(self.query_text)
        log.highlight = bool(self.query_text)  # only lines that match are shown; the match itself stands out
        shown = self._redraw()
        self.border_title = (
            t("log — filter: {query} ({count} lines)", query=repr(self.query_text), count=shown) if self.query_text else t("log")
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
