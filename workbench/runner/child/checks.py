"""Decide pass/fail from what a step produced (its returned outputs and last metrics).

Pure logic on plain dicts: the step child evaluates its own checks, so the
UI process never needs the step's frameworks.
"""

from __future__ import annotations

import math
from typing import Any


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return repr(value) if isinstance(value, str) else str(value)


def evaluate(checks: list[dict[str, Any]], outputs: dict[str, Any]) -> tuple[bool, list[str]]:
    """Return (all passed, one line per check saying what was measured against what)."""
    passed = True
    lines: list[str] = []
    for check in checks:
        name = check["output"]
        if name not in outputs:
            passed = False
            known = ", ".join(sorted(outputs)) or "none"
            lines.append(f"{name}: not produced by the step (outputs: {known})")
            continue
        value = outputs[name]
        problems: list[str] = []
        if check.get("equals") is not None and value != check["equals"]:
            problems.append(f"expected {_fmt(check['equals'])}")
        for bound, ok in (("min", lambda v, b: v >= b), ("max", lambda v, b: v <= b)):
            limit = check.get(bound)
            if limit is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
                problems.append(f"expected a number {'≥' if bound == 'min' else '≤'} {limit:g}")
            elif not ok(value, limit):
                problems.append(f"expected {'≥' if bound == 'min' else '≤'} {limit:g}")
        if problems:
            passed = False
            lines.append(f"{name} = {_fmt(value)}, " + " and ".join(problems))
        else:
            bounds = []
            if check.get("min") is not None:
                bounds.append(f"≥ {check['min']:g}")
            if check.get("max") is not None:
                bounds.append(f"≤ {check['max']:g}")
            lines.append(f"{name} = {_fmt(value)}" + (f" ({' and '.join(bounds)})" if bounds else ""))
    return passed, lines
