"""Next-token training: the whole of "training an LLM", at a size that fits a laptop.

The corpus becomes one long stream of token ids (sentences separated by
<|endoftext|>). A training example is any window of ``context`` tokens from
the stream; the model predicts every token from the ones before it, and the
loss is the cross-entropy of those predictions. Perplexity is exp(mean loss)
on text the model never trained on: "how many tokens was it choosing between,
on average". An untrained model with a vocabulary of 1,024 scores about 1,024.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.models.generative.gpt.tokenizer import end_of_text_id


@dataclass(frozen=True)
class TrainSettings:
    steps: int = 400
    batch_size: int = 32
    learning_rate: float = 3e-3
    warmup_steps: int = 20
    eval_every: int = 40
    weight_decay: float = 0.01
    clip_norm: float = 1.0

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "eval_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: must be at least 1, got {getattr(self, name)}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate: must be positive, got {self.learning_rate}")


def token_stream(tokenizer: Any, texts: list[str]) -> Any:
    """One 1-D LongTensor: <|endoftext|> sentence <|endoftext|> sentence ... <|endoftext|>."""
    import torch

    eot = end_of_text_id(tokenizer)
    ids = [eot]
    for encoding in tokenizer.encode_batch(texts):
        ids.extend(encoding.ids)
        ids.append(eot)
    return torch.tensor(ids, dtype=torch.long)


def random_windows(stream: Any, context: int, batch_size: int, generator: Any) -> Any:
    """``batch_size`` windows of ``context`` tokens at random offsets (drawn from ``generator``: reproducible)."""
    import torch

    if len(stream) <= context:
        raise ValueError(f"the token stream ({len(stream)} tokens) is shorter than one window ({context} tokens)")
    starts = torch.randint(0, len(stream) - context, (batch_size,), generator=generator)
    return torch.stack([stream[s : s + context] for s in starts.tolist()])


def covering_windows(stream: Any, context: int) -> Any:
    """Windows of ``context`` tokens overlapping by one, so every token after the first is predicted exactly once;
    the last window is padded with -1 (ignored by the loss)."""
    import torch

    if context < 2:
        raise ValueError(f"context: needs at least 2 tokens to predict one from another, got {context}")
    windows = []
    for start in range(0, len(stream) - 1, context - 1):
        piece = stream[start : start + context]
        if len(piece) < context:
            piece = torch.cat([piece, piece.new_full((context - len(piece),), -1)])
        windows.append(piece)
    return torch.stack(windows)


def next_token_loss(model: Any, batch: Any, reduction: str = "mean") -> Any:
    """Cross-entropy of predicting token t+1 from tokens 0..t, for every position (-1 marks padding)."""
    import torch.nn.functional as F

    inputs = batch.clamp(min=0)
    logits = model(input_ids=inputs).logits[:, :-1]
    targets = batch[:, 1:]
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index=-1, reduction=reduction)


def perplexity(model: Any, stream: Any, context: int, device: Any, batch_size: int = 64) -> float:
    """exp(mean next-token loss) over the whole stream, without gradients."""
    import torch

    windows = covering_windows(stream, context)
    total, count = 0.0, 0
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for start in range(0, len(windows), batch_size):
            batch = windows[start : start + batch_size].to(device)
            total += float(next_token_loss(model, batch, reduction="sum"))
            count += int((batch[:, 1:] >= 0).sum())
    model.train(was_training)
    return math.exp(total / max(count, 1))


def learning_rate_at(step: int, settings: TrainSettings) -> float:
    """Linear warm-up, then cosine decay to a tenth of the peak."""
    if step < settings.warmup_steps:
        return settings.learning_rate * (step + 1) / settings.warmup_steps
    progress = (step - settings.warmup_steps) / max(settings.steps - settings.warmup_steps, 1)
    return settings.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))


def train_language_model(
    model: Any,
    train_stream: Any,
    heldout_stream: Any,
    settings: TrainSettings,
    context: int,
    device: Any,
    generator: Any,
    on_step: Callable[[int, float], None] | None = None,
    on_eval: Callable[[int, float], None] | None = None,
) -> list[tuple[int, float]]:
    """AdamW on random windows for ``settings.steps`` steps; held-out perplexity every ``eval_every`` steps
    (and after the last). Returns [(step, perplexity), ...]."""
    import torch

    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    evaluations: list[tuple[int, float]] = []
    for step in range(1, settings.steps + 1):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate_at(step - 1, settings)
        batch = random_windows(train_stream, context, settings.batch_size, generator).to(device)
        loss = next_token_loss(model, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), settings.clip_norm)
        optimizer.step()
        if on_step is not None:
            on_step(step, float(loss.detach()))
        if step % settings.eval_every == 0 or step == settings.steps:
            value = perplexity(model, heldout_stream, context, device)
            evaluations.append((step, value))
            if on_eval is not None:
                on_eval(step, value)
    model.eval()
    return evaluations
