"""Validate a GitHub Actions workflow offline, and check that this project's CI does what it must.

``schema_errors`` runs check-jsonschema with its built-in (vendored) GitHub
workflow schema: nothing is downloaded. ``pipeline_problems`` checks the
project's own rules on top of a valid file (make test, every lesson as JUnit,
the report uploaded even when a test fails).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

WORKFLOW = Path(__file__).resolve().parent / "workbench.yml"
SCHEMA = "vendor.github-workflows"


def check_jsonschema_binary() -> str:
    candidate = Path(sys.executable).with_name("check-jsonschema")
    if not candidate.exists():
        raise RuntimeError("check-jsonschema not found next to this Python: pip install 'mlops-workbench[docker]'")
    return str(candidate)


def schema_errors(path: Path) -> list[str]:
    """check-jsonschema's errors for one workflow file (empty: valid), each as 'where: why'."""
    done = subprocess.run(
        [check_jsonschema_binary(), "--builtin-schema", SCHEMA, "--output-format", "json", "--verbose", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(
            f"check-jsonschema {path}: exit code {done.returncode}: {(done.stdout + done.stderr)[-400:]}"
        ) from None
    errors = []
    for error in report.get("parse_errors", []):
        errors.append(f"{path.name}: cannot be parsed: {error.get('message', error)}")
    for error in report.get("errors", []):
        deepest = error.get("best_deep_match") or error.get("best_match") or error
        if str(deepest.get("message", "")).startswith(("{", "[")):  # it repeats the whole value: a sub-error says more
            telling = [c for c in error.get("sub_errors") or [] if not str(c.get("message", "")).startswith(("{", "["))]
            telling.sort(key=lambda c: "was unexpected" not in c["message"])
            deepest = telling[0] if telling else deepest
        message = deepest.get("message", "")
        if len(message) > 220:
            message = message[:220] + "…]"
        errors.append(f"{deepest.get('path', error.get('path'))}: {message}")
    if done.returncode != 0 and not errors:
        errors.append(f"check-jsonschema exited with {done.returncode}: {done.stderr.strip()[-300:]}")
    return errors


def pipeline_problems(workflow: dict[str, Any]) -> tuple[list[str], dict[str, bool]]:
    """What this project's CI must do, beyond a valid file: make test, every lesson as JUnit, the report uploaded."""
    steps = [
        step
        for job in (workflow.get("jobs") or {}).values()
        if isinstance(job, dict)
        for step in job.get("steps") or []
        if isinstance(step, dict)
    ]
    runs = " ".join(str(step.get("run", "")) for step in steps)
    uploads = [step for step in steps if str(step.get("uses", "")).startswith("actions/upload-artifact@")]
    found = {
        "runs_make_test": "make test" in runs,
        "runs_lessons_as_junit": "--lesson all" in runs and "--junit report.xml" in runs,
        "uploads_report": any("report.xml" in str((step.get("with") or {}).get("path", "")) for step in uploads),
        "uploads_even_on_failure": any("always()" in str(step.get("if", "")) for step in uploads),
    }
    problems = [f"{WORKFLOW.name}: {name.replace('_', ' ')}: not found" for name, ok in found.items() if not ok]
    return problems, found
