"""Every translation names the same {placeholders} as its English key: a renamed one raises KeyError in t()
where that text is shown (a classroom's 'queued' line did, in zh-TW)."""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

import pytest

LOCALES = sorted((Path(__file__).resolve().parents[2] / "workbench" / "locales").glob("*.toml"))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("catalogue", LOCALES, ids=lambda path: path.stem)
def test_every_translation_names_the_placeholders_of_its_key(catalogue):
    entries = tomllib.loads(catalogue.read_text(encoding="utf-8"))
    assert entries, f"{catalogue} is empty"
    wrong = {key: value for key, value in entries.items() if placeholders(key) != placeholders(value)}
    assert wrong == {}, f"{catalogue.name}: placeholders differ from the English key: {wrong}"
