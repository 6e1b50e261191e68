"""Load a learner's exercise file as a module, by path (it lives in the workspace, not in a package)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any


class ExerciseError(ValueError):
    """The learner's file is missing something the exercise needs; the message says what."""


def load_learner_module(path: str | Path, name: str = "learner_exercise") -> ModuleType:
    path = Path(path)
    if not path.is_file():
        raise ExerciseError(f"{path}: the exercise file does not exist (reset the exercise to get it back)")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require(module: ModuleType, attribute: str, what: str) -> Any:
    if not hasattr(module, attribute):
        raise ExerciseError(f"{module.__file__}: define {attribute} ({what})")
    return getattr(module, attribute)
