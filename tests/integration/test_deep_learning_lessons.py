"""The three deep-learning lessons, run for real through the lesson runner (short trainings)."""

from __future__ import annotations

import pytest

from shared.events import Log, Metric
from tests.integration.lesson_recording import metric_steps, run_recorded

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def deep_learning_run(tmp_path_factory):
    return run_recorded("pytorch-digits,keras-digits,distributed-training", tmp_path_factory.mktemp("home"))


def test_pytorch_digits_passes_with_one_metric_per_epoch_in_order(deep_learning_run):
    reports, recorder = deep_learning_run
    [step] = reports["pytorch-digits"].steps
    assert step.passed, step.summary
    assert step.metrics["test_accuracy"] >= 0.95
    events = recorder.events[("pytorch-digits", "train")]
    for name in ("train_loss", "val_loss", "val_accuracy"):
        assert metric_steps(events, name) == list(range(1, 16)), name
    assert any(isinstance(e, Log) and "training on cpu" in e.message for e in events)
    losses = [e.value for e in events if isinstance(e, Metric) and e.name == "train_loss"]
    assert losses[-1] < losses[0] / 5  # it learned


def test_keras_digits_passes_and_reports_through_the_callback_without_progress_bars(deep_learning_run):
    reports, recorder = deep_learning_run
    [step] = reports["keras-digits"].steps
    assert step.passed, step.summary
    assert step.metrics["test_accuracy"] >= 0.95
    events = recorder.events[("keras-digits", "train")]
    for name in ("train_loss", "val_loss", "val_accuracy"):
        assert metric_steps(events, name) == list(range(1, 21)), name
    logs = [e.message for e in events if isinstance(e, Log)]
    assert any("GPUs TensorFlow sees:" in line for line in logs)
    assert not any("/step" in line for line in logs), "Keras progress bar leaked into the log"


def test_distributed_training_runs_two_ranks_and_matches_the_single_process_model(deep_learning_run):
    reports, recorder = deep_learning_run
    [step] = reports["distributed-training"].steps
    assert step.passed, step.summary
    assert "on 2 gloo ranks" in step.summary
    events = recorder.events[("distributed-training", "train-ddp")]
    logs = [e.message for e in events if isinstance(e, Log)]
    assert any(line.startswith("[rank 0] ") for line in logs) and any(line.startswith("[rank 1] ") for line in logs)
    assert not any("@@workbench-event" in line for line in logs), "rank events must become events, not log lines"
    assert metric_steps(events, "val_accuracy") == list(range(1, 16))
    assert step.metrics["ddp_test_accuracy"] >= 0.95
