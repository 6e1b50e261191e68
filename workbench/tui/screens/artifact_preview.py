"""Enter on an artifact: what the step produced, readable in place.

JSON is pretty-printed, and a confusion matrix in it is drawn as a table; Markdown is rendered; text is shown
as it is (the first lines of a long file); an image, a model in the store or anything that is not a local text
file is named with its path so it can be opened elsewhere. The description is shown whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Label, Markdown, Static

from workbench.i18n import t
from workbench.tui.translated import WorkbenchModal

MAX_BYTES = 512 * 1024
MAX_LINES = 400
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp"}


def confusion_matrix(data: Any) -> tuple[list[str], list[list[Any]]] | None:
    """(labels, rows) of a confusion matrix found in a report: {'labels': [...], 'matrix': [...]}, a
    'confusion_matrix' entry (rows, or that same shape), or the report itself as a square list of number rows."""
    found = data.get("confusion_matrix", data.get("matrix")) if isinstance(data, dict) else data
    labels: list[str] = []
    if isinstance(found, dict):
        labels = [str(label) for label in found.get("labels", [])]
        found = found.get("matrix")
    if isinstance(data, dict) and not labels:
        labels = [str(label) for label in data.get("labels", data.get("classes", [])) or []]
    if not (isinstance(found, list) and found and all(isinstance(row, list) and len(row) == len(found) for row in found)):
        return None
    if not all(isinstance(value, (int, float)) for row in found for value in row):
        return None
    if len(labels) != len(found):
        labels = [str(i) for i in range(len(found))]
    return labels, found


def matrix_table(labels: list[str], rows: list[list[Any]]) -> Table:
    table = Table(title=t("confusion matrix (rows: true class, columns: predicted)"), title_justify="left")
    table.add_column("")
    for label in labels:
        table.add_column(label, justify="right")
    for number, (label, row) in enumerate(zip(labels, rows, strict=True)):
        table.add_row(label, *(f"[b]{v}[/]" if i == number else str(v) for i, v in enumerate(row)))
    return table


class ArtifactPreview(WorkbenchModal[None]):
    DEFAULT_CSS = """
    ArtifactPreview { align: center middle; }
    ArtifactPreview > Vertical { width: 90%; height: 90%; border: round $accent; background: $surface; padding: 0 1; }
    ArtifactPreview #artifact-head { height: auto; }
    ArtifactPreview VerticalScroll { height: 1fr; }
    """
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="artifact.close")]

    def __init__(self, kind: str, path: str, description: str) -> None:
        super().__init__()
        self.kind = kind
        self.path = path
        self.description = description

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]{escape(self.kind)}[/] {escape(self.path)}\n{escape(self.description)}", id="artifact-head")
            with VerticalScroll(id="artifact-body"):
                yield from self._body()
            yield Footer(show_command_palette=False)

    def _body(self) -> ComposeResult:
        path = Path(self.path)
        if path.suffix.lower() in IMAGE_SUFFIXES:
            yield Static(t("an image: open {path} in an image viewer", path=escape(self.path)), id="artifact-content")
            return
        if not path.is_file():
            yield Static(
                t("not a file on this machine (a model in the store, a URI): {path}", path=escape(self.path)),
                id="artifact-content",
            )
            return
        try:
            raw = path.read_bytes()[:MAX_BYTES]
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            yield Static(
                t("cannot show it as text ({problem}): {path}", problem=escape(str(exc)), path=escape(self.path)),
                id="artifact-content",
            )
            return
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            if data is not None:
                matrix = confusion_matrix(data)
                if matrix is not None:
                    yield Static(matrix_table(*matrix), id="artifact-matrix")
                yield Static(escape(json.dumps(data, indent=2, ensure_ascii=False)), id="artifact-content")
                return
        if path.suffix.lower() in (".md", ".markdown"):
            yield Markdown(text, id="artifact-content")
            return
        lines = text.splitlines()
        shown = "\n".join(lines[:MAX_LINES])
        if len(lines) > MAX_LINES:
            shown += "\n" + t("… {count} more lines: {path}", count=len(lines) - MAX_LINES, path=self.path)
        yield Static(escape(shown), id="artifact-content")

    def action_close(self) -> None:
        self.dismiss(None)
