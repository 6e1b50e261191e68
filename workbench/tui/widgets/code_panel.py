"""The source of the running step: the lesson script, or the layer code it calls; read from disk (never imported)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rich.markup import escape
from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from shared.configs.repository import REPO_ROOT
from workbench.i18n import t


def _function_line(text: str, function: str) -> int | None:
    pattern = re.compile(rf"^\s*(async\s+)?def\s+{re.escape(function)}\b")
    return next((i for i, row in enumerate(text.splitlines(), start=1) if pattern.match(row)), None)


def _imported_from(text: str, name: str) -> str | None:
    """The module a lesson script imports ``name`` from (``from application.x import name``), if it does."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if any((alias.asname or alias.name) == name for alias in node.names):
                return node.module
    return None


def _module_file(module: str, root: Path) -> Path:
    relative = Path(*module.split(".")).with_suffix(".py")
    return relative if (root / relative).exists() else Path(*module.split("."), "__init__.py")


def _shown(path: Path, root: Path) -> Path:
    return path.relative_to(root) if path.is_absolute() and path.is_relative_to(root) else path


def entry_source(entry: str, root: Path = REPO_ROOT) -> tuple[Path, str, int, Path | None]:
    """(path to show, source text, 1-based line of the function, the lesson script that called it or None).

    ``entry`` is ``/…/lessons/<NNN-id>/steps.py:function`` (a lesson script) or ``package.module:function``.
    A lesson script that imports its step from a layer module (``from application.training.iris_training
    import train``) shows that layer module: the code that really runs.
    """
    target, _, function = entry.rpartition(":")
    script: Path | None = None
    if target.endswith(".py"):
        script = Path(target)
        text = script.read_text(encoding="utf-8")
        line = _function_line(text, function)
        if line is not None:
            return _shown(script, root), text, line, None
        module = _imported_from(text, function)
        if module is None:
            return _shown(script, root), text, 1, None
        target = module
    relative = _module_file(target, root)
    text = (root / relative).read_text(encoding="utf-8")
    return relative, text, _function_line(text, function) or 1, _shown(script, root) if script else None


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
            self.query_one("#code-path", Static).update(escape(f"cannot show {entry}: {exc}"))
            return ""
        function = entry.rpartition(":")[2]
        where = f"lesson script [b]{escape(str(relative))}[/]" if relative.parts[0] == "lessons" else \
            f"[b]{escape(str(relative))}[/] · layer [b]{relative.parts[0]}[/]"
        called = f"{escape(str(via))} → " if via else ""
        self.query_one("#code-path", Static).update(f"{called}{where} · {function}() at line {line}")
        syntax = Syntax(text, "python", line_numbers=True, highlight_lines={line},
                        theme="monokai" if theme_dark else "default", word_wrap=False)
        self.query_one("#code", Static).update(syntax)
        scroll = self.query_one("#code-scroll", VerticalScroll)
        self.call_after_refresh(scroll.scroll_to, y=max(line - 3, 0), animate=False)  # once the new source is laid out
        return str(relative)
