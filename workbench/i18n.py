"""The UI's language: English, or Traditional Chinese (Taiwan).

Chosen by ``--lang en|zh-TW`` on any command; without it, by ``WORKBENCH_LANG``,
then the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``zh_TW.UTF-8`` or
``zh_Hant`` mean zh-TW); in the app, ``ctrl+l`` switches and remembers it in
``<home>/settings.json``.

Strings are looked up by their English text (as gettext does) in
``workbench/locales/<lang>.toml``; a string with no translation is shown in
English, never as a key or an error.

    t("{passed}/{total} lessons passed", passed=3, total=4)
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

ENGLISH = "en"
ZH_TW = "zh-TW"
LANGUAGES = (ENGLISH, ZH_TW)
LANGUAGE_NAMES = {ENGLISH: "English", ZH_TW: "繁體中文（台灣）"}
ENV_LANG = "WORKBENCH_LANG"
LOCALES_DIR = Path(__file__).with_name("locales")

_current = ENGLISH
_explicit = False  # chosen with --lang (beats the app's saved setting)


class UnknownLanguage(ValueError):
    pass


def normalise(value: str) -> str:
    """'zh-TW', 'zh_TW', 'zh_TW.UTF-8', 'zh-Hant' -> 'zh-TW'; 'en', 'en_US.UTF-8', 'C' -> 'en'. Unknown: UnknownLanguage."""
    raw = value.strip().split(".", 1)[0].split("@", 1)[0].replace("_", "-").lower()
    if raw in ("zh-tw", "zh-hant", "zh-hant-tw", "zh-hk", "zh-hant-hk", "zh-mo"):
        return ZH_TW
    if raw in ("en", "c", "posix") or raw.startswith("en-"):
        return ENGLISH
    raise UnknownLanguage(f"unknown language '{value}'; expected one of: {', '.join(LANGUAGES)}")


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for; English when it asks for nothing this app speaks."""
    environ = os.environ if environ is None else environ
    for name in (ENV_LANG, "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            try:
                return normalise(value)
            except UnknownLanguage:
                return ENGLISH  # the first locale variable set decides, as in POSIX
    return ENGLISH


def set_language(language: str, explicit: bool = False) -> str:
    global _current, _explicit
    _current = normalise(language)
    _explicit = explicit
    os.environ[ENV_LANG] = _current  # child processes (steps, queries) speak the same language
    return _current


def language() -> str:
    return _current


def chosen_explicitly() -> bool:
    return _explicit


@cache
def catalogue(lang: str) -> dict[str, str]:
    if lang == ENGLISH:
        return {}
    path = LOCALES_DIR / f"{lang}.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def t(text: str, /, **values: object) -> str:
    """``text`` in the current language (English when untranslated), with ``{name}`` fields filled in."""
    translated = catalogue(_current).get(text, text) if _current != ENGLISH else text
    return translated.format(**values) if values else translated
