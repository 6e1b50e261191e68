"""Byte-level BPE: the tokenizer GPT-2 uses, trained here on our own text.

Byte-level means the base alphabet is the 256 byte values, so any text can be
encoded (nothing is ever "unknown"); BPE then merges the most frequent
adjacent pairs until the vocabulary has ``vocab_size`` entries, so common
words ("model", " the") become one token and rare ones are spelled in pieces.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

END_OF_TEXT = "<|endoftext|>"  # separates sentences, as in GPT-2; the model learns where a sentence ends


def train_tokenizer(texts: Iterable[str], vocab_size: int = 1024, min_frequency: int = 2) -> Any:
    """A ``tokenizers.Tokenizer`` trained on ``texts`` (deterministic for the same texts and settings)."""
    from tokenizers import ByteLevelBPETokenizer

    if vocab_size < 257 + 1:
        raise ValueError(f"vocab_size: {vocab_size} is too small; byte-level BPE needs 256 bytes + {END_OF_TEXT} at least")
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        list(texts), vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=[END_OF_TEXT], show_progress=False
    )
    return bpe._tokenizer  # the plain Tokenizer: it saves to and loads from one tokenizer.json


def save_tokenizer(tokenizer: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tokenizer.save(str(tmp))
    tmp.replace(path)
    return path


def load_tokenizer(path: Path) -> Any:
    from tokenizers import Tokenizer

    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no tokenizer here (train one first)")
    return Tokenizer.from_file(str(path))


def end_of_text_id(tokenizer: Any) -> int:
    found = tokenizer.token_to_id(END_OF_TEXT)
    if found is None:
        raise ValueError(f"the tokenizer has no {END_OF_TEXT} token")
    return int(found)


def chars_per_token(tokenizer: Any, texts: list[str]) -> float:
    """How much text one token covers on average (higher: the vocabulary fits the text better)."""
    tokens = sum(len(encoding.ids) for encoding in tokenizer.encode_batch(texts))
    return sum(map(len, texts)) / max(tokens, 1)
