"""The lesson.toml format (format_version 1), as pydantic models.

format_version = 1
id = "sklearn-iris"
title = "..."
layer = "application"            # domain | application | infrastructure | shared
summary = "..."
objectives = ["..."]
prerequisites = []               # lesson ids that must have run first
[requirements]
extras = ["sklearn"]             # pip extras of mlops-workbench the steps import
[provides]                       # what later lessons rely on, and how to probe it
description = "a trained iris model in the BentoML store"
probe = "application.registry.iris_registry:probe_trained"
[[steps]]
id = "train"
title = "..."
entry = "steps.py:train"         # the lesson's step script (a file in its folder) : function
timeout_s = 300
params = { config = "..." }
checks = [ { output = "test_accuracy", min = 0.9 } ]
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.constants import LAYERS

FORMAT_VERSION = 1
ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
ENTRY_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"
# A lesson's own script: a .py file inside its folder (no '..', no absolute path), then ':' and the function.
SCRIPT_PATTERN = r"^([A-Za-z_][A-Za-z0-9_]*/)*[A-Za-z_][A-Za-z0-9_]*\.py:[A-Za-z_][A-Za-z0-9_]*$"
ENTRY_LAYERS = ("domain", "application", "infrastructure", "shared")
ALL_LESSONS = "all"
# The words `--lesson` reads as a selection (every lesson, a layer's lessons): a lesson with one as its id could not run alone.
RESERVED_IDS: tuple[str, ...] = (ALL_LESSONS, *LAYERS)


def reserved_id_problem(lesson_id: str) -> str | None:
    """Why ``lesson_id`` cannot name a lesson, when it is a word ``--lesson`` reads as a selection; else None."""
    if lesson_id not in RESERVED_IDS:
        return None
    meaning = "every lesson" if lesson_id == ALL_LESSONS else f"the {lesson_id} layer's lessons"
    return f"'{lesson_id}' is reserved: `--lesson {lesson_id}` means {meaning}; choose another id"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Check(_Strict):
    """One condition on a step's outputs; a step passes when all its checks hold."""

    output: str = Field(min_length=1, description="name of a returned output or reported metric")
    min: float | None = None
    max: float | None = None
    equals: bool | int | float | str | None = None

    @model_validator(mode="after")
    def _has_condition(self) -> Check:
        if self.min is None and self.max is None and self.equals is None:
            raise ValueError("a check needs at least one of min, max or equals")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f"{self.output} ≥ {self.min:g}")
        if self.max is not None:
            parts.append(f"{self.output} ≤ {self.max:g}")
        if self.equals is not None:
            parts.append(f"{self.output} = {self.equals!r}")
        return " and ".join(parts)


def _validate_script(value: str, example: str) -> str:
    if not re.match(SCRIPT_PATTERN, value):
        raise ValueError(f"expected '<file>.py:<function>' naming a script in the lesson folder, e.g. '{example}'")
    return value


def _validate_entry(value: str) -> str:
    if not re.match(ENTRY_PATTERN, value):
        raise ValueError("expected 'package.module:function', e.g. 'application.training.iris_training:train'")
    top = value.split(".", 1)[0].split(":", 1)[0]
    if top not in ENTRY_LAYERS:
        raise ValueError(f"entry point must live in a layer package {list(ENTRY_LAYERS)}, got '{top}'")
    return value


