"""The source of the running step: the lesson script, or the layer code it calls; read from disk (never imported)."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from shared.configs.repository import REPO_ROOT
from workbench.curriculum.step_signature import step_source
from workbench.i18n import t


def entry_source(entry: str, root: Path = REPO_ROOT) -> tuple[Path, str, int, Path | None]:
    """(path to show, source text, 1-based line of the function, the lesson script that called it or None)."""
    found = step_source(entry, root)

    def shown(path: Path) -> Path:
        return path.relative_to(root) if path.is_absolute() and path.is_relative_to(root) else path

    return shown(found.path), found.text, found.line, shown(found.via) if found.via else None


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
            relative, text, line, via = entry_source(entry)
        except (OSError, ValueError) as exc:
            self.query_one("#code-path", Static).update(escape(t("cannot show {entry}: {problem}", entry=entry, problem=exc)))
            return ""
        function = entry.rpartition(":")[2]
        where = (
            t("lesson script [b]{path}[/]", path=escape(str(relative)))
            if relative.parts[0] == "lessons"
            else t("[b]{path}[/] · layer [b]{layer}[/]", path=escape(str(relative)), layer=relative.parts[0])
        )
        called = f"{escape(str(via))} → " if via else ""
        self.query_one("#code-path", Static).update(
            f"{called}{where} · " + t("{function}() at line {line}", function=function, line=line)
        )
        syntax = Syntax(
            text,
            "python",
            line_numbers=True,
            highlight_lines={line},
            theme="monokai" if theme_dark else "default",
            word_wrap=False,
        )
        self.query_one("#code", Static).update(syntax)
        scroll = self.query_one("#code-scroll", VerticalScroll)
        self.call_after_refresh(scroll.scroll_to, y=max(line - 3, 0), animate=False)  # once the new source is laid out
        return str(relative)
