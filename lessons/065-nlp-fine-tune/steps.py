"""The nlp-fine-tune lesson's steps: the fine-tuning and keyword use cases, run as they are (``application/training/nlp_fine_tune.py``).

Each step of lesson.toml names a function here; the use case reports its own
progress and metrics through ``shared/events``.
"""

from application.training.nlp_fine_tune import fine_tune, keywords, linear_probe

__all__ = ["linear_probe", "fine_tune", "keywords"]
