"""A small PyTorch network for 8x8 digits, and the training loop pieces it needs.

What the PyTorch quickstart teaches, offline: a Dataset, DataLoaders, a model,
a loss and an optimizer, one function that trains an epoch and one that
evaluates. Callers decide what to report; this module only computes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class ArrayDataset(Dataset):
    """Rows of features and their labels as tensors (the data already fits in memory)."""

    def __init__(self, features: np.ndarray, labels: np.ndarray) -> None:
        self.features = torch.as_tensor(features, dtype=torch.float32)
        self.labels = torch.as_tensor(labels, dtype=torch.long)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.features[index], self.labels[index]


@dataclass(frozen=True)
class MLPConfig:
    n_features: int = 64
    hidden: int = 128
    n_classes: int = 10
    dropout: float = 0.1


def build_mlp(config: MLPConfig) -> nn.Module:
    return nn.Sequential(
        nn.Linear(config.n_features, config.hidden),
        nn.ReLU(),
        nn.Dropout(config.dropout),
        nn.Linear(config.hidden, config.hidden),
        nn.ReLU(),
        nn.Linear(config.hidden, config.n_classes),
    )


def make_loader(dataset: Dataset, batch_size: int, shuffle: bool, seed: int, sampler=None) -> DataLoader:
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        dataset, batch_size=batch_size, shuffle=shuffle and sampler is None, generator=generator, sampler=sampler, num_workers=0
    )


def pick_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def train_epoch(
    model: nn.Module,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    device: torch.device,
    on_batch: Callable[[int, float], None] | None = None,
) -> tuple[float, int]:
    """One pass over ``loader``; returns (summed loss, samples seen) so callers can average or all-reduce."""
    model.train()
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total_loss, seen = 0.0, 0
    for batch, (features, labels) in enumerate(loader):
        features, labels = features.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(features), labels)
        (loss / len(labels)).backward()
        optimizer.step()
        total_loss += float(loss.item())
        seen += len(labels)
        if on_batch is not None:
            on_batch(batch + 1, total_loss / seen)
    return total_loss, seen


@torch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader, device: torch.device) -> tuple[float, int, int]:
    """(summed loss, correct predictions, samples) over ``loader``."""
    model.eval()
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total_loss, correct, seen = 0.0, 0, 0
    for features, labels in loader:
        features, labels = features.to(device), labels.to(device)
        logits = model(features)
        total_loss += float(loss_fn(logits, labels).item())
        correct += int((logits.argmax(dim=1) == labels).sum().item())
        seen += len(labels)
    return total_loss, correct, seen


def seed_everything(seed: int) -> None:
    """Same seed, same weights, same batches, same result on CPU."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
