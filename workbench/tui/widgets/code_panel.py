"""The source of the running step: the lesson script, or the layer code it calls; read from disk (never imported)."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from rich.markup import escape
from rich.syntax import Syntax
from rich.text import Text
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


MAX_ROWS = 3  # the header's height at most (code-path's max-height)


def cut_left(path: str, width: int) -> str:
    """``path`` in at most ``width`` cells, cut from the left so that the file's name stays ("…/dir/file.py")."""
    if cell_len(path) <= width:
        return path
    kept = path
    while kept and cell_len(kept) + 1 > width:
        kept = kept[1:]
    return "…" + kept


class CodeHeader(Static):
    """What the code below is: the file shown (whole, or cut from the left) and, for layer code, the lesson
    script that calls it, on a line of its own."""

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(text, id=id)
        self.parts: tuple[str, str, str | None] | None = None  # (shown path, layer or "", calling script or None)
        self.where = ""  # the function and its line

    def show(self, path: str, layer: str, where: str, via: str | None) -> None:
        self.parts, self.where = (path, layer, via), where
        self.update(self._markup())

    def _markup(self) -> str:
        """The longest form whose every line fits the width: with the layer and the function, then without them,
        then the paths cut from the left (the file's name kept)."""
        if self.parts is None:
            return str(self.content)
        path, layer, via = self.parts
        width = self.content_region.width or 10_000
        script = (lambda p: t("lesson script [b]{path}[/]", path=escape(p))) if not layer else None
        forms = []
        for cut in (False, True):
            shown = cut_left(path, width - 20 if script else width) if cut else path
            first = script(shown) if script else t("[b]{path}[/] · layer [b]{layer}[/]", path=escape(shown), layer=layer)
            plain = script(shown) if script else f"[b]{escape(shown)}[/]"
            calls = ""
            if via:
                calls = "\n← " + t("lesson script [b]{path}[/]", path=escape(cut_left(via, width - 18)))
            if cell_len(shown) <= width or cut:  # a path longer than the row would be broken: cut it instead
                forms += [f"{first} · {self.where}{calls}", f"{plain} · {self.where}{calls}", f"{plain}{calls}"]

        def fits(form: str) -> bool:  # whole in the header's rows, the calling script on one row
            text = Text.from_markup(form)
            script_whole = all(cell_len(line) <= width for line in text.plain.splitlines()[1:])
            return script_whole and len(text.wrap(self.app.console, width)) <= MAX_ROWS

        return next((form for form in forms if fits(form)), forms[-1])

    def on_resize(self) -> None:
        if self.parts is not None:
            self.update(self._markup())


class CodePanel(Vertical):
    DEFAULT_CSS = """
    CodePanel { height: 1fr; }
    CodePanel > #code-path { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    CodePanel > VerticalScroll { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield CodeHeader(t("select a step to see its code"), id="code-path")
        with VerticalScroll(id="code-scroll"):
            yield Static("", id="code")

    def show(self, entry: str, theme_dark: bool = True) -> str:
        header = self.query_one(CodeHeader)
        try:
            relative, text, line, via = entry_source(entry)
        except (OSError, ValueError) as exc:
            header.parts = None
            header.update(escape(t("cannot show {entry}: {problem}", entry=entry, problem=exc)))
            return ""
        function = entry.rpartition(":")[2]
        script = entry.rpartition(":")[0].endswith(".py") and via is None  # the lesson's own file, wherever it lives
        layer = "" if script or relative.is_absolute() else relative.parts[0]
        where = t("{function}() at line {line}", function=function, line=line)
        header.show(str(relative), layer, where, str(via) if via else None)
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
