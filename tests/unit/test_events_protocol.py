import math

import pytest

from shared.events import Artifact, Log, Metric, Progress, Result, Status, decode, encode


@pytest.mark.parametrize(
    "event",
    [
        Log("hello", level="warning"),
        Metric("val_accuracy", 0.97, step=3),
        Metric("loss", 1.5),
        Progress(5, 10, "batches"),
        Progress(2, None),
        Artifact("model", "iris_classifier:abc", "in the store"),
        Status("saving"),
        Result(True, "test_accuracy = 0.97 (≥ 0.9)", {"test_accuracy": 0.97}),
    ],
)
def test_every_event_survives_a_round_trip(event):
    line = encode(event)
    assert "\n" not in line
    assert decode(line) == event


def test_non_finite_metric_values_do_not_break_the_json_line():
    line = encode(Result(False, "diverged", {"loss": math.nan}))
    assert decode(line) == Result(False, "diverged", {"loss": "nan"})


@pytest.mark.parametrize(
    "line, expected_words",
    [
        ("not json at all", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"type": "telemetry", "x": 1}', "unknown type 'telemetry'"),
        ('{"type": "metric", "name": "loss"}', "missing"),
        ('{"type": "metric", "name": "loss", "value": "high"}', "metric value must be a number"),
    ],
)
def test_a_malformed_line_becomes_a_warning_that_quotes_it(line, expected_words):
    event = decode(line)
    assert isinstance(event, Log)
    assert event.level == "warning"
    assert expected_words in event.message
    assert line[:20] in event.message
