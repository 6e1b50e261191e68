"""``mlops-workbench lessons check``: prove every lesson can load and run.

Checks: every lesson.toml validates; every step's entry point (and every
``provides`` probe) imports and accepts the lesson's parameters (verified in
a child process); every README names the step script and the layer modules
it imports (so a learner can find the code that runs); every lesson
has its translations (``README.zh-TW.md`` and ``lesson.zh-TW.toml`` with every
title), so none silently falls behind the English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workbench.curriculum.lesson_loader import README_FILE, TRANSLATED_LANGUAGES, Curriculum, readme_file


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    exercises: list[str] = field(default_factory=list)
    missing_translations: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.missing_translations


def _probe_entries(requests: list[dict]) -> list[dict]:
    from workbench.runner.child_query import query_child

    return query_child("workbench.runner.child.entry_probe", stdin=requests)


# Plumbing every step may use without the README naming it: the events protocol, the home and repository paths,
# constants, atomic writes, local HTTP/ports. What a README must name is the layer code the lesson teaches.
PLUMBING = (
    "shared",
    "shared.events",
    "shared.configs",
    "shared.constants",
    "shared.utils.atomic_files",
    "shared.utils.local_http",
    "shared.utils.local_network",
)


def layer_files_of(script: Path) -> list[str]:
    """The layer modules a lesson script imports, as repo-relative paths (plumbing aside, see PLUMBING)."""
    import ast

    from workbench.curriculum.lesson_schema import ENTRY_LAYERS
    from workbench.curriculum.step_signature import imported_modules, module_source

    try:
        tree = ast.parse(script.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return []
    return [
        str(module_source(name))
        for name in imported_modules(tree)
        if name.split(".")[0] in ENTRY_LAYERS and not any(name == p or name.startswith(p + ".") for p in PLUMBING)
    ]


def _check_exercises(curriculum: Curriculum, report: CheckReport) -> None:
    """Every exercise must fail as shipped and pass with its reference solution (checks run for real, in parallel)."""
    import asyncio
    import os
    import tempfile

    from workbench.curriculum.lesson_loader import Lesson
    from workbench.curriculum.lesson_schema import Exercise
    from workbench.runner.exercise_runner import check_exercise
    from workbench.runner.step_runner import StepOutcome

    seen: set[str] = set()
    for lesson, exercise in curriculum.exercises():
        if exercise.id in seen:
            report.problems.append(f"{lesson.folder / 'lesson.toml'}: exercises: id '{exercise.id}' is used twice")
        seen.add(exercise.id)

    async def both(home: Path, lesson: Lesson, exercise: Exercise, gate: asyncio.Semaphore) -> tuple[StepOutcome, StepOutcome]:
        async with gate:  # each check is a child process: as many at once as there are cores
            start = await check_exercise(home / f"{exercise.id}-start", lesson, exercise, lesson.folder / exercise.file)
        async with gate:
            solved = await check_exercise(home / f"{exercise.id}-solved", lesson, exercise, lesson.folder / exercise.solution)
        return start, solved

    async def all_checks(home: Path) -> list[tuple[StepOutcome, StepOutcome]]:
        gate = asyncio.Semaphore(max(1, os.cpu_count() or 1))
        return await asyncio.gather(*(both(home, lesson, exercise, gate) for lesson, exercise in curriculum.exercises()))

    with tempfile.TemporaryDirectory(prefix="lessons-check-") as tmp:
        results = asyncio.run(all_checks(Path(tmp)))
    for (lesson, exercise), (start, solved) in zip(curriculum.exercises(), results, strict=True):
        where = f"{lesson.folder / 'lesson.toml'}: exercise '{exercise.id}'"
        if start.passed:
            report.problems.append(f"{where}: the starting file already passes ({start.summary})")
        if not solved.passed:
            report.problems.append(f"{where}: the solution does not pass ({solved.summary})")
        report.exercises.append(
            f"{exercise.id}: unsolved {'FAILS' if not start.passed else 'passes!'} "
            f"({start.summary}); solution {'PASSES' if solved.passed else 'fails!'} ({solved.summary})"
        )


def check_curriculum(curriculum: Curriculum, exercises: bool = True) -> CheckReport:
    report = CheckReport()
    for broken in curriculum.broken:
        report.problems.extend(broken.errors)
    requests: list[dict] = []
    owners: list[str] = []
    for lesson in curriculum.lessons:
        report.checked += 1
        readmes = {README_FILE: (lesson.folder / README_FILE).read_text(encoding="utf-8")}
        for lang in TRANSLATED_LANGUAGES:
            translated = lesson.folder / readme_file(lang)
            if translated.is_file():
                readmes[translated.name] = translated.read_text(encoding="utf-8")
            report.missing_translations.extend(lesson.text_problems.get(lang, []))
        named: set[tuple[str, str]] = set()
        for step in lesson.spec.steps:
            requests.append({"entry": lesson.script_entry(step.entry), "params": step.params})
            owners.append(f"{lesson.folder / 'lesson.toml'}: steps (id '{step.id}').entry")
            for needed in [step.script, *layer_files_of(lesson.folder / step.script)]:
                for name, readme in readmes.items():
                    if needed not in readme and (name, needed) not in named:
                        named.add((name, needed))
                        report.problems.append(f"{lesson.folder / name}: does not name '{needed}', which step '{step.id}' runs")
        if lesson.spec.provides is not None:
            requests.append({"entry": lesson.spec.provides.probe, "params": {}})
            owners.append(f"{lesson.folder / 'lesson.toml'}: provides.probe")
    if requests:
        for owner, result in zip(owners, _probe_entries(requests), strict=True):
            if result["missing_extra"]:
                report.warnings.append(f"{owner}: '{result['entry']}' not verified: {result['problem']}")
            elif not result["ok"]:
                report.problems.append(f"{owner}: '{result['entry']}' {result['problem']}")
    from workbench.i18n_coverage import missing

    for lang in TRANSLATED_LANGUAGES:
        report.missing_translations.extend(
            f"workbench/locales/{lang}.toml: no translation for the UI string {text!r}" for text in missing(lang)
        )
    if exercises:
        _check_exercises(curriculum, report)
    return report
