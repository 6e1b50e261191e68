"""Edit a step's parameters before running it (JSON), e.g. your own texts and labels for zero-shot.

The dialog lists what the step takes — name, type, default (from the step function's signature, read from
its source with ``ast``: the UI never imports a step) and the value it will run with — and checks the JSON
against them before it is used, so a bad value is one clear line here, not a traceback from the run.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Label, Static, TextArea

from shared.configs.repository import REPO_ROOT
from workbench.i18n import t
from workbench.tui.translated import WorkbenchModal

NO_DEFAULT = object()
TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,), "float": (int, float), "str": (str,), "bool": (bool,),
    "list": (list,), "dict": (dict,),
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # the annotation as written ("int", "list[str]", "" when none)
    default: Any = NO_DEFAULT

    def check(self, value: Any) -> str | None:
        """None when ``value`` suits the parameter, else what was expected and what was given."""
        base = self.type.split("[", 1)[0].split("|", 1)[0].strip()
        allowed = TYPES.get(base)
        if allowed is None or value is None and "None" in self.type:
            return None
        if isinstance(value, bool) and base != "bool" or not isinstance(value, allowed):
            return t("{name}: expected {type}, got {value} ({got})", name=self.name, type=self.type,
                     value=json.dumps(value, ensure_ascii=False)[:40], got=type(value).__name__)
        return None


def _function_node(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    return next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name), None)


def _imported_module(tree: ast.Module, name: str) -> str | None:
    for node in tree.body:
        if (isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                and any((alias.asname or alias.name) == name for alias in node.names)):
            return node.module
    return None


def step_signature(script: Path, function: str, root: Path = REPO_ROOT) -> list[Param] | None:
    """The parameters of ``function`` in a lesson script (following one ``from layer.module import function``)."""
    try:
        tree = ast.parse(script.read_text(encoding="utf-8"))
        node = _function_node(tree, function)
        if node is None:
            module = _imported_module(tree, function)
            if module is None:
                return None
            path = root / Path(*module.split(".")).with_suffix(".py")
            if not path.exists():
                path = root / Path(*module.split("."), "__init__.py")
            node = _function_node(ast.parse(path.read_text(encoding="utf-8")), function)
            if node is None:
                return None
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    args = node.args
    if args.kwarg is not None:
        return None  # takes **kwargs: anything goes
    positional = [*args.posonlyargs, *args.args]
    defaults: list[Any] = [NO_DEFAULT] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params = []
    for arg, default in [*zip(positional, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]:
        if default is not NO_DEFAULT and default is not None:
            try:
                default = ast.literal_eval(default)
            except ValueError:
                default = ast.unparse(default)
        elif default is None:
            default = NO_DEFAULT
        annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        params.append(Param(arg.arg, annotation, default))
    return params


def problems(params: list[Param] | None, value: Any, takes_any: bool = False) -> list[str]:
    if not isinstance(value, dict):
        return [t("expected a JSON object of name: value, got {type}", type=type(value).__name__)]
    if params is None:
        return []
    known = {p.name: p for p in params}
    found = []
    for name, given in value.items():
        param = known.get(name)
        if param is None:
            if not takes_any:
                found.append(t("unknown parameter '{name}'; this step takes: {names}", name=name,
                               names=", ".join(known) or t("nothing")))
            continue
        problem = param.check(given)
        if problem:
            found.append(problem)
    return found


class ParamsDialog(WorkbenchModal[dict[str, Any] | None]):
    DEFAULT_CSS = """
    ParamsDialog { align: center middle; }
    ParamsDialog > Vertical { width: 100; max-width: 100%; height: 30; max-height: 100%; border: round $accent; background: $surface; padding: 0 1; }
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
        script, _, function = step.entry.partition(":")
        self.signature = step_signature(lesson.folder / script, function)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]{escape(self.lesson.step_title(self.step))}[/] — "
                        + t("parameters as JSON; ctrl+s uses them for the next run (r), escape cancels"))
            yield Static(self._table(), id="params-table")
            yield TextArea(json.dumps(self.params, indent=2, ensure_ascii=False), id="params-text", language=None)
            yield Label("", id="params-error")
            yield Footer(show_command_palette=False)

    def _table(self) -> str:
        if not self.signature:
            return t("(the step's signature could not be read; any JSON object is passed as keyword arguments)")
        lesson_params = dict(self.step.params)
        width = max(len(p.name) for p in self.signature) + 2
        rows = [f"[b]{t('name').ljust(width)}{t('type').ljust(12)}{t('default').ljust(14)}{t('this run')}[/]"]
        for p in self.signature:
            default = lesson_params.get(p.name, p.default)
            shown_default = "—" if default is NO_DEFAULT else json.dumps(default, ensure_ascii=False)
            current = self.params.get(p.name, default)
            shown_current = "—" if current is NO_DEFAULT else json.dumps(current, ensure_ascii=False)
            rows.append(escape(f"{p.name.ljust(width)}{(p.type or '?')[:11].ljust(12)}{shown_default[:13].ljust(14)}"
                               f"{shown_current[:40]}"))
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
            error.update(escape(t("not valid JSON: {message} (line {line}, column {column})",
                                  message=exc.msg, line=exc.lineno, column=exc.colno)))
            return
        found = problems(self.signature, value)
        if found:
            error.update(escape("\n".join(found)))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
