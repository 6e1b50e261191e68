"""The model-validation lesson's steps: the validation use case itself, run as they are (``application/validation/model_validation.py``).

Each step of lesson.toml names a function here; the use case reports its own
progress and metrics through ``shared/events``.
"""

from application.validation.model_validation import validate

__all__ = ["validate"]
