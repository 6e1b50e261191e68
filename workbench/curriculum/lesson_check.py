"""``mlops-workbench lessons check``: prove every lesson can load and run.

Checks: every lesson.toml validates; every step's entry point (and every
``provides`` probe) imports and accepts the lesson's parameters (verified in
a child process); every README names the files its steps run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.curriculum.lesson_loader import README_FILE, Curriculum


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _probe_entries(requests: list[dict]) -> list[dict]:
    from workbench.runner.child_query import query_child

    return query_child("workbench.curriculum.entry_probe", stdin=requests)


def check_curriculum(curriculum: Curriculum) -> CheckReport:
    report = CheckReport()
    for broken in curriculum.broken:
        report.problems.extend(broken.errors)
    requests: list[dict] = []
    owners: list[str] = []
    for lesson in curriculum.lessons:
        report.checked += 1
        readme = lesson.readme_text()
        for step in lesson.spec.steps:
            requests.append({"entry": step.entry, "params": step.params})
            owners.append(f"{lesson.folder / 'lesson.toml'}: steps (id '{step.id}').entry")
            module_file = step.module.replace(".", "/") + ".py"
            if module_file not in readme:
                report.problems.append(
                    f"{lesson.folder / README_FILE}: does not name '{module_file}', the file step '{step.id}' runs"
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
    return report
