"""Check for the GPU verdict exercise: the learner's rule against the clock-event reasons NVML reports."""

from __future__ import annotations

from shared import events
from workbench.runner.child.learner_code import load_learner_module, require

CASES = [
    ({"index": 0, "clock_event_reasons": ["hw_thermal_slowdown"], "temperature_c": 93}, "warn"),
    ({"index": 1, "clock_event_reasons": ["sw_thermal_slowdown", "sw_power_cap"], "temperature_c": 88}, "warn"),
    ({"index": 2, "clock_event_reasons": ["gpu_idle"], "temperature_c": 31}, None),
    ({"index": 3, "clock_event_reasons": ["sw_power_cap"], "temperature_c": 70}, None),
    ({"index": 4, "clock_event_reasons": "N/A", "temperature_c": "N/A"}, None),
]


def check_thermal_verdict(path: str) -> dict:
    rule = require(load_learner_module(path), "thermal_verdict", "a function: device report -> 'warn' or None")
    wrong = []
    for device, expected in CASES:
        got = rule(dict(device))
        events.log(f"GPU {device['index']} reasons {device['clock_event_reasons']}: yours {got!r}, expected {expected!r}")
        if got != expected:
            wrong.append(f"GPU {device['index']} with {device['clock_event_reasons']}: {got!r}, expected {expected!r}")
    return {"wrong_cases": len(wrong), "summary": wrong[0] if wrong else "every device judged right"}
