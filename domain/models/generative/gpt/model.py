"""The model: GPT-2's architecture (``transformers`` GPT2Config), shrunk to train in about a minute on a CPU."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class GPTSettings:
    """The size of the network. GPT-2 small is n_layer=12, n_head=12, n_embd=768, context=1024 (124 M parameters)."""

    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 128
    context: int = 64  # tokens the model sees at once (n_positions)
    dropout: float = 0.0

    def __post_init__(self) -> None:
        for name in ("n_layer", "n_head", "n_embd", "context"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: must be at least 1, got {getattr(self, name)}")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def seed_everything(seed: int) -> None:
    """Python, NumPy and torch (CPU and every GPU) draw the same numbers on every run."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds CUDA when present
    torch.use_deterministic_algorithms(True, warn_only=True)  # where an op has no deterministic version: a warning


def pick_device() -> Any:
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def build_model(settings: GPTSettings, vocab_size: int, end_of_text: int) -> Any:
    """A fresh, randomly initialised GPT2LMHeadModel (its weights depend only on the torch seed)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(
        vocab_size=vocab_size,
        n_positions=settings.context,
        n_embd=settings.n_embd,
        n_layer=settings.n_layer,
        n_head=settings.n_head,
        resid_pdrop=settings.dropout,
        embd_pdrop=settings.dropout,
        attn_pdrop=settings.dropout,
        bos_token_id=end_of_text,
        eos_token_id=end_of_text,
    )
    return GPT2LMHeadModel(config)


def count_parameters(model: Any) -> int:
    return sum(p.numel() for p in model.parameters())