class Step(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    entry: str
    params: dict[str, Any] = Field(default_factory=dict)
    timeout_s: float = Field(default=300, gt=0, le=6 * 3600)
    checks: list[Check] = Field(min_length=1)

    @field_validator("entry")
    @classmethod
    def _entry_in_the_lesson(cls, value: str) -> str:
        return _validate_script(value, "steps.py:train")

    @property
    def script(self) -> str:
        """The step script, relative to the lesson folder (``steps.py``)."""
        return self.entry.split(":", 1)[0]

    @property
    def function(self) -> str:
        return self.entry.split(":", 1)[1]


class Exercise(_Strict):
    """A file the learner edits; ``check`` runs their copy for real and ``checks`` judge its outputs."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    task: str = Field(min_length=1, description="what to do, in a few sentences")
    file: str = Field(min_length=1, description="starting version, relative to the lesson folder")
    solution: str = Field(min_length=1, description="reference solution, relative to the lesson folder")
    check: str = Field(description="'<file>.py:<function>' in the lesson folder that runs the learner's file")
    params: dict[str, Any] = Field(default_factory=dict)
    checks: list[Check] = Field(min_length=1)
    hints: list[str] = Field(min_length=1)
    timeout_s: float = Field(default=300, gt=0, le=3600)

    @field_validator("check")
    @classmethod
    def _check_in_the_lesson(cls, value: str) -> str:
        return _validate_script(value, "exercises/checks.py:check_budget")


class Requirements(_Strict):
    """What must be present (workbench/runner/requirements.py checks it before the first step)."""

    extras: list[str] = Field(default_factory=list, description="pip extras of mlops-workbench (pyproject.toml)")
    docker: bool = Field(False, description="needs a Docker Engine: told before running when none answers")
    gpu: Literal["none", "optional", "required"] = Field(
        "none", description="optional: uses a GPU when present (a note says CPU otherwise); required: skipped without one"
    )

    @field_validator("extras")
    @classmethod
    def _declared_extras(cls, value: list[str]) -> list[str]:
        from workbench.runner.extras import known_extras

        unknown = [extra for extra in value if extra not in known_extras()]
        if unknown:
            raise ValueError(f"unknown extra {unknown[0]!r}; pyproject.toml declares {', '.join(known_extras())}")
        return value


class Provides(_Strict):
    description: str = Field(min_length=1)
    probe: str

    @field_validator("probe")
    @classmethod
    def _probe_in_a_layer(cls, value: str) -> str:
        return _validate_entry(value)


class LessonSpec(_Strict):
    format_version: Literal[1]
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    layer: Literal[LAYERS]  # type: ignore[valid-type]  # the Literal is built from the LAYERS tuple at run time
    summary: str = Field(min_length=1)
    objectives: list[str] = Field(min_length=1)
    prerequisites: list[str] = Field(default_factory=list)
    requirements: Requirements = Field(default_factory=lambda: Requirements())
    provides: Provides | None = None
    steps: list[Step] = Field(min_length=1)
    exercises: list[Exercise] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _not_a_selection_word(cls, value: str) -> str:
        problem = reserved_id_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _unique_steps(self) -> LessonSpec:
        seen: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"step id '{step.id}' is used twice; step ids must be unique in a lesson")
            seen.add(step.id)
        if self.id in self.prerequisites:
            raise ValueError("a lesson cannot be its own prerequisite")
        return self


class StepText(_Strict):
    title: str = Field(min_length=1)


class ExerciseText(_Strict):
    title: str | None = None
    task: str | None = None
    hints: list[str] | None = None


class LessonText(_Strict):
    """``lesson.<lang>.toml``: a lesson's short texts in another language; whatever is left out stays English.

    title = "..."
    summary = "..."
    objectives = ["...", "..."]     # as many as lesson.toml has
    [steps.train]
    title = "..."
    [exercises.small-forest]
    title = "..."; task = "..."; hints = ["..."]
    """

    title: str | None = None
    summary: str | None = None
    objectives: list[str] | None = None
    steps: dict[str, StepText] = Field(default_factory=dict)
    exercises: dict[str, ExerciseText] = Field(default_factory=dict)

    def problems_against(self, spec: LessonSpec) -> list[str]:
        """What does not fit the English lesson (unknown ids, different counts) and what is missing."""
        found: list[str] = []
        step_ids = [step.id for step in spec.steps]
        exercises = {exercise.id: exercise for exercise in spec.exercises}
        for name in ("title", "summary", "objectives"):
            if getattr(self, name) is None:
                found.append(f"{name}: missing")
        if self.objectives is not None and len(self.objectives) != len(spec.objectives):
            found.append(f"objectives: {len(self.objectives)} items, lesson.toml has {len(spec.objectives)}")
        for step_id in self.steps:
            if step_id not in step_ids:
                found.append(f"steps.{step_id}: no step '{step_id}' in lesson.toml (steps: {', '.join(step_ids)})")
        for step_id in step_ids:
            if step_id not in self.steps:
                found.append(f"steps.{step_id}.title: missing")
        for exercise_id, text in self.exercises.items():
            if exercise_id not in exercises:
                found.append(f"exercises.{exercise_id}: no exercise '{exercise_id}' in lesson.toml")
            elif text.hints is not None and len(text.hints) != len(exercises[exercise_id].hints):
                found.append(
                    f"exercises.{exercise_id}.hints: {len(text.hints)} hints, lesson.toml has {len(exercises[exercise_id].hints)}"
                )
        for exercise_id in exercises:
            given = self.exercises.get(exercise_id)
            for name in ("title", "task", "hints"):
                if given is None or getattr(given, name) is None:
                    found.append(f"exercises.{exercise_id}.{name}: missing")
        return found
