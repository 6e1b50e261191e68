"""Use case: train the digits network with Keras on TensorFlow, epoch by epoch as events."""

from __future__ import annotations

import os
import time
from typing import Any

from application.registry.experiment_tracking import tracked_training
from application.training.trained_model_store import keep_trained_model
from domain.data.pipelines.splitting import train_val_test_split
from domain.data.sources.digits_source import load_digits_dataset
from shared import events

MODEL_NAME = "digits_mlp_keras"


def _events_callback(epochs: int, batches: int):
    """A Keras callback that reports through the workbench events instead of Keras's progress bar."""
    import keras

    class EventsCallback(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epoch = 0

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch = epoch

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            events.progress(self.epoch * batches + batch + 1, epochs * batches, "batches")

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            logs = logs or {}
            step = epoch + 1
            events.metric("train_loss", float(logs["loss"]), step=step)
            events.metric("val_loss", float(logs["val_loss"]), step=step)
            events.metric("val_accuracy", float(logs["val_accuracy"]), step=step)
            events.log(
                f"epoch {step:2d}/{epochs}: train_loss {logs['loss']:.4f}  val_loss {logs['val_loss']:.4f}"
                f"  val_accuracy {logs['val_accuracy']:.4f}"
            )

    return EventsCallback()


@tracked_training
def train(
    epochs: int = 20,
    batch_size: int = 64,
    learning_rate: float = 2e-3,
    hidden: int = 128,
    seed: int = 0,
    val_size: float = 0.15,
    test_size: float = 0.2,
) -> dict[str, Any]:
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import tensorflow as tf

    from domain.models.deep_learning.tensorflow.digits_keras import build_keras_mlp

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    gpus = tf.config.list_physical_devices("GPU")
    built_with_cuda = tf.test.is_built_with_cuda()
    device = f"GPU ({len(gpus)} visible)" if gpus else "CPU"
    events.log(
        f"tensorflow {tf.__version__}, keras {keras.__version__}; built with CUDA: {built_with_cuda}; "
        f"GPUs TensorFlow sees: {[g.name for g in gpus] or 'none'}"
    )
    events.status(f"TensorFlow device: {device}")

    train_set, val_set, test_set = train_val_test_split(load_digits_dataset(), val_size, test_size, seed)
    events.log(f"digits: {train_set.n_rows} train / {val_set.n_rows} validation / {test_set.n_rows} test images")
    model = build_keras_mlp(train_set.features.shape[1], hidden, len(train_set.class_names), learning_rate=learning_rate)
    model.summary(print_fn=lambda line, **_: events.log(line))

    batches = -(-train_set.n_rows // batch_size)
    started = time.perf_counter()
    model.fit(
        train_set.features,
        train_set.labels,
        validation_data=(val_set.features, val_set.labels),
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        verbose=0,  # the callback reports; no progress-bar noise in the log
        callbacks=[_events_callback(epochs, batches)],
    )
    seconds = time.perf_counter() - started
    _, test_accuracy = model.evaluate(test_set.features, test_set.labels, verbose=0)
    test_accuracy = float(test_accuracy)
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
    stored = keep_trained_model(
        MODEL_NAME,
        lambda folder: model.save(folder / "model.keras"),
        framework="keras",
        settings=settings,
        metadata={
            "test_accuracy": test_accuracy,
            "device": device,
            "gpus_seen": len(gpus),
            "train_seconds": seconds,
            "tensorflow_version": str(tf.__version__),
            "keras_version": str(keras.__version__),
        },
    )
    return {"test_accuracy": test_accuracy, "gpus_seen": len(gpus), "train_seconds": seconds, "model_tag": stored.tag}
