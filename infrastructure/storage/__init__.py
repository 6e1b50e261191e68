"""Storage adapters: where models and artifacts are kept."""
