"""A topic classifier made by fine-tuning the sentence encoder: encoder + mean pooling + a linear head."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from domain.models.generative.llm.sentence_encoder import mean_pool


class SentenceClassifier(nn.Module):
    def __init__(self, encoder: nn.Module, n_labels: int) -> None:
        super().__init__()
        self.encoder = encoder
        config: Any = encoder.config  # a transformers PretrainedConfig (untyped here)
        self.head = nn.Linear(int(config.hidden_size), n_labels)

    def forward(self, input_ids, attention_mask, **extra) -> torch.Tensor:
        tokens = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        return self.head(mean_pool(tokens, attention_mask))


def batches(texts: list[str], labels: list[int], size: int, generator: torch.Generator):
    order = torch.randperm(len(texts), generator=generator).tolist()
    for start in range(0, len(order), size):
        chosen = order[start : start + size]
        yield [texts[i] for i in chosen], torch.tensor([labels[i] for i in chosen])


def train_epoch(
    model: SentenceClassifier,
    tokenizer,
    texts: list[str],
    labels: list[int],
    optimizer,
    batch_size: int,
    generator: torch.Generator,
    on_step: Callable[[float], None] | None = None,
) -> float:
    model.train()
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for batch_texts, batch_labels in batches(texts, labels, batch_size, generator):
        encoded = tokenizer(batch_texts, padding=True, truncation=True, max_length=64, return_tensors="pt")
        optimizer.zero_grad()
        loss = loss_fn(model(**encoded), batch_labels)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.item()))
        if on_step is not None:
            on_step(losses[-1])
    return sum(losses) / max(len(losses), 1)


@torch.no_grad()
def predict(model: SentenceClassifier, tokenizer, texts: list[str], batch_size: int = 64) -> list[int]:
    model.eval()
    out: list[int] = []
    for start in range(0, len(texts), batch_size):
        encoded = tokenizer(texts[start : start + batch_size], padding=True, truncation=True, max_length=64, return_tensors="pt")
        out += model(**encoded).argmax(dim=1).tolist()
    return out
