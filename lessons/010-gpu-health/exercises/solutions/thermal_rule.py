"""Solution: only the thermal reasons count; power caps and idling are other stories; "N/A" means unknown."""

THERMAL = {"hw_thermal_slowdown", "sw_thermal_slowdown"}


def thermal_verdict(device):
    reasons = device.get("clock_event_reasons")
    if isinstance(reasons, list) and THERMAL & set(reasons):
        return "warn"
    return None
