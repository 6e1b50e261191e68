"""Reading /metrics as Prometheus does, and PSI: the numbers the monitoring lesson's verdicts rest on."""

from __future__ import annotations

import math

import pytest

from infrastructure.monitoring.drift_statistics import bin_counts, population_stability_index, verdict
from infrastructure.monitoring.prometheus_metrics import Scrape

EXPOSITION = """\
# HELP req_seconds latency
# TYPE req_seconds histogram
req_seconds_bucket{endpoint="/classify",le="0.01"} 10.0
req_seconds_bucket{endpoint="/classify",le="0.05"} 90.0
req_seconds_bucket{endpoint="/classify",le="0.1"} 100.0
req_seconds_bucket{endpoint="/classify",le="+Inf"} 100.0
req_seconds_count{endpoint="/classify"} 100.0
req_seconds_sum{endpoint="/classify"} 2.5
req_seconds_bucket{endpoint="/readyz",le="0.01"} 5.0
req_seconds_bucket{endpoint="/readyz",le="0.05"} 5.0
req_seconds_bucket{endpoint="/readyz",le="0.1"} 5.0
req_seconds_bucket{endpoint="/readyz",le="+Inf"} 5.0
req_seconds_count{endpoint="/readyz"} 5.0
req_seconds_sum{endpoint="/readyz"} 0.01
# TYPE req_total counter
req_total{endpoint="/classify",code="200"} 97.0
req_total{endpoint="/classify",code="400"} 3.0
"""


def test_histogram_quantile_interpolates_inside_the_bucket_like_promql():
    latency = Scrape.parse(EXPOSITION).histogram("req_seconds", endpoint="/classify")
    assert latency.count == 100
    assert latency.bin_counts() == [10, 80, 10, 0]
    assert latency.quantile(0.5) == pytest.approx(0.01 + 0.04 * (40 / 80))  # rank 50 is 40 into the 80 of (0.01, 0.05]
    assert latency.quantile(0.95) == pytest.approx(0.05 + 0.05 * (5 / 10))


def test_label_filters_and_counter_sums():
    scrape = Scrape.parse(EXPOSITION)
    assert scrape.histogram("req_seconds").count == 105  # every endpoint
    assert scrape.value("req_total", endpoint="/classify") == 100
    assert scrape.value("req_total", endpoint="/classify", code="200") == 97
    assert scrape.value("req_total", endpoint="/nowhere") == 0


def test_increase_between_two_scrapes_is_what_happened_in_between():
    before = Scrape.parse(EXPOSITION).histogram("req_seconds", endpoint="/classify")
    after = Scrape.parse(
        EXPOSITION.replace('le="0.05"} 90.0', 'le="0.05"} 95.0')
        .replace('le="0.1"} 100.0', 'le="0.1"} 105.0')
        .replace('"+Inf"} 100.0', '"+Inf"} 105.0')
        .replace('_count{endpoint="/classify"} 100.0', '_count{endpoint="/classify"} 105.0')
    )
    window = after.histogram("req_seconds", endpoint="/classify").minus(before)
    assert window.count == 5 and window.bin_counts() == [0, 5, 0, 0]
    assert math.isnan(before.minus(before).quantile(0.5))  # no traffic: no percentile, not 0


def test_bins_follow_prometheus_le_semantics():
    assert bin_counts([0.5, 1.0, 1.01, 2.0, 99.0], [1.0, 2.0, math.inf]) == [2, 2, 1]


def test_psi_is_zero_for_the_same_distribution_and_large_for_a_shift():
    reference = [10, 20, 30, 20, 10]
    assert population_stability_index(reference, [20, 40, 60, 40, 20]) == pytest.approx(0.0)
    shifted = population_stability_index(reference, [0, 0, 10, 30, 50])
    assert shifted > 0.2 and verdict(shifted) == "drifted"
    assert verdict(0.05) == "stable" and verdict(0.15) == "worth a look"


def test_psi_refuses_mismatched_or_empty_bins_with_a_message():
    with pytest.raises(ValueError, match="same bins on both sides: 3 reference bins, 2 current bins"):
        population_stability_index([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="observations on both sides: reference 6, current 0"):
        population_stability_index([1, 2, 3], [0, 0, 0])
