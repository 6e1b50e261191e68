"""Solution: a little above the largest real value (7.9, 4.4, 6.9, 2.5 cm), far below a unit mistake."""

VALUE_RANGES = {
    "sepal_length_cm": (0.0, 10.0),
    "sepal_width_cm": (0.0, 6.0),
    "petal_length_cm": (0.0, 8.0),
    "petal_width_cm": (0.0, 3.0),
}
