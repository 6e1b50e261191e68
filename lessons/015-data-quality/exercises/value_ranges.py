"""Exercise: plausible value ranges for iris measurements, in centimetres.

Upstream, a system started sending petal lengths in millimetres. With these
ranges nothing notices. Tighten them so the corrupted copy is caught, without
raising false alarms on the real data (check the profile step's min/max).
"""

VALUE_RANGES = {
    "sepal_length_cm": (0.0, 100.0),
    "sepal_width_cm": (0.0, 100.0),
    "petal_length_cm": (0.0, 100.0),
    "petal_width_cm": (0.0, 100.0),
}
