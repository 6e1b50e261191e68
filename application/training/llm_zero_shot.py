"""Use case: classify texts against labels nobody trained for, with a packaged sentence encoder."""

from __future__ import annotations

from typing import Any

import numpy as np

from domain.data.sources.topic_text_source import load_topic_sentences
from domain.models.generative.llm.sentence_encoder import embed, load_encoder, model_dir
from domain.models.generative.llm.zero_shot import describe, scores
from shared import events
from shared.configs.workbench_home import step_artifacts_dir
from shared.utils.atomic_files import write_json_atomic


def print_score_table(texts: list[str], labels: list[str], probabilities: np.ndarray, top: int = 3) -> None:
    """The label/score table the seed's CLI printed, one block per text."""
    for text, row in zip(texts, probabilities, strict=True):
        events.log(f"“{text}”")
        for index in np.argsort(row)[::-1][:top]:
            events.log(f"    {labels[index]:<12} {row[index]:.3f}  {'█' * int(round(row[index] * 20))}")


def zero_shot_accuracy(tokenizer, model, texts: list[str], gold: list[str], labels: list[str]) -> tuple[float, np.ndarray]:
    probabilities = scores(embed(texts, tokenizer, model), embed([describe(l) for l in labels], tokenizer, model))
    predicted = [labels[i] for i in probabilities.argmax(axis=1)]
    return float(np.mean([p == g for p, g in zip(predicted, gold, strict=True)])), probabilities


def evaluate(show: int = 5) -> dict[str, Any]:
    events.status(f"loading all-MiniLM-L6-v2 from {model_dir()} (offline)")
    tokenizer, model = load_encoder()
    train, test, labels = load_topic_sentences()
    events.log("labels and the descriptions they are matched against:")
    for label in labels:
        events.log(f"  {label:<12} {describe(label)}")
    accuracy, probabilities = zero_shot_accuracy(tokenizer, model, test.texts, test.labels, labels)
    baseline = test.majority_baseline(train)
    print_score_table(test.texts[:show], labels, probabilities[:show])
    events.log(f"zero-shot test accuracy {accuracy:.3f} vs majority-class baseline {baseline:.3f} on {len(test.texts)} sentences")
    events.metric("test_accuracy", accuracy)
    events.metric("majority_baseline", baseline)
    wrong = [
        {"text": t, "gold": g, "predicted": labels[int(p.argmax())]}
        for t, g, p in zip(test.texts, test.labels, probabilities, strict=True)
        if labels[int(p.argmax())] != g
    ]
    events.artifact(
        "report", write_json_atomic(step_artifacts_dir() / "zero_shot_errors.json", wrong), "the sentences zero-shot got wrong"
    )
    return {"test_accuracy": accuracy, "majority_baseline": baseline, "margin_over_baseline": accuracy - baseline}


def classify(texts: list[str], labels: list[str]) -> dict[str, Any]:
    """Your own texts against your own labels (edit the step's params)."""
    if not texts or not labels:
        raise ValueError("params 'texts' and 'labels' must each hold at least one string")
    tokenizer, model = load_encoder()
    probabilities = scores(embed(texts, tokenizer, model), embed([describe(l) for l in labels], tokenizer, model))
    print_score_table(texts, labels, probabilities, top=len(labels))
    return {"texts_classified": len(texts)}
