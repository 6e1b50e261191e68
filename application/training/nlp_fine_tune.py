"""Use cases: beat zero-shot with labelled examples — a linear head on frozen embeddings, then fine-tuning."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from application.registry.experiment_tracking import tracked_training
from application.training.llm_zero_shot import zero_shot_accuracy
from application.training.trained_model_store import keep_trained_model
from domain.data.sources.topic_text_source import load_topic_sentences
from domain.models.generative.llm.sentence_encoder import embed, load_encoder
from domain.models.specialized.nlp.keywords import extract_keywords
from shared import events

MODEL_NAME = "topic_classifier_minilm"


@tracked_training
def linear_probe(regularisation: float = 1.0) -> dict[str, Any]:
    """Keep the encoder frozen; learn only a logistic-regression head on its embeddings."""
    from sklearn.linear_model import LogisticRegression

    tokenizer, model = load_encoder()
    train, test, labels = load_topic_sentences()
    zero_shot, _ = zero_shot_accuracy(tokenizer, model, test.texts, test.labels, labels)
    started = time.perf_counter()
    head = LogisticRegression(C=regularisation, max_iter=2000)
    head.fit(embed(train.texts, tokenizer, model), train.labels)
    accuracy = float(np.mean(head.predict(embed(test.texts, tokenizer, model)) == np.asarray(test.labels)))
    events.log(
        f"linear head on frozen embeddings: test accuracy {accuracy:.3f} (zero-shot {zero_shot:.3f}), "
        f"trained in {time.perf_counter() - started:.1f} s on {len(train.texts)} sentences"
    )
    events.metric("zero_shot_test_accuracy", zero_shot)
    events.metric("probe_test_accuracy", accuracy)
    return {"probe_test_accuracy": accuracy, "zero_shot_test_accuracy": zero_shot, "gain_over_zero_shot": accuracy - zero_shot}


@tracked_training
def fine_tune(
    epochs: int = 2, batch_size: int = 16, learning_rate: float = 5e-5, head_learning_rate: float = 1e-3, seed: int = 0
) -> dict[str, Any]:
    """Train the whole transformer (and a new head) on the labelled sentences for a short run on the CPU."""
    import torch

    from domain.models.specialized.nlp.topic_classifier import SentenceClassifier, predict, train_epoch

    torch.manual_seed(seed)
    tokenizer, encoder = load_encoder()
    train, test, labels = load_topic_sentences()
    index = {label: i for i, label in enumerate(labels)}
    before, _ = zero_shot_accuracy(tokenizer, encoder, test.texts, test.labels, labels)
    events.log(f"before: zero-shot test accuracy {before:.3f}")
    events.metric("zero_shot_test_accuracy", before)

    model = SentenceClassifier(encoder, len(labels))
    optimizer = torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": learning_rate},
            {"params": model.head.parameters(), "lr": head_learning_rate},
        ]
    )
    generator = torch.Generator().manual_seed(seed)
    steps_per_epoch = -(-len(train.texts) // batch_size)
    step = 0

    def on_step(loss: float) -> None:
        nonlocal step
        step += 1
        events.metric("train_loss", loss, step=step)
        events.progress(step, epochs * steps_per_epoch, "batches")

    started = time.perf_counter()
    gold = [index[label] for label in test.labels]
    accuracy = 0.0
    for epoch in range(1, epochs + 1):
        mean_loss = train_epoch(
            model, tokenizer, train.texts, [index[l] for l in train.labels], optimizer, batch_size, generator, on_step
        )
        accuracy = float(np.mean(np.asarray(predict(model, tokenizer, test.texts)) == np.asarray(gold)))
        events.metric("test_accuracy", accuracy, step=epoch)
        events.log(f"epoch {epoch}/{epochs}: mean train loss {mean_loss:.4f}, test accuracy {accuracy:.3f}")
    seconds = time.perf_counter() - started
    events.log(f"after: fine-tuned test accuracy {accuracy:.3f} (zero-shot was {before:.3f}) in {seconds:.0f} s")

    def write(folder: Path) -> None:
        encoder: Any = model.encoder  # a transformers model (untyped here)
        encoder.save_pretrained(folder / "encoder")
        tokenizer.save_pretrained(folder / "encoder")
        torch.save(model.head.state_dict(), folder / "head.pt")
        (folder / "labels.txt").write_text("\n".join(labels) + "\n")

    settings = {
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "head_learning_rate": head_learning_rate,
        "seed": seed,
    }
    stored = keep_trained_model(
        MODEL_NAME,
        write,
        framework="transformers",
        settings=settings,
        metadata={
            "test_accuracy": accuracy,
            "zero_shot_test_accuracy": before,
            "labels": labels,
            "base_model": "sentence-transformers/all-MiniLM-L6-v2",
            "train_seconds": seconds,
        },
    )
    return {
        "tuned_test_accuracy": accuracy,
        "zero_shot_test_accuracy": before,
        "gain_over_zero_shot": accuracy - before,
        "train_seconds": seconds,
        "model_tag": stored.tag,
    }


def keywords(top_k: int = 5) -> dict[str, Any]:
    """What each topic's training sentences are about, by YAKE keyword scores."""
    train, _, labels = load_topic_sentences()
    found = 0
    for label in labels:
        text = " ".join(t for t, l in zip(train.texts, train.labels, strict=True) if l == label)
        pairs = extract_keywords(text, top_k=top_k)
        found += bool(pairs)
        events.log(f"{label}:")
        for keyword, score in pairs:
            events.log(f"    {keyword:<28} {score:.4f}")
    return {"topics_with_keywords": found, "topics": len(labels)}
