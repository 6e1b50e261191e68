"""Exercise: the latency gate's statistic.

The gate compares the 95th percentile of single-prediction latencies with a
threshold. This version returns the mean, which hides a slow tail. Return the
95th percentile instead (linear interpolation, as numpy.percentile does).
"""


def p95_ms(timings_ms):
    return sum(timings_ms) / len(timings_ms)
