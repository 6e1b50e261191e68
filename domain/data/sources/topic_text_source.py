"""The topic-sentences data set (written by this project; see topic_sentences/DATA_CARD.md)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "topic_sentences" / "topic_sentences.jsonl"


@dataclass(frozen=True)
class TextSplit:
    texts: list[str]
    labels: list[str]

    def majority_baseline(self, reference: TextSplit | None = None) -> float:
        """Accuracy of always answering the most common label of ``reference`` (default: this split)."""
        majority, _ = Counter((reference or self).labels).most_common(1)[0]
        return sum(label == majority for label in self.labels) / len(self.labels)


def load_topic_sentences(path: Path = DATA_FILE) -> tuple[TextSplit, TextSplit, list[str]]:
    """(train, test, label names in a stable order)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for number, row in enumerate(rows, start=1):
        if not {"text", "label", "split"} <= row.keys() or row["split"] not in ("train", "test"):
            raise ValueError(f"{path}: line {number}: expected text, label and split ('train' or 'test'), got {row}")
    train = TextSplit([r["text"] for r in rows if r["split"] == "train"], [r["label"] for r in rows if r["split"] == "train"])
    test = TextSplit([r["text"] for r in rows if r["split"] == "test"], [r["label"] for r in rows if r["split"] == "test"])
    return train, test, sorted({r["label"] for r in rows})
