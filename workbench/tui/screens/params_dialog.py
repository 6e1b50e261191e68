"""Edit a step's parameters before running it (JSON), e.g. your own texts and labels for zero-shot."""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, TextArea
from workbench.tui.translated import WorkbenchModal


class ParamsDialog(WorkbenchModal[dict[str, Any] | None]):
    DEFAULT_CSS = """
    ParamsDialog { align: center middle; }
    ParamsDialog > Vertical { width: 90; height: 24; border: round $accent; background: $surface; padding: 0 1; }
    ParamsDialog TextArea { height: 1fr; }
    ParamsDialog #params-error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Use these params", id="params.save"),
        Binding("escape", "cancel", "Cancel", id="params.cancel"),
    ]

    def __init__(self, step_title: str, params: dict[str, Any]) -> None:
        super().__init__()
        self.step_title = step_title
        self.params = params

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]{self.step_title}[/] — parameters as JSON; ctrl+s runs with them next time, escape cancels")
            yield TextArea(json.dumps(self.params, indent=2, ensure_ascii=False), id="params-text")
            yield Label("", id="params-error")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            self.query_one("#params-error", Label).update(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
            return
        if not isinstance(value, dict):
            self.query_one("#params-error", Label).update(f"expected a JSON object of name: value, got {type(value).__name__}")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
