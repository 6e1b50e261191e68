"""The llm-zero-shot lesson's steps: the zero-shot use cases, run as they are (``application/training/llm_zero_shot.py``).

Each step of lesson.toml names a function here; the use case reports its own
progress and metrics through ``shared/events``.
"""

from application.training.llm_zero_shot import classify, evaluate

__all__ = ["evaluate", "classify"]
