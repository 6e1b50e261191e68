"""Where the repository is, and how child processes find its layer packages."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def with_repo_on_path(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of ``env`` (default: this process's) whose PYTHONPATH starts with the repository root."""
    result = dict(os.environ if env is None else env)
    result["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), result.get("PYTHONPATH", "")) if p)
    return result
