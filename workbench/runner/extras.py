"""Which pip extras of mlops-workbench are installed, read from package metadata (no imports)."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import metadata

DISTRIBUTION = "mlops-workbench"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


@lru_cache(maxsize=1)
def _requirements_by_extra() -> dict[str, list[str]] | None:
    try:
        lines = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return None  # running from a source tree that was never installed: cannot tell
    table: dict[str, list[str]] = {}
    for line in lines:
        extra = _EXTRA.search(line)
        name = _NAME.match(line)
        if extra and name:
            table.setdefault(extra.group(1), []).append(name.group(1))
    return table


def _installed(distribution: str) -> bool:
    if distribution.lower().replace("_", "-") == DISTRIBUTION:
        return True
    try:
        metadata.version(distribution)
        return True
    except metadata.PackageNotFoundError:
        return False


def missing_extras(extras: list[str]) -> dict[str, list[str]]:
    """Extra -> its distributions that are not installed (empty when all are present or unknowable)."""
    table = _requirements_by_extra()
    if table is None:
        return {}
    missing = {}
    for extra in extras:
        absent = [name for name in table.get(extra, []) if not _installed(name)]
        if absent:
            missing[extra] = absent
    return missing


def install_hint(extras: list[str]) -> str:
    return f"pip install 'mlops-workbench[{','.join(extras)}]'"
