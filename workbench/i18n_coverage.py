"""Which UI strings have no translation, and which user-visible strings bypass the catalogue.

- every ``t("...")`` in the workbench's source (read with ``ast``: a string split over lines counts whole), every
  key binding's description, and the words shown through ``t(variable)`` (states, verdict marks, layer names,
  column headings) must be in the catalogue;
- every string literal the screens show to a learner without ``t()`` — a notification, a label, a status line,
  a log line the app writes, a placeholder, a title — is reported with its file and line, so a new English
  message cannot slip past `mlops-workbench lessons check`. A line whose text is deliberately not translated
  (a shell command, a protocol name) says so with a ``# i18n: not translated`` comment.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from workbench import i18n

SOURCE = Path(__file__).parent
UI_SOURCE = SOURCE / "tui"  # the screens: every literal they show goes through the catalogue
EXEMPT = "# i18n: not translated"
# Calls whose (first) argument a learner reads, and keyword arguments a learner reads.
SHOWN_CALLS = {
    "notify",
    "update",
    "Label",
    "Static",
    "Button",
    "TabPane",
    "Markdown",
    "write_line",
    "write_lines",
    "queue_line",
    "title",
    "xlabel",
    "ylabel",
    "add_column",
    "Input",
}
SHOWN_KEYWORDS = {"title", "placeholder", "label", "message"}
SHOWN_ATTRIBUTES = {"border_title", "border_subtitle", "title", "sub_title", "label", "tooltip"}
MARKUP = re.compile(r"\[/?[a-z#@ =._0-9-]*\]")
WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass(frozen=True)
class Literal:
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(SOURCE.parent)}:{self.line}: {self.text!r} is shown without t()"


def _is_t_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"


def _source_files(root: Path = SOURCE) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.name != "i18n_coverage.py")


def source_msgids() -> set[str]:
    """Every ``t("literal")`` and every ``Binding(key, action, "description")`` in the workbench."""
    found: set[str] = set()
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            first = node.args[0] if node.args else None
            if _is_t_call(node) and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
            elif isinstance(node.func, ast.Name) and node.func.id == "Binding" and len(node.args) >= 3:
                description = node.args[2]
                if isinstance(description, ast.Constant) and isinstance(description.value, str):
                    found.add(description.value)
    return found


def _english(node: ast.AST) -> str | None:
    """The English a string or f-string literal shows (its fixed parts), or None when it shows no words."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        fixed = node.value
    elif isinstance(node, ast.JoinedStr):
        fixed = " ".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "a" + t("b") + "c"
        parts = [_english(node.left), _english(node.right)]
        words = [p for p in parts if p]
        return " … ".join(words) if words else None
    elif isinstance(node, (ast.List, ast.Tuple)):
        words = [w for w in (_english(e) for e in node.elts) if w]
        return " / ".join(words) if words else None
    elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "escape" and node.args:
        return _english(node.args[0])  # escape(f"...") shows the f-string
    elif isinstance(node, ast.IfExp):
        words = [w for w in (_english(node.body), _english(node.orelse)) if w]
        return " / ".join(words) if words else None
    else:
        return None
    return fixed.strip() if WORD.search(MARKUP.sub(" ", fixed)) else None


def unwrapped_literals(root: Path = UI_SOURCE) -> list[Literal]:
    """User-visible strings in the screens' code that do not go through ``t()``."""
    found: list[Literal] = []
    for path in _source_files(root):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()

        def report(node: ast.expr, text: str, path: Path = path, lines: list[str] = lines) -> None:
            end = node.end_lineno or node.lineno
            if any(EXEMPT in lines[i - 1] for i in range(node.lineno, end + 1)):
                return
            found.append(Literal(path, node.lineno, text))

        for node in ast.walk(ast.parse(source)):
            shown: list[ast.expr] = []
            if isinstance(node, ast.Call) and not _is_t_call(node):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in SHOWN_CALLS and node.args:
                    shown.append(node.args[0])
                shown += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
            elif isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Attribute) and target.attr in SHOWN_ATTRIBUTES for target in node.targets
            ):
                shown.append(node.value)
            for value in shown:
                text = _english(value)
                if text is not None:
                    report(value, text)
    return found


def dynamic_msgids() -> set[str]:
    from shared.constants import LAYERS
    from shared.utils.gpu_utils.verdicts import TEXTS
    from workbench.headless.renderers import MARK
    from workbench.tui.gpu_view import DEVICE_COLUMNS
    from workbench.tui.lesson_states import ICONS, LEGEND
    from workbench.tui.runs_table import STATUS_WORDS
    from workbench.tui.screens.home_screen import LAYER_ROLES
    from workbench.tui.screens.runs_screen import COLUMNS

    roles = {text for pair in LAYER_ROLES.values() for text in pair}
    # The GPU verdicts' templates (shown through t(template, **values)); one that is only a {value} has no words.
    verdicts = {text for texts in TEXTS.values() for text in texts if WORD.search(re.sub(r"\{\w+\}", " ", text))}
    legend = {meaning for _, meaning in LEGEND}
    help_texts = _help_texts()
    return (
        set(ICONS)
        | set(MARK.values())
        | set(LAYERS)
        | roles
        | verdicts
        | legend
        | help_texts
        | {"kind", "path", "description", "palette"}
        | {c for c in COLUMNS if c.isalpha()}
        | {title for title, _ in DEVICE_COLUMNS if WORD.search(title)}
        | set(STATUS_WORDS.values())
    )


def _help_texts() -> set[str]:
    """The help screen's heading and paragraph of every screen (class attributes HELP_TITLE and HELP)."""
    from workbench.tui.screens.help_screen import NAVIGATION, PALETTE

    found = {meaning for _, meaning in NAVIGATION} | {PALETTE}
    for path in _source_files(UI_SOURCE):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id in ("HELP", "HELP_TITLE") for t in node.targets)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                and node.value.value
            ):
                found.add(node.value.value)
    return found


def missing(lang: str) -> list[str]:
    """Strings the catalogue of ``lang`` lacks, then literals shown without ``t()`` (each with its file and line)."""
    catalogue = i18n.catalogue(lang)
    untranslated = sorted(text for text in source_msgids() | dynamic_msgids() if text not in catalogue)
    return untranslated + [str(literal) for literal in unwrapped_literals()]
