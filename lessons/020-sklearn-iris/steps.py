"""The sklearn-iris lesson's steps: the training use case itself, run as they are (``application/training/iris_training.py``).

Each step of lesson.toml names a function here; the use case reports its own
progress and metrics through ``shared/events``.
"""

from application.training.iris_training import train

__all__ = ["train"]
