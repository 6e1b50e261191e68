"""The pytorch-digits lesson's steps: the PyTorch training use case, run as they are (``application/training/pytorch_digits_training.py``).

Each step of lesson.toml names a function here; the use case reports its own
progress and metrics through ``shared/events``.
"""

from application.training.pytorch_digits_training import train

__all__ = ["train"]
