"""gpt-from-scratch for real, as a user runs it: tokenizer, training, store, samples, a streaming server."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import run_cli

pytest.importorskip("tokenizers", reason="needs the gpt extra: pip install 'mlops-workbench[gpt]'")
pytest.importorskip("bentoml", reason="needs the gpt extra: pip install 'mlops-workbench[gpt]'")

pytestmark = pytest.mark.slow

CONTRACT = ("perplexity_first", "perplexity_last", "train_seconds", "first_token_ms")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def lesson_run(home):
    result = run_cli("--lesson", "gpt-from-scratch", "--json", home=home, timeout=1200)
    assert result.returncode == 0, result.stderr[-4000:]
    document = result.json()
    [lesson] = document["lessons"]
    return {step["id"]: step for step in lesson["steps"]}, result.stderr


def test_every_step_passes_and_the_named_metrics_are_reported(lesson_run):
    steps, _ = lesson_run
    assert list(steps) == ["tokenizer", "train", "store", "generate", "serve"]
    assert all(step["passed"] for step in steps.values()), {k: s["summary"] for k, s in steps.items()}
    metrics = {name: value for step in steps.values() for name, value in step["metrics"].items()}
    assert set(CONTRACT) <= set(metrics)


def test_held_out_perplexity_falls_eightfold_from_the_first_evaluation_to_the_last(lesson_run):
    steps, log = lesson_run
    train = steps["train"]["metrics"]
    assert train["perplexity_first"] >= 8 * train["perplexity_last"]
    assert train["perplexity_last"] <= 3.0
    assert 0 < train["train_seconds"] < 600
    evaluations = [int(m) for m in re.findall(r"step +(\d+)/300: held-out perplexity", log)]
    assert evaluations == list(range(20, 301, 20))  # one evaluation every 20 steps, charted as heldout_perplexity


def test_the_checkpoint_and_its_tokenizer_are_in_the_model_store_together(lesson_run, home):
    steps, _ = lesson_run
    assert steps["store"]["metrics"]["model_files"] >= 4
    [version] = list((home / "bentoml" / "models" / "mlops_gpt").glob("*/model.yaml"))
    folder = version.parent
    for part in ("model/config.json", "model/model.safetensors", "tokenizer.json", "training.json"):
        assert (folder / part).is_file(), part
    record = json.loads((folder / "training.json").read_text())
    assert record["perplexity_last"] == pytest.approx(steps["train"]["metrics"]["perplexity_last"])


def test_generation_gives_the_requested_tokens_at_both_temperatures(lesson_run):
    steps, log = lesson_run
    generate = steps["generate"]["metrics"]
    assert generate["tokens_generated"] == generate["tokens_requested"] == 40
    assert "temperature 0.5: 40 tokens" in log and "temperature 1.5: 40 tokens" in log


def test_the_stream_delivers_the_first_token_well_before_the_last_and_the_port_is_freed(lesson_run):
    steps, log = lesson_run
    serve = steps["serve"]["metrics"]
    assert serve["tokens_received"] == 64
    assert serve["first_token_ms"] < 0.5 * serve["last_token_ms"]
    assert "POST /generate (everything in one answer) -> 200" in log
    assert re.search(r"port \d+ free again: True", log)


def test_a_prompt_of_your_own_is_continued_by_the_stored_model(lesson_run, home):
    result = run_cli(
        "--lesson",
        "gpt-from-scratch",
        "--step",
        "generate",
        "--param",
        "prompt=Before the fraud detector",
        "--param",
        "max_new_tokens=12",
        "--json",
        home=home,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [step] = result.json()["lessons"][0]["steps"]
    assert step["metrics"]["tokens_generated"] == 12
    assert "prompt “Before the fraud detector”" in result.stderr
