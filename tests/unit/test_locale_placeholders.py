"""Every translation names the same {placeholders} as its English key: a renamed one raises KeyError in t()
where that text is shown. A call may offer a translation more than the English uses (ALSO_OFFERED)."""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

import pytest

LOCALES = sorted((Path(__file__).resolve().parents[2] / "workbench" / "locales").glob("*.toml"))


# Placeholders a call offers beyond its English key (workbench/classroom/step_queue.py: English says "3rd",
# Chinese says 第 3 位 and takes the plain number).
ALSO_OFFERED = {"queued: {place} in line ({max_running} steps run at once in this class)": {"number"}}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("catalogue", LOCALES, ids=lambda path: path.stem)
def test_every_translation_names_the_placeholders_of_its_key(catalogue):
    entries = tomllib.loads(catalogue.read_text(encoding="utf-8"))
    assert entries, f"{catalogue} is empty"
    wrong = {
        key: value
        for key, value in entries.items()
        if (placeholders(value) != placeholders(key) and key not in ALSO_OFFERED)
        or not placeholders(value) <= placeholders(key) | ALSO_OFFERED.get(key, set())
    }
    assert wrong == {}, f"{catalogue.name}: placeholders differ from the English key: {wrong}"
