"""Check for the training-loop exercise: the learner's train_epoch must actually teach the network."""

from __future__ import annotations

from domain.data.pipelines.splitting import train_val_test_split
from domain.data.sources.digits_source import load_digits_dataset
from shared import events
from workbench.runner.child.learner_code import load_learner_module, require


def check_training_loop(path: str, epochs: int = 5) -> dict:
    import torch
    from torch import nn

    from domain.models.deep_learning.pytorch.digits_mlp import (
        ArrayDataset,
        MLPConfig,
        build_mlp,
        evaluate,
        make_loader,
        seed_everything,
    )

    train_epoch = require(load_learner_module(path), "train_epoch", "a function (model, loader, optimizer, loss_fn) -> mean loss")
    seed_everything(0)
    train, _, test = train_val_test_split(load_digits_dataset(), 0.15, 0.2, 0)
    loader = make_loader(ArrayDataset(train.features, train.labels), 64, True, 0)
    test_loader = make_loader(ArrayDataset(test.features, test.labels), 256, False, 0)
    model = build_mlp(MLPConfig())
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    device = torch.device("cpu")
    for epoch in range(1, epochs + 1):
        loss = float(train_epoch(model, loader, optimizer, nn.CrossEntropyLoss()))
        _, correct, seen = evaluate(model, test_loader, device)
        events.metric("train_loss", loss, step=epoch)
        events.log(f"epoch {epoch}: your train_epoch returned loss {loss:.4f}; test accuracy {correct / seen:.3f}")
    accuracy = correct / seen
    summary = (
        f"test accuracy {accuracy:.3f} after {epochs} epochs"
        if accuracy >= 0.9
        else f"test accuracy {accuracy:.3f} after {epochs} epochs: the network is not learning"
    )
    return {"test_accuracy": accuracy, "summary": summary}
