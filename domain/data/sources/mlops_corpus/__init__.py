"""The MLOps corpus: 3,000 English sentences about MLOps, written by this project (see DATA_CARD.md here).

from domain.data.sources.mlops_corpus import load_mlops_corpus
corpus = load_mlops_corpus()
corpus.train[:3], len(corpus.heldout)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "mlops_corpus.jsonl"
SPLITS = ("train", "heldout")


@dataclass(frozen=True)
class TextCorpus:
    train: list[str]
    heldout: list[str]

    def describe(self) -> str:
        def words(lines: list[str]) -> int:
            return sum(len(line.split()) for line in lines)

        return (
            f"{len(self.train)} training sentences ({words(self.train)} words), "
            f"{len(self.heldout)} held-out sentences ({words(self.heldout)} words)"
        )


def load_mlops_corpus(path: Path = DATA_FILE) -> TextCorpus:
    """Both splits, in file order; a malformed line is named with its number."""
    found: dict[str, list[str]] = {split: [] for split in SPLITS}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or row.get("split") not in SPLITS:
            raise ValueError(f"{path}: line {number}: expected text (a string) and split ('train' or 'heldout'), got {row}")
        found[row["split"]].append(row["text"])
    for split, lines in found.items():
        if not lines:
            raise ValueError(f"{path}: no sentences in the '{split}' split")
    return TextCorpus(train=found["train"], heldout=found["heldout"])
