"""The experiment-tracking lesson's steps: the sweep and read-back use cases of the registry, run as they are (``application/registry/hyperparameter_sweep.py``).

Each step of lesson.toml names a function here; the use case reports its own
progress and metrics through ``shared/events``.
"""

from application.registry.hyperparameter_sweep import read_back, sweep

__all__ = ["sweep", "read_back"]
