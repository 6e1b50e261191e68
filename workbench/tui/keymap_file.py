"""``<home>/keymap.toml``: the learner's own keys, checked entry by entry before they are applied.

    "lesson.run_step" = "f5"          # binding id = key (or "f5,ctrl+r" for two keys)

An entry is ignored, with one warning naming it, when its id is not a binding
of this app, when a key is not a key name, or when its key already does
something else on a screen where the binding lives (Textual would otherwise
drop the other binding silently — the footer then loses e.g. Cancel). The
rest of the file still applies; a file that is not TOML (or a folder) is
ignored as a whole with one warning.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}


@dataclass(frozen=True)
class BindingInfo:
    id: str | None
    keys: tuple[str, ...]
    description: str


def _split(keys: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in keys.split(",") if k.strip())


def _normal(key: str) -> str:
    """One spelling per key: '?' and 'question_mark' are the same key."""
    from textual.keys import _character_to_key

    *mods, base = key.split("+")
    if len(base) == 1:
        base = _character_to_key(base)
    return "+".join([*sorted(mods), base])


def valid_key(key: str) -> bool:
    from textual.keys import Keys

    if not key or key != key.strip():
        return False
    *mods, base = key.split("+")
    if any(m not in MODIFIERS for m in mods) or not base:
        return False
    if len(base) == 1:
        return base.isprintable()
    if base in {k.value for k in Keys} or base in ("space", "tab", "enter", "escape", "backspace", "delete"):
        return True
    try:
        unicodedata.lookup(base.replace("_", " ").upper())  # 'question_mark', 'full_stop', 'slash'...
        return True
    except KeyError:
        return False


def binding_scopes() -> dict[str, list[BindingInfo]]:
    """Screen name -> the bindings active there (the app's plus the screen's). Imports every screen module."""
    from textual.screen import Screen

    from workbench.tui import app as app_module
    from workbench.tui import screens

    def infos(cls: type) -> list[BindingInfo]:
        found = []
        for binding in getattr(cls, "BINDINGS", []):
            if isinstance(binding, tuple):
                found.append(BindingInfo(None, _split(binding[0]), binding[-1] if len(binding) > 2 else ""))
            else:
                found.append(BindingInfo(binding.id, _split(binding.key), binding.description))
        return found

    app_bindings = infos(app_module.WorkbenchApp)
    scopes: dict[str, list[BindingInfo]] = {"app": list(app_bindings)}
    for module_info in pkgutil.iter_modules(screens.__path__):
        try:
            module = importlib.import_module(f"{screens.__name__}.{module_info.name}")
        except Exception:  # a screen that cannot be imported cannot use the keymap either
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == module.__name__ and "BINDINGS" in vars(cls):
                scopes[cls.__name__] = app_bindings + infos(cls)
    return scopes


def read_keymap(path: Path) -> tuple[dict[str, str], list[str]]:
    """The file's entries (id -> keys) and the problems that make the whole file unusable."""
    if not path.exists():
        return {}, []
    try:
        if path.is_dir():
            raise ValueError("a folder is in its place")
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return {}, [f"{path}: ignored ({reason})"]
    entries: dict[str, str] = {}
    problems: list[str] = []

    def take(key: str, value: object) -> None:
        if isinstance(value, str):
            entries[key] = value
        elif isinstance(value, dict):  # TOML's dotted keys: lesson.run_step = "f5" (unquoted) is {"lesson": {...}}
            for inner, inner_value in value.items():
                take(f"{key}.{inner}", inner_value)
        else:
            problems.append(f"{path}: '{key}' ignored: the value must be a key name such as \"f5\", not {type(value).__name__}")

    for key, value in raw.items():
        take(key, value)
    return entries, problems


def checked_keymap(
    entries: dict[str, str], scopes: dict[str, list[BindingInfo]], source: str = "keymap.toml"
) -> tuple[dict[str, str], list[str]]:
    """The entries that are safe to apply, and one warning per entry that is not."""
    known = {b.id: b for scope in scopes.values() for b in scope if b.id}
    accepted: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, keys_text in entries.items():
        keys = _split(keys_text)
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, list(known), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            warnings.append(f"{source}: '{binding_id}' ignored: no key binding has that id{hint}")
            continue
        bad = [k for k in keys if not valid_key(k)]
        if bad or not keys:
            warnings.append(
                f"{source}: '{binding_id}' ignored: {', '.join(map(repr, bad)) or repr(keys_text)} "
                'is not a key name (e.g. "f5", "ctrl+r", "x")'
            )
            continue
        clash = None
        wanted = {_normal(k) for k in keys}
        for scope_name, bindings in scopes.items():
            if not any(b.id == binding_id for b in bindings):
                continue
            for other in bindings:
                if other.id == binding_id:
                    continue
                other_keys = _split(accepted[other.id]) if other.id in accepted else other.keys
                shared = wanted & {_normal(k) for k in other_keys}
                if shared:
                    where = "" if scope_name == "app" else f" on {scope_name}"
                    clash = f"{sorted(shared)[0]} already does '{other.description}' ({other.id or 'built in'}){where}"
                    break
            if clash:
                break
        if clash:
            warnings.append(f"{source}: '{binding_id}' = \"{keys_text}\" ignored: {clash}")
            continue
        accepted[binding_id] = ",".join(keys)
    return accepted, warnings


def load(path: Path) -> tuple[dict[str, str], list[str]]:
    """Read and check ``path`` against every screen's bindings: (keymap to apply, warnings)."""
    entries, problems = read_keymap(path)
    if not entries:
        return {}, problems
    accepted, warnings = checked_keymap(entries, binding_scopes(), source=str(path))
    return accepted, problems + warnings
