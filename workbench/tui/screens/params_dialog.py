"""Edit a step's parameters before running it (JSON), e.g. your own texts and labels for zero-shot.

The dialog lists what the step takes — name, type, default (from the step function's signature, read from
its source with ``ast``: the UI never imports a step) and the value it will run with — and checks the JSON
against them before it is used, so a bad value is one clear line here, not a traceback from the run.
"""

from __future__ import annotations

import json
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Label, Static, TextArea

from workbench.curriculum.step_signature import NO_DEFAULT, Parameter, parameters, value_problems
from workbench.i18n import t
from workbench.tui.translated import WorkbenchModal


def problems(params: list[Parameter] | None, value: Any, takes_any: bool = False) -> list[str]:
    """What is wrong with the dialog's JSON for these parameters (one translated line each)."""
    if not isinstance(value, dict):
        return [t("expected a JSON object of name: value, got {type}", type=type(value).__name__)]
    return [] if params is None else value_problems(params, takes_any, value)


class ParamsDialog(WorkbenchModal[dict[str, Any] | None]):
    DEFAULT_CSS = """
    ParamsDialog { align: center middle; }
    ParamsDialog > Vertical { width: 100; max-width: 100%; height: 30; max-height: 100%; border: round $accent; background: $surface; padding: 0 1; }
    ParamsDialog #params-title { width: 100%; }
    ParamsDialog #params-table { height: auto; max-height: 10; color: $text-muted; }
    ParamsDialog TextArea { height: 1fr; min-height: 4; }
    ParamsDialog #params-error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Use these params", id="params.save", priority=True),
        Binding("ctrl+r", "restore", "Defaults", id="params.defaults"),
        Binding("escape", "cancel", "Cancel", id="params.cancel"),
    ]

    def __init__(self, lesson: Any, step: Any, params: dict[str, Any]) -> None:
        super().__init__()
        self.lesson = lesson
        self.step = step
        self.params = params
        read = parameters(lesson.script_entry(step.entry))  # from the source, never imported
        self.signature: list[Parameter] | None = read[0] if read else None
        self.takes_any = read[1] if read else True

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                f"[b]{escape(self.lesson.step_title(self.step))}[/] — "
                + t("parameters as JSON for the next run (r); ctrl+s uses them, escape cancels"),
                id="params-title",
            )
            yield Static(self._table(), id="params-table")
            yield TextArea(json.dumps(self.params, indent=2, ensure_ascii=False), id="params-text", language=None)
            yield Label("", id="params-error")
            yield Footer(show_command_palette=False)

    def _table(self) -> str:
        if self.signature is None:
            return t("(the step's signature could not be read; any JSON object is passed as keyword arguments)")
        if not self.signature:  # read, and empty
            return t("this step takes any keyword arguments") if self.takes_any else t("this step takes no parameters")
        lesson_params = dict(self.step.params)
        width = max(len(p.name) for p in self.signature) + 2
        rows = [f"[b]{t('name').ljust(width)}{t('type').ljust(12)}{t('default').ljust(14)}{t('this run')}[/]"]
        for p in self.signature:
            default = lesson_params.get(p.name, p.default)
            shown_default = "—" if default is NO_DEFAULT else json.dumps(default, ensure_ascii=False)
            current = self.params.get(p.name, default)
            shown_current = "—" if current is NO_DEFAULT else json.dumps(current, ensure_ascii=False)
            rows.append(
                escape(
                    f"{p.name.ljust(width)}{(p.annotation or '?')[:11].ljust(12)}{shown_default[:13].ljust(14)}"
                    f"{shown_current[:40]}"
                )
            )
        return "\n".join(rows)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_restore(self) -> None:
        self.query_one(TextArea).text = json.dumps(dict(self.step.params), indent=2, ensure_ascii=False)

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        error = self.query_one("#params-error", Label)
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            error.update(
                escape(
                    t(
                        "not valid JSON: {message} (line {line}, column {column})",
                        message=exc.msg,
                        line=exc.lineno,
                        column=exc.colno,
                    )
                )
            )
            return
        found = problems(self.signature, value, self.takes_any)
        if found:
            error.update(escape("\n".join(found)))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
