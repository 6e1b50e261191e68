"""Infrastructure layer: adapters to the outside world (model store, containers, monitoring, CI)."""
