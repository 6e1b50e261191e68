"""A step's parameters read from its source (never imported: the UI process must not load ML frameworks).

``steps.py:train`` is found in the lesson script, or — when the script imports
it (``from application.training.iris_training import train``) — in the layer
module it comes from. The same answer serves the headless ``--param`` check
(exit 2 before anything runs), the TUI's parameters dialog and the code panel.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.configs.repository import REPO_ROOT

NO_DEFAULT = object()
# Annotations whose values can be checked; anything else (Path, list[str], a class) is accepted as given.
CHECKABLE = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,), "None": (type(None),)}


@dataclass(frozen=True)
class Parameter:
    name: str
    annotation: str  # as written in the source, e.g. "int", "float | None"; "" when there is none
    default: Any = NO_DEFAULT  # the literal default, NO_DEFAULT when required or not a literal

    @property
    def required(self) -> bool:
        return self.default is NO_DEFAULT

    def problem(self, value: Any) -> str | None:
        """Why ``value`` does not fit this parameter's annotation, or None."""
        names = [part.strip() for part in self.annotation.split("|")] if self.annotation else []
        if not names or any(name not in CHECKABLE for name in names):
            return None
        if isinstance(value, bool) and "bool" not in names:
            return f"expected {self.annotation}, got {json.dumps(value)}"
        if any(isinstance(value, CHECKABLE[name]) for name in names):
            return None
        return f"expected {self.annotation}, got {json.dumps(value) if not isinstance(value, str) else repr(value)}"


@dataclass(frozen=True)
class StepSource:
    path: Path  # the file that defines the function
    text: str
    line: int  # 1-based line of its ``def`` (1 when not found)
    via: Path | None  # the lesson script that imports it, when the function lives in a layer module
    node: ast.FunctionDef | ast.AsyncFunctionDef | None


def _function(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    return next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name), None)


def _imported_from(tree: ast.Module, name: str) -> str | None:
    for node in tree.body:
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and any((alias.asname or alias.name) == name for alias in node.names)
        ):
            return node.module
    return None


def _module_file(module: str, root: Path) -> Path:
    relative = Path(*module.split(".")).with_suffix(".py")
    return root / (relative if (root / relative).exists() else Path(*module.split("."), "__init__.py"))


def step_source(entry: str, root: Path = REPO_ROOT) -> StepSource:
    """Where ``/…/steps.py:function`` (or ``package.module:function``) is defined, following one re-export."""
    target, _, function = entry.rpartition(":")
    via: Path | None = None
    path = Path(target) if target.endswith(".py") else _module_file(target, root)
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    node = _function(tree, function)
    if node is None and target.endswith(".py") and (module := _imported_from(tree, function)):
        via, path = path, _module_file(module, root)
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        node = _function(tree, function)
    return StepSource(path, text, node.lineno if node else 1, via, node)


def parameters(entry: str, root: Path = REPO_ROOT) -> tuple[list[Parameter], bool] | None:
    """(the function's parameters, whether it takes ``**kwargs``), or None when its source cannot be read."""
    try:
        node = step_source(entry, root).node
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    if node is None:
        return None
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[Any] = [NO_DEFAULT] * (len(positional) - len(args.defaults)) + list(args.defaults)
    found = []
    for arg, default in [*zip(positional, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]:
        value: Any = NO_DEFAULT
        if isinstance(default, ast.AST):
            try:
                value = ast.literal_eval(default)
            except ValueError:
                value = NO_DEFAULT if default is None else "…"
        annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        found.append(Parameter(arg.arg, annotation, value))
    return found, args.kwarg is not None


def parameter_problems(
    entry: str, given: dict[str, Any], step_params: dict[str, Any] | None = None, root: Path = REPO_ROOT
) -> list[str]:
    """What is wrong with ``given`` for this step: unknown names, values of the wrong type, one line each."""
    read = parameters(entry, root)
    if read is None:
        return []  # cannot tell without importing: the step itself will say
    known, takes_any = read
    by_name = {p.name: p for p in known}
    problems = []
    for name, value in given.items():
        parameter = by_name.get(name)
        if parameter is None:
            if not takes_any:
                allowed = ", ".join(p.name for p in known) or "(none)"
                problems.append(f"unknown parameter '{name}'; this step takes: {allowed}")
            continue
        why = parameter.problem(value)
        if why:
            problems.append(f"parameter '{name}': {why}")
    merged = {**(step_params or {}), **given}
    for parameter in known:
        if parameter.required and parameter.name not in merged and parameter.name not in ("self",):
            problems.append(f"parameter '{parameter.name}' is required ({parameter.annotation or 'any value'})")
    return problems
