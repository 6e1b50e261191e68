"""The LLM/NLP lessons for real: packaged MiniLM, offline, zero-shot vs fine-tuned."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from shared.events import Log
from tests.conftest import REPO_ROOT
from tests.integration.lesson_recording import metric_steps, run_recorded

pytestmark = pytest.mark.slow

NO_NETWORK = r"""
import sys
attempts = []
def audit(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        attempts.append((event, args))
        raise RuntimeError(f"network access attempted: {event} {args}")
sys.addaudithook(audit)
from domain.models.generative.llm.sentence_encoder import embed, load_encoder
tokenizer, model = load_encoder()
vectors = embed(["the striker scored", "rain all day"], tokenizer, model)
assert vectors.shape == (2, 384), vectors.shape
print("OK", len(attempts))
"""


def test_the_packaged_model_loads_and_embeds_without_any_network_call():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env["PYTHONPATH"] = str(REPO_ROOT)
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK], capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("OK 0")


@pytest.fixture(scope="module")
def nlp_run(tmp_path_factory):
    return run_recorded("llm-zero-shot,nlp-fine-tune", tmp_path_factory.mktemp("home"))


def test_zero_shot_beats_the_majority_baseline_and_shows_label_scores(nlp_run):
    reports, recorder = nlp_run
    evaluate, own_text = reports["llm-zero-shot"].steps
    assert evaluate.passed and own_text.passed, (evaluate.summary, own_text.summary)
    assert evaluate.metrics["majority_baseline"] == pytest.approx(0.2)
    assert evaluate.metrics["test_accuracy"] >= evaluate.metrics["majority_baseline"] + 0.3
    lines = [e.message for e in recorder.events[("llm-zero-shot", "your-text")] if isinstance(e, Log)]
    assert "“My flight was cancelled because of the blizzard.”" in lines
    assert any(line.strip().startswith("weather") for line in lines)


def test_fine_tuning_beats_zero_shot_with_loss_per_step_and_accuracy_per_epoch(nlp_run):
    reports, recorder = nlp_run
    probe, tune, keywords = reports["nlp-fine-tune"].steps
    assert probe.passed and tune.passed and keywords.passed, (probe.summary, tune.summary, keywords.summary)
    events = recorder.events[("nlp-fine-tune", "fine-tune")]
    steps = metric_steps(events, "train_loss")
    assert steps == list(range(1, len(steps) + 1)) and len(steps) == 2 * 14  # 210 sentences / 16 per batch, 2 epochs
    assert metric_steps(events, "test_accuracy") == [1, 2]
    assert tune.metrics["test_accuracy"] > tune.metrics["zero_shot_test_accuracy"]
    keyword_lines = [e.message for e in recorder.events[("nlp-fine-tune", "keywords")] if isinstance(e, Log)]
    assert {"sports:", "finance:", "health:", "technology:", "weather:"} <= set(keyword_lines)
