"""Exercise: write one verdict rule.

`device` is one entry of `mlops-workbench gpu --json` → nvml.devices. Its
"clock_event_reasons" is a list of names such as "hw_thermal_slowdown",
"sw_thermal_slowdown", "sw_power_cap", "gpu_idle" — or the string "N/A" when
the GPU cannot say. Return "warn" when the GPU is slowed down for heat,
otherwise None.
"""


def thermal_verdict(device):
    return None
