"""Which UI strings have no translation: every ``t("...")`` in the workbench's source, every key binding's
description, and the words shown through ``t(variable)`` (states, verdict marks, layer names).

`mlops-workbench lessons check` lists them, so the catalogue never silently falls behind the code.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench import i18n

SOURCE = Path(__file__).parent
CALL = re.compile(r"""\bt\(\s*(?P<q>["'])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)""")
VERDICT = re.compile(r'Verdict\(\s*"\w+",\s*"(?P<text>[^"]+)"')  # fixed titles (f-string titles stay English)
BINDING = re.compile(r"""Binding\(\s*"[^"]*",\s*"[^"]*",\s*"(?P<text>[^"]*)\"""")


def _unescape(text: str) -> str:
    return text.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8") if "\\" in text else text


def source_msgids() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if path.name == "i18n_coverage.py":
            continue
        code = path.read_text(encoding="utf-8")
        found.update(_unescape(m["text"]) for m in CALL.finditer(code))
        found.update(m["text"] for m in BINDING.finditer(code))
    return found


def dynamic_msgids() -> set[str]:
    from shared.constants import LAYERS
    from workbench.headless.renderers import MARK
    from workbench.tui.lesson_states import ICONS
    from workbench.tui.screens.home_screen import LAYER_ROLES

    roles = {text for pair in LAYER_ROLES.values() for text in pair}
    verdicts_source = (SOURCE.parent / "shared" / "utils" / "gpu_utils" / "verdicts.py").read_text(encoding="utf-8")
    verdicts = {m["text"] for m in VERDICT.finditer(verdicts_source)}
    return set(ICONS) | set(MARK.values()) | set(LAYERS) | roles | verdicts | {"kind", "path", "description"}


def missing(lang: str) -> list[str]:
    catalogue = i18n.catalogue(lang)
    return sorted(text for text in source_msgids() | dynamic_msgids() if text not in catalogue)
