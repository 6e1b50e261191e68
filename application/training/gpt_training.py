"""Use cases: train a tiny GPT from scratch — tokenizer, model, store, samples.

    tokenize  train a byte-level BPE tokenizer on the MLOps corpus
    train     train a GPT-2-style model on it (train loss per step, held-out perplexity per evaluation)
    store     put the checkpoint into the BentoML model store and link it to the MLflow run of its training
    generate  sample text from the stored model at several temperatures

Each use case runs in its own process (a lesson step), so they hand over
through a working checkpoint folder under the workbench home
(``<home>/checkpoints/gpt/``) and, from ``store`` on, through the model store.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from application.registry.experiment_tracking import tracked_training
from application.training.trained_model_store import keep_trained_model
from domain.data.sources.mlops_corpus import load_mlops_corpus
from domain.models.generative.gpt.checkpoint import RECORD_FILE, TOKENIZER_FILE, load_checkpoint, save_checkpoint
from domain.models.generative.gpt.tokenizer import (
    chars_per_token,
    end_of_text_id,
    load_tokenizer,
    save_tokenizer,
    train_tokenizer,
)
from shared import events
from shared.configs.workbench_home import workbench_home

MODEL_NAME = "mlops_gpt"
TRAIN_ENTRY = "application.training.gpt_training:train"  # how the MLflow run of a training is tagged (entry_point)
EXAMPLE = "The on-call engineer rolled back the fraud detector after the incident."


def checkpoint_dir() -> Path:
    """Where the steps hand the tokenizer and the trained checkpoint to each other."""
    return workbench_home() / "checkpoints" / "gpt"


def tokenize(vocab_size: int = 1024, min_frequency: int = 2) -> dict[str, Any]:
    """Train the tokenizer on the training split only (the held-out text stays unseen) and show what it does."""
    corpus = load_mlops_corpus()
    print(f"corpus: {corpus.describe()}")
    events.status("training the byte-level BPE tokenizer")
    started = time.perf_counter()
    tokenizer = train_tokenizer(corpus.train, vocab_size=vocab_size, min_frequency=min_frequency)
    seconds = time.perf_counter() - started
    path = save_tokenizer(tokenizer, checkpoint_dir() / TOKENIZER_FILE)
    vocabulary = tokenizer.get_vocab_size()
    encoding = tokenizer.encode(EXAMPLE)
    print(
        f"trained in {seconds:.2f} s: {vocabulary} tokens (256 bytes + merges + <|endoftext|>; asked for {vocab_size}, "
        f"merges stop when no pair occurs at least {min_frequency} times)"
    )
    print(f"“{EXAMPLE}” -> {len(encoding.ids)} tokens:")
    print("    " + " | ".join(t.replace("Ġ", "·") for t in encoding.tokens) + "   (· marks a leading space)")
    print(f"    ids {encoding.ids}")
    heldout_ratio = chars_per_token(tokenizer, corpus.heldout)
    train_ratio = chars_per_token(tokenizer, corpus.train)
    print(f"characters per token: {train_ratio:.2f} on training text, {heldout_ratio:.2f} on held-out text")
    events.metric("vocab_size", vocabulary)
    events.metric("chars_per_token", heldout_ratio)
    events.artifact("tokenizer", path, "tokenizer.json: vocabulary and merges")
    return {
        "vocab_size": vocabulary,
        "chars_per_token": heldout_ratio,
        "chars_per_token_train": train_ratio,
        "tokenizer_seconds": seconds,
        "example_tokens": len(encoding.ids),
    }


@tracked_training
def train(
    steps: int = 300,
    batch_size: int = 32,
    learning_rate: float = 3e-3,
    eval_every: int = 20,
    n_layer: int = 2,
    n_head: int = 4,
    n_embd: int = 128,
    context: int = 64,
    seed: int = 0,
) -> dict[str, Any]:
    """Next-token training from random weights; held-out perplexity every ``eval_every`` steps."""
    import torch

    from domain.models.generative.gpt.model import GPTSettings, build_model, count_parameters, pick_device, seed_everything
    from domain.models.generative.gpt.training import TrainSettings, perplexity, token_stream, train_language_model

    shape = GPTSettings(n_layer=n_layer, n_head=n_head, n_embd=n_embd, context=context)
    plan = TrainSettings(steps=steps, batch_size=batch_size, learning_rate=learning_rate, eval_every=eval_every)
    folder = checkpoint_dir()
    try:
        tokenizer = load_tokenizer(folder / TOKENIZER_FILE)
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"{exc}; run the tokenizer step first (mlops-workbench --lesson gpt-from-scratch)") from None
    corpus = load_mlops_corpus()
    seed_everything(seed)
    device = pick_device()
    train_stream, heldout_stream = token_stream(tokenizer, corpus.train), token_stream(tokenizer, corpus.heldout)
    model = build_model(shape, tokenizer.get_vocab_size(), end_of_text_id(tokenizer)).to(device)
    print(
        f"device: {device} ({torch.get_num_threads()} CPU threads)"
        if device.type == "cpu"
        else f"device: {device} ({torch.cuda.get_device_name(device)})"
    )
    print(
        f"model: GPT-2 architecture, {n_layer} layers × {n_head} heads, {n_embd} dims, context {context} tokens, "
        f"{count_parameters(model):,} parameters (GPT-2 small: 124,439,808)"
    )
    print(
        f"data: {len(train_stream):,} training tokens, {len(heldout_stream):,} held-out tokens; "
        f"{steps} steps × {batch_size} windows × {context} tokens = {steps * batch_size * context / len(train_stream):.1f} "
        f"passes over the training tokens"
    )
    untrained = perplexity(model, heldout_stream, context, device)
    print(
        f"before training: held-out perplexity {untrained:.0f} (vocabulary {tokenizer.get_vocab_size()}: "
        f"random weights guess about uniformly)"
    )

    def on_step(step: int, loss: float) -> None:
        events.metric("train_loss", loss, step=step)
        events.progress(step, steps, "steps")

    def on_eval(step: int, value: float) -> None:
        events.metric("heldout_perplexity", value, step=step)
        print(f"step {step:>4}/{steps}: held-out perplexity {value:7.3f}")

    events.status(f"training on {device}")
    generator = torch.Generator().manual_seed(seed)
    started = time.perf_counter()
    evaluations = train_language_model(
        model, train_stream, heldout_stream, plan, context, device, generator, on_step=on_step, on_eval=on_eval
    )
    seconds = time.perf_counter() - started
    (first_step, first), (last_step, last) = evaluations[0], evaluations[-1]
    print(
        f"trained in {seconds:.1f} s: held-out perplexity {first:.2f} at step {first_step} -> {last:.2f} at step "
        f"{last_step} ({first / last:.2f}× lower)"
    )
    for name, value in (
        ("perplexity_untrained", untrained),
        ("perplexity_first", first),
        ("perplexity_last", last),
        ("perplexity_ratio", first / last),
        ("train_seconds", seconds),
    ):
        events.metric(name, value)

    record = {
        "settings": {**shape.to_dict(), **plan.__dict__, "seed": seed},
        "evaluations": [{"step": s, "heldout_perplexity": p} for s, p in evaluations],
        "perplexity_untrained": untrained,
        "perplexity_first": first,
        "perplexity_last": last,
        "train_seconds": seconds,
        "device": str(device),
        "corpus": "domain/data/sources/mlops_corpus (see its DATA_CARD.md)",
    }
    events.status("writing the checkpoint")
    for path in save_checkpoint(folder, model.cpu(), tokenizer, record):
        events.artifact("checkpoint", path, f"checkpoint/{path.relative_to(folder)}")
    return {
        "perplexity_first": first,
        "perplexity_last": last,
        "perplexity_ratio": first / last,
        "perplexity_untrained": untrained,
        "train_seconds": seconds,
        "parameters": count_parameters(model),
        "device": str(device),
    }


def _training_run_id() -> str | None:
    """The newest MLflow run of ``train`` (tagged with its entry point), or None when tracking had none."""
    from application.registry.experiment_tracking import current_step
    from infrastructure.storage.mlflow_tracking import search_runs

    lesson, _ = current_step()
    try:
        runs, _ = search_runs([lesson])
    except Exception as exc:  # tracking is best-effort
        events.log(f"MLflow: could not look up the training run ({type(exc).__name__}: {exc})", level="warning")
        return None
    return next((run.info.run_id for run in runs if run.data.tags.get("entry_point") == TRAIN_ENTRY), None)


def store() -> dict[str, Any]:
    """The checkpoint (model, tokenizer, record) as a new version in the BentoML model store, linked to its MLflow run."""
    folder = checkpoint_dir()
    record_path = folder / RECORD_FILE
    if not record_path.is_file():
        raise FileNotFoundError(f"{record_path}: no trained checkpoint; run the train step first")
    record = json.loads(record_path.read_text(encoding="utf-8"))
    run_id = _training_run_id()

    def write(target: Path) -> None:
        shutil.copytree(folder, target, dirs_exist_ok=True)

    metadata = {
        key: record[key] for key in ("perplexity_first", "perplexity_last", "perplexity_untrained", "train_seconds", "device")
    }
    metadata["architecture"] = "GPT2LMHeadModel"
    if run_id:
        metadata["mlflow_run_id"] = run_id
    stored = keep_trained_model(MODEL_NAME, write, framework="transformers", settings=record["settings"], metadata=metadata)
    files = sorted(str(p.relative_to(stored.path)) for p in stored.path.rglob("*") if p.is_file())
    print(f"in the store: {', '.join(files)}")
    linked = False
    if run_id:
        from infrastructure.storage.mlflow_tracking import client

        try:
            mlflow_client, uri, _ = client()
            mlflow_client.set_tag(run_id, "bentoml_model", stored.tag)
            linked = True
            print(
                f"MLflow run {run_id} ({uri}) tagged bentoml_model={stored.tag}; it holds the checkpoint files as "
                f"artifacts and the model's metadata names the run"
            )
        except Exception as exc:  # tracking is best-effort
            events.log(f"MLflow: could not tag run {run_id} ({type(exc).__name__}: {exc})", level="warning")
    else:
        events.log("MLflow: no run of the train step found; the model is stored without a run link", level="warning")
    size_mb = sum(p.stat().st_size for p in stored.path.rglob("*") if p.is_file()) / 1e6
    events.metric("model_files", len(files))
    events.metric("model_megabytes", size_mb)
    return {
        "model_tag": stored.tag,
        "model_files": len(files),
        "model_megabytes": size_mb,
        "mlflow_linked": linked,
        "perplexity_last": record["perplexity_last"],
    }


def load_stored_model(tag: str = MODEL_NAME, device: Any = None) -> tuple[Any, Any, dict[str, Any], str]:
    """(model, tokenizer, training record, full tag) of a stored version (default: the newest)."""
    from infrastructure.storage.bentoml_model_store import find_model

    found = find_model(tag)
    if found is None:
        raise LookupError(f"no model '{tag}' in the BentoML model store; run the store step first")
    model, tokenizer, record = load_checkpoint(found.path, device)
    return model, tokenizer, record, found.tag


def generate(
    prompt: str = "The model", max_new_tokens: int = 40, temperatures: list[float] | None = None, top_k: int = 40, seed: int = 0
) -> dict[str, Any]:
    """Sample from the stored model at each temperature (same seed, same prompt) and compare the texts."""
    from domain.models.generative.gpt.sampling import encode_prompt, generate_ids, text_pieces

    temperatures = [0.5, 1.5] if temperatures is None else [float(t) for t in temperatures]
    if not prompt.strip():
        raise ValueError("prompt: empty; give the model a few words to continue, e.g. --param prompt='The model'")
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens: must be at least 1, got {max_new_tokens}")
    model, tokenizer, _, tag = load_stored_model()
    prompt_ids = encode_prompt(tokenizer, prompt)
    print(f"model {tag}; prompt “{prompt}” = {len(prompt_ids) - 1} tokens; top-k {top_k}, seed {seed}")
    outputs: dict[str, Any] = {"tokens_requested": max_new_tokens}
    counts: list[int] = []
    for number, temperature in enumerate(temperatures, start=1):
        pieces = list(text_pieces(tokenizer, generate_ids(model, prompt_ids, max_new_tokens, temperature, top_k, seed)))
        text = prompt + "".join(piece for _, piece in pieces)
        distinct = len({token for token, _ in pieces}) / max(len(pieces), 1)
        counts.append(len(pieces))
        print(f"\ntemperature {temperature:g}: {len(pieces)} tokens, {distinct:.0%} of them distinct")
        for line in text.splitlines():
            print(f"    {line}")
        events.metric("distinct_token_share", distinct, step=number)
        outputs[f"distinct_share_t{number}"] = distinct
    outputs["tokens_generated"] = min(counts)
    outputs["tokens_missing"] = max_new_tokens - min(counts)
    for name in ("tokens_requested", "tokens_generated", "tokens_missing"):
        events.metric(name, outputs[name])
    return outputs
