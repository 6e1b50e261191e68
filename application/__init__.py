"""Application layer: use cases that orchestrate the domain (training, inference, validation, registry)."""
