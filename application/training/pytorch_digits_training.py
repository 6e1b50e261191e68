"""Use case: train the digits MLP with PyTorch, report every epoch, save it to the model store."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from application.registry.experiment_tracking import tracked_training
from application.registry.model_probes import DIGITS_TORCH_MODEL as MODEL_NAME
from application.training.trained_model_store import keep_trained_model
from domain.data.pipelines.splitting import train_val_test_split
from domain.data.sources.digits_source import load_digits_dataset
from shared import events


@tracked_training
def train(
    epochs: int = 15,
    batch_size: int = 64,
    learning_rate: float = 2e-3,
    hidden: int = 128,
    seed: int = 0,
    val_size: float = 0.15,
    test_size: float = 0.2,
) -> dict[str, Any]:
    import torch

    from domain.models.deep_learning.pytorch.digits_mlp import (
        ArrayDataset,
        MLPConfig,
        build_mlp,
        evaluate,
        make_loader,
        pick_device,
        seed_everything,
        train_epoch,
    )

    seed_everything(seed)
    device = pick_device()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    events.log(f"torch {torch.__version__}, training on {device} ({name}), {torch.get_num_threads()} CPU threads")
    events.status(f"device: {device} ({name})")

    train_set, val_set, test_set = train_val_test_split(load_digits_dataset(), val_size, test_size, seed)
    events.log(f"digits: {train_set.n_rows} train / {val_set.n_rows} validation / {test_set.n_rows} test images")
    train_loader = make_loader(ArrayDataset(train_set.features, train_set.labels), batch_size, True, seed)
    val_loader = make_loader(ArrayDataset(val_set.features, val_set.labels), 256, False, seed)
    test_loader = make_loader(ArrayDataset(test_set.features, test_set.labels), 256, False, seed)

    config = MLPConfig(n_features=train_set.features.shape[1], hidden=hidden, n_classes=len(train_set.class_names))
    model = build_mlp(config).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    events.log(str(model))

    batches = len(train_loader)
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):

        def report(batch: int, _loss: float, epoch: int = epoch) -> None:
            events.progress((epoch - 1) * batches + batch, epochs * batches, "batches")

        loss_sum, seen = train_epoch(model, train_loader, optimizer, device, on_batch=report)
        val_loss, val_correct, val_seen = evaluate(model, val_loader, device)
        events.metric("train_loss", loss_sum / seen, step=epoch)
        events.metric("val_loss", val_loss / val_seen, step=epoch)
        events.metric("val_accuracy", val_correct / val_seen, step=epoch)
        events.log(
            f"epoch {epoch:2d}/{epochs}: train_loss {loss_sum / seen:.4f}  val_loss {val_loss / val_seen:.4f}"
            f"  val_accuracy {val_correct / val_seen:.4f}"
        )
    seconds = time.perf_counter() - started

    _, test_correct, test_seen = evaluate(model, test_loader, device)
    test_accuracy = test_correct / test_seen
    events.metric("test_accuracy", test_accuracy)
    events.log(f"test accuracy {test_accuracy:.4f} after {epochs} epochs in {seconds:.1f} s")

    settings = {
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "hidden": hidden,
        "seed": seed,
        "val_size": val_size,
        "test_size": test_size,
    }

    def write(folder: Path) -> None:
        torch.save(model.state_dict(), folder / "model.pt")
        (folder / "architecture.json").write_text(json.dumps(config.__dict__))

    stored = keep_trained_model(
        MODEL_NAME,
        write,
        framework="pytorch",
        settings=settings,
        metadata={
            "test_accuracy": test_accuracy,
            "device": str(device),
            "train_seconds": seconds,
            "architecture": config.__dict__,
            "torch_version": str(torch.__version__),
        },
    )
    return {"test_accuracy": test_accuracy, "device": str(device), "train_seconds": seconds, "model_tag": stored.tag}
