"""``mlops-workbench lessons check``: prove every lesson can load and run.

Checks: every lesson.toml validates; every step's entry point (and every
``provides`` probe) imports and accepts the lesson's parameters (verified in
a child process); every README names the files its steps run; every lesson
has its translations (``README.zh-TW.md`` and ``lesson.zh-TW.toml`` with every
title), so none silently falls behind the English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

    return query_child("workbench.curriculum.entry_probe", stdin=requests)


def _check_exercises(curriculum: Curriculum, report: CheckReport) -> None:
    """Every exercise must fail as shipped and pass with its reference solution (checks run for real)."""
    import asyncio
    import tempfile
    from pathlib import Path

    from workbench.runner.exercise_runner import check_exercise

    seen: set[str] = set()
    for lesson, exercise in curriculum.exercises():
        if exercise.id in seen:
            report.problems.append(f"{lesson.folder / 'lesson.toml'}: exercises: id '{exercise.id}' is used twice")
        seen.add(exercise.id)
    with tempfile.TemporaryDirectory(prefix="lessons-check-") as tmp:
        home = Path(tmp)
        for lesson, exercise in curriculum.exercises():
            start = asyncio.run(check_exercise(home, lesson, exercise, lesson.folder / exercise.file))
            solved = asyncio.run(check_exercise(home, lesson, exercise, lesson.folder / exercise.solution))
            where = f"{lesson.folder / 'lesson.toml'}: exercise '{exercise.id}'"
            if start.passed:
                report.problems.append(f"{where}: the starting file already passes ({start.summary})")
            if not solved.passed:
                report.problems.append(f"{where}: the solution does not pass ({solved.summary})")
            report.exercises.append(f"{exercise.id}: unsolved {'FAILS' if not start.passed else 'passes!'} "
                                    f"({start.summary}); solution {'PASSES' if solved.passed else 'fails!'} ({solved.summary})")


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
        for step in lesson.spec.steps:
            requests.append({"entry": step.entry, "params": step.params})
            owners.append(f"{lesson.folder / 'lesson.toml'}: steps (id '{step.id}').entry")
            module_file = step.module.replace(".", "/") + ".py"
            for name, readme in readmes.items():
                if module_file not in readme:
                    report.problems.append(
                        f"{lesson.folder / name}: does not name '{module_file}', the file step '{step.id}' runs"
                    )
        if lesson.spec.provides is not None:
            requests.append({"entry": lesson.spec.provides.probe, "params": {}})
            owners.append(f"{lesson.folder / 'lesson.toml'}: provides.probe")
    if requests:
        for owner, result in zip(owners, _probe_entries(requests)):
            if result["missing_extra"]:
                report.warnings.append(f"{owner}: '{result['entry']}' not verified: {result['problem']}")
            elif not result["ok"]:
                report.problems.append(f"{owner}: '{result['entry']}' {result['problem']}")
    from workbench.i18n_coverage import missing

    for lang in TRANSLATED_LANGUAGES:
        report.missing_translations.extend(
            f"workbench/locales/{lang}.toml: no translation for the UI string {text!r}" for text in missing(lang))
    if exercises:
        _check_exercises(curriculum, report)
    return report
