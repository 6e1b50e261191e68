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
from workbench.i18n import t

NO_DEFAULT = object()
# Annotations whose values can be checked (by their base: list[str] is a list); anything else is accepted as given.
CHECKABLE: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "None": (type(None),),
    "list": (list,),
    "dict": (dict,),
}


@dataclass(frozen=True)
class Parameter:
    name: str
    annotation: str  # as written in the source, e.g. "int", "float | None"; "" when there is none
    default: Any = NO_DEFAULT  # the literal default, NO_DEFAULT when required or not a literal

    @property
    def required(self) -> bool:
        return self.default is NO_DEFAULT

    def problem(self, value: Any) -> str | None:
        """Why ``value`` does not fit this parameter's annotation (one translated line), or None."""
        names = [part.strip().split("[", 1)[0] for part in self.annotation.split("|")] if self.annotation else []
        if not names or any(name not in CHECKABLE for name in names):
            return None
        fits = any(isinstance(value, CHECKABLE[name]) for name in names)
        if fits and not (isinstance(value, bool) and "bool" not in names):
            return None
        return t(
            "{name}: expected {type}, got {value} ({got})",
            name=self.name,
            type=self.annotation,
            value=json.dumps(value, ensure_ascii=False)[:40],
            got=type(value).__name__,
        )


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


def imported_modules(tree: ast.Module) -> list[str]:
    """Every module a source imports absolutely (``import a.b``, ``from a.b import c`` → ``a.b``), once each, in order."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [name for name in names if name not in found]
    return found


def module_source(module: str, root: Path = REPO_ROOT) -> Path:
    """The file or package folder of ``a.b`` under ``root``, relative to it: ``a/b.py`` when it exists, else ``a/b``."""
    relative = Path(*module.split(".")).with_suffix(".py")
    return relative if (root / relative).is_file() else Path(*module.split("."))


def _module_file(module: str, root: Path) -> Path:
    source = root / module_source(module, root)
    return source if source.suffix == ".py" else source / "__init__.py"


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
                value = ast.unparse(default)  # shown as written, e.g. a constant's name
        annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        found.append(Parameter(arg.arg, annotation, value))
    return found, args.kwarg is not None


def value_problems(known: list[Parameter], takes_any: bool, given: dict[str, Any]) -> list[str]:
    """Unknown names and values of the wrong type in ``given``, one translated line each."""
    by_name = {p.name: p for p in known}
    problems = []
    for name, value in given.items():
        parameter = by_name.get(name)
        if parameter is None:
            if not takes_any:
                names = ", ".join(by_name) or t("nothing")
                problems.append(t("unknown parameter '{name}'; this step takes: {names}", name=name, names=names))
            continue
        why = parameter.problem(value)
        if why:
            problems.append(why)
    return problems


def parameter_problems(
    entry: str, given: dict[str, Any], step_params: dict[str, Any] | None = None, root: Path = REPO_ROOT
) -> list[str]:
    """What is wrong with ``given`` for this step: unknown names, wrong types, missing required values."""
    read = parameters(entry, root)
    if read is None:
        return []  # cannot tell without importing: the step itself will say
    known, takes_any = read
    problems = value_problems(known, takes_any, given)
    merged = {**(step_params or {}), **given}
    for parameter in known:
        if parameter.required and parameter.name not in merged:
            problems.append(
                t("parameter '{name}' is required ({type})", name=parameter.name, type=parameter.annotation or t("any value"))
            )
    return problems
