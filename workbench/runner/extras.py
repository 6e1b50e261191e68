"""The pip extras of mlops-workbench: which exist, which are installed, which one brings a module (no imports).

The extras are declared once, in pyproject.toml's ``[project.optional-dependencies]``;
everything here is derived from it (the lesson schema's allowed extras, the
"needs extra 'torch'" hint of a step that cannot import torch).
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import metadata

from shared.configs.repository import REPO_ROOT

DISTRIBUTION = "mlops-workbench"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
AGGREGATES = ("all", "test")  # extras that bundle others or serve development, not a lesson
# Import names that differ from the name of the distribution that provides them (facts about PyPI, not our extras).
DISTRIBUTION_OF_MODULE = {
    "sklearn": "scikit-learn",
    "pynvml": "nvidia-ml-py",
    "tensorflow": "tensorflow-cpu",
    "keras": "tensorflow-cpu",
    "yaml": "pyyaml",
    "av": "av",
}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=1)
def declared_extras() -> dict[str, list[str]]:
    """Extra -> the distributions it installs, from pyproject.toml (else the installed metadata), aggregates left out."""
    try:
        table = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
        found = {extra: [m.group(1) for line in lines if (m := _NAME.match(line))] for extra, lines in table.items()}
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        found = _requirements_by_extra() or {}
    return {extra: names for extra, names in found.items() if extra not in AGGREGATES}


def known_extras() -> list[str]:
    return list(declared_extras())


def extra_for_module(module: str) -> str | None:
    """The extra that installs the top-level ``module``: where its distribution is listed first (then pyproject order)."""
    top = module.split(".", 1)[0]
    wanted = _canonical(DISTRIBUTION_OF_MODULE.get(top, top))
    places = [
        (names.index(wanted), order, extra)
        for order, (extra, names) in enumerate(
            (extra, [_canonical(n) for n in names]) for extra, names in declared_extras().items()
        )
        if wanted in names
    ]
    return min(places)[2] if places else None


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
