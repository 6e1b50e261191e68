"""The same digits network in Keras 3 (TensorFlow backend): define, compile, and nothing else."""

from __future__ import annotations


def build_keras_mlp(
    n_features: int = 64, hidden: int = 128, n_classes: int = 10, dropout: float = 0.1, learning_rate: float = 2e-3
):
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(n_features,)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(n_classes),
        ],
        name="digits_mlp",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model
