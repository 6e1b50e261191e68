"""Solution: numpy does it; the hand-written version interpolates between the two nearest ranks."""

import numpy as np


def p95_ms(timings_ms):
    return float(np.percentile(timings_ms, 95))
