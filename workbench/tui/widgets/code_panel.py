"""The source of the running step's entry point, read from disk (never imported), with its layer."""

from __future__ import annotations

import re
from pathlib import Path

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from shared.configs.repository import REPO_ROOT
from workbench.i18n import t


def entry_source(entry: str, root: Path = REPO_ROOT) -> tuple[Path, str, int]:
    """(repo-relative path, source text, 1-based line of the function) for 'pkg.module:function'."""
    module, function = entry.split(":")
    relative = Path(*module.split(".")).with_suffix(".py")
    if not (root / relative).exists():
        relative = Path(*module.split("."), "__init__.py")
    text = (root / relative).read_text(encoding="utf-8")
    pattern = re.compile(rf"^\s*(async\s+)?def\s+{re.escape(function)}\b")
    line = next((i for i, row in enumerate(text.splitlines(), start=1) if pattern.match(row)), 1)
    return relative, text, line


class CodePanel(Vertical):
    DEFAULT_CSS = """
    CodePanel { height: 1fr; }
    CodePanel > #code-path { height: 1; padding: 0 1; background: $boost; }
    CodePanel > VerticalScroll { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(t("select a step to see its code"), id="code-path")
        with VerticalScroll(id="code-scroll"):
            yield Static("", id="code")

    def show(self, entry: str, theme_dark: bool = True) -> str:
        try:
            relative, text, line = entry_source(entry)
        except (OSError, ValueError) as exc:
            self.query_one("#code-path", Static).update(f"cannot show {entry}: {exc}")
            return ""
        layer = relative.parts[0]
        function = entry.split(":")[1]
        self.query_one("#code-path", Static).update(f"[b]{relative}[/] · layer [b]{layer}[/] · {function}() at line {line}")
        syntax = Syntax(text, "python", line_numbers=True, highlight_lines={line},
                        theme="monokai" if theme_dark else "default", word_wrap=False)
        self.query_one("#code", Static).update(syntax)
        scroll = self.query_one("#code-scroll", VerticalScroll)
        self.call_after_refresh(scroll.scroll_to, y=max(line - 3, 0), animate=False)  # once the new source is laid out
        return str(relative)
