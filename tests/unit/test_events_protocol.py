import math
import os

import pytest

from shared.constants import ENV_EVENT_FD
from shared.events import Artifact, Log, Metric, Progress, Result, Status, decode, emit, encode
from shared.events.protocol import MAX_EVENT_CHARS
from shared.events.terminal_text import printable


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
        ('{"type": "metric", "name": "loss", "value": "high"}', "metric.value must be a number, got str 'high'"),
    ],
)
def test_a_malformed_line_becomes_a_warning_that_quotes_it(line, expected_words):
    event = decode(line)
    assert isinstance(event, Log)
    assert event.level == "warning"
    assert expected_words in event.message
    assert line[:20] in event.message


@pytest.mark.parametrize(
    "line, expected_words",
    [
        ('{"type": "log", "message": 5}', "log.message must be a string, got int 5"),
        ('{"type": "log", "message": "x", "level": ["warning"]}', "log.level must be a string, got list"),
        ('{"type": "metric", "name": "loss", "value": true}', "metric.value must be a number, got bool True"),
        ('{"type": "metric", "name": 7, "value": 1}', "metric.name must be a non-empty string, got int 7"),
        ('{"type": "metric", "name": "loss", "value": 1' + "0" * 400 + "}", "metric.value must be a number, got int"),
        ('{"type": "metric", "name": "loss", "value": 1, "step": "3"}', "metric.step must be a whole number"),
        ('{"type": "metric", "name": "loss", "value": 1, "step": 1e300}', "metric.step must be a whole number"),
        ('{"type": "progress", "done": NaN, "total": 10}', "progress.done must be a finite number, got float nan"),
        ('{"type": "progress", "done": 1, "total": -Infinity}', "progress.total must be a finite number ≥ 0 or null"),
        ('{"type": "artifact", "kind": {"a": 1}, "path": "/x"}', "artifact.kind must be a string, got dict"),
        ('{"type": "status", "message": null}', "status.message must be a string, got NoneType None"),
        ('{"type": ["log"]}', "unknown type ['log']"),
        ('{"type": "metric", "name": "loss", "value": ' + "9" * 5000 + "}", "not JSON: Exceeds the limit"),
        ("[" * 100_000, "not JSON: nested too deeply"),
    ],
)
def test_a_field_of_the_wrong_type_becomes_a_warning_naming_the_field_never_an_exception(line, expected_words):
    event = decode(line)
    assert isinstance(event, Log) and event.level == "warning"
    assert expected_words in event.message
    assert len(event.message) < 400  # the offending line is quoted, not copied whole


@pytest.mark.parametrize(
    "line, expected_words",
    [
        ('{"type": "result", "passed": "no", "summary": "fine"}', "result.passed must be true or false, got str 'no'"),
        ('{"type": "result", "passed": 1, "summary": "fine"}', "result.passed must be true or false, got int 1"),
        ('{"type": "result", "passed": true, "summary": "fine", "details": [1]}', "result.details must be an object, got list"),
        ('{"type": "result", "passed": true, "summary": 42}', "result.summary must be a string, got int 42"),
        ('{"type": "result", "passed": true}', "result is missing summary"),
    ],
)
def test_a_malformed_result_is_a_failed_result_that_says_why_never_a_pass(line, expected_words):
    event = decode(line)
    assert isinstance(event, Result)
    assert event.passed is False and event.details == {}
    assert event.summary.startswith("the step sent a malformed result, counted as failed")
    assert expected_words in event.summary


def test_non_finite_metric_values_arrive_as_floats_so_the_ui_can_mark_them():
    assert math.isnan(decode(encode(Metric("loss", math.nan, step=2))).value)
    assert decode(encode(Metric("loss", -math.inf))).value == -math.inf
    assert decode('{"type": "metric", "name": "loss", "value": Infinity, "step": 4.0}') == Metric("loss", math.inf, 4)


HOSTILE = (
    "\x1b[2J\x1b[H\x1b]0;TITLE\x07\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b[31mred\x1b[0m \x1bPdcs\x1b\\\x07\x08\r\x9b2J\x1bc"
)


def test_control_sequences_are_removed_from_text_but_tab_newline_and_unicode_stay():
    assert printable(HOSTILE) == "link red 2J"
    assert printable("a\tb\nc é 中文") == "a\tb\nc é 中文"
    assert printable("unterminated title \x1b]0;TITLE") == "unterminated title "


@pytest.mark.parametrize(
    "event, field",
    [
        (Log(f"a{HOSTILE}b"), "message"),
        (Status(f"a{HOSTILE}b"), "message"),
        (Artifact("model", f"a{HOSTILE}b"), "path"),
        (Metric(f"a{HOSTILE}b", 1.0), "name"),
        (Progress(1, 2, f"a{HOSTILE}b"), "label"),
        (Result(True, f"a{HOSTILE}b"), "summary"),
    ],
)
def test_every_text_field_loses_control_sequences_whether_built_or_decoded(event, field):
    assert "\x1b" not in getattr(event, field) and "\x07" not in getattr(event, field)
    assert getattr(event, field) == "alink red 2Jb"
    assert getattr(decode(encode(event).replace("alink", "a\\u001b]0;T\\u0007link")), field) == "alink red 2Jb"


@pytest.fixture
def event_file(tmp_path, monkeypatch):
    """Events emitted in this process land in a file, as they would in the runner's pipe."""
    path = tmp_path / "events.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    monkeypatch.setenv(ENV_EVENT_FD, str(fd))
    yield path
    os.close(fd)


def test_a_large_result_travels_as_one_intact_line(event_file):
    emit(Result(True, "ok", {"report": "r" * 100_000}))
    [line] = event_file.read_text().splitlines()
    assert decode(line) == Result(True, "ok", {"report": "r" * 100_000})


def test_a_result_beyond_what_one_event_carries_is_cut_and_says_so_but_keeps_its_verdict(event_file):
    emit(Result(True, "ok", {"report": "r" * (MAX_EVENT_CHARS + 10), "accuracy": 0.97}))
    [line] = event_file.read_text().splitlines()
    assert len(line) <= MAX_EVENT_CHARS
    event = decode(line)
    assert isinstance(event, Result) and event.passed and event.details["accuracy"] == 0.97
    assert f"…(cut: {MAX_EVENT_CHARS + 10} characters, more than one event carries)" in event.details["report"]
