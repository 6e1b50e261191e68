"""Run whole lessons: prerequisites first when their outputs are missing, then each step in order.

Used by the headless command line and by the TUI, so both behave the same:
a step's failure stops its lesson (later steps are skipped), lessons that
depend on a failed lesson are skipped with the reason, progress is saved.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from shared.configs.repository import REPO_ROOT
from shared.configs.workbench_home import check_home
from shared.events import Event
from shared.events.step_status import OK_STATUSES, StepStatus
from workbench.curriculum.lesson_loader import Curriculum, Lesson
from workbench.curriculum.lesson_schema import Step
from workbench.i18n import t
from workbench.progress_store import ProgressStore, lesson_verdict, verdict_from_steps
from workbench.runner.extras import install_hint, missing_extras
from workbench.runner.requirements import requirement_blocker, requirement_notes
from workbench.runner.step_runner import StepOutcome, StepRequest, StepRun

PROBE_TIMEOUT_S = 120.0


class LessonRenderer(Protocol):
    def note(self, message: str, level: str = "info") -> None: ...
    def lesson_started(self, lesson: Lesson, reason: str | None) -> None: ...
    def step_started(self, lesson: Lesson, step: Step, command: str) -> None: ...
    def event(self, lesson: Lesson, step: Step, event: Event) -> None: ...
    def step_finished(self, lesson: Lesson, step: Step, outcome: StepOutcome) -> None: ...
    def lesson_finished(self, report: LessonReport) -> None: ...


@dataclass
class StepReport:
    id: str
    title: str
    status: StepStatus
    duration_s: float
    summary: str
    metrics: dict[str, float] = field(default_factory=dict)
    log_tail: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == StepStatus.PASSED


@dataclass
class LessonReport:
    id: str
    title: str
    layer: str
    steps: list[StepReport] = field(default_factory=list)
    reason: str | None = None  # why it ran (prerequisite) or why it did not run
    skipped: bool = False

    @property
    def passed(self) -> bool:
        # A step that skipped itself (no Docker Engine here) does not fail its lesson;
        # steps skipped after a failure sit beside that failure, which does.
        return not self.skipped and bool(self.steps) and all(step.status in OK_STATUSES for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "layer": self.layer,
            "passed": self.passed,
            "skipped": self.skipped,
            "reason": self.reason,
            "steps": [
                {
                    "id": s.id,
                    "title": s.title,
                    "status": s.status,
                    "passed": s.passed,
                    "duration_s": round(s.duration_s, 3),
                    "summary": s.summary,
                    "metrics": s.metrics,
                }
                for s in self.steps
            ],
        }


def python_command(entry: str, params: dict[str, Any]) -> str:
    """The equivalent shell command of a step: its function called from plain Python."""
    target, _, function = entry.rpartition(":")
    arguments = ", ".join(f"{key}={value!r}" for key, value in params.items())
    if not target.endswith(".py"):
        return "python -c " + shlex.quote(f"from {target} import {function}; print({function}({arguments}))")
    script = Path(target)
    lesson_folder = next((parent for parent in script.parents if parent.parent.name == "lessons"), script.parent)
    module = ".".join(script.relative_to(lesson_folder).with_suffix("").parts)
    shown = lesson_folder.relative_to(REPO_ROOT) if lesson_folder.is_relative_to(REPO_ROOT) else lesson_folder
    code = f"from {module} import {function}; print({function}({arguments}))"
    return f"cd {shlex.quote(str(shown))} && python -c {shlex.quote(code)}"


def step_request(lesson: Lesson, step: Step, params: dict[str, Any] | None = None) -> StepRequest:
    return StepRequest(
        lesson_id=lesson.id,
        step_id=step.id,
        entry=lesson.script_entry(step.entry),
        params={**step.params, **(params or {})},
        checks=[check.model_dump(exclude_none=True) for check in step.checks],
        timeout_s=step.timeout_s,
        title=lesson.step_title(step),
    )


class LessonRunner:
    def __init__(
        self,
        curriculum: Curriculum,
        home: Path,
        renderer: LessonRenderer,
        progress: ProgressStore | None = None,
        on_run: Callable[[StepRun], None] | None = None,
    ) -> None:
        self.curriculum = curriculum
        self.home = home
        self.renderer = renderer
        self.progress = progress or ProgressStore.open(home)
        if self.progress.on_problem is None:  # a result is never lost silently (the app shows its own)
            self.progress.on_problem = lambda message: self.renderer.note(message, "error")
        self.on_run = on_run or (lambda run: None)
        self.cancelled = False
        self._current: StepRun | None = None

    def cancel(self) -> None:
        """End the running step's whole process tree and run nothing further."""
        self.cancelled = True
        if self._current is not None:
            self._current.cancel()

    async def _run_request(self, request: StepRequest, sink: Callable[[Event], None]) -> StepOutcome:
        run = StepRun(request, self.home, sink)
        self._current = run
        self.on_run(run)
        try:
            return await run.wait()
        finally:
            self._current = None

    async def _already_provided(self, lesson: Lesson) -> tuple[bool, str]:
        if lesson.spec.provides is None:
            passed = self.progress.lesson_status(lesson.id) == StepStatus.PASSED
            return passed, "passed before on this machine" if passed else "not passed yet on this machine"
        if missing_extras(lesson.spec.requirements.extras):
            return False, f"{lesson.spec.provides.description}: cannot be probed without its extras"
        request = StepRequest(
            lesson_id=lesson.id,
            step_id="probe",
            entry=lesson.spec.provides.probe,
            checks=[{"output": "present", "equals": True}],
            timeout_s=PROBE_TIMEOUT_S,
        )
        outcome = await self._run_request(request, lambda event: None)
        found = "found" if outcome.passed else "missing"
        return outcome.passed, f"{lesson.spec.provides.description}: {found}"

    async def plan(self, selected: list[Lesson]) -> list[tuple[Lesson, str | None]]:
        """Selected lessons plus the prerequisites whose outputs are missing, in a valid order."""
        wanted = {lesson.id for lesson in selected}
        extra: dict[str, str] = {}
        for lesson in selected:
            for pre in self.curriculum.prerequisites_of(lesson):
                if pre.id in wanted or pre.id in extra:
                    continue
                provided, why = await self._already_provided(pre)
                if provided:
                    self.renderer.note(
                        t("prerequisite '{pre}' of '{lesson}' is satisfied ({why})", pre=pre.id, lesson=lesson.id, why=why)
                    )
                else:
                    self.renderer.note(
                        t("running prerequisite '{pre}' first for '{lesson}' ({why})", pre=pre.id, lesson=lesson.id, why=why)
                    )
                    extra[pre.id] = f"prerequisite of {lesson.id}"
        chosen = [l for l in self.curriculum.lessons if l.id in wanted or l.id in extra]
        ordered: list[Lesson] = []

        def place(lesson: Lesson) -> None:
            if lesson in ordered:
                return
            for pre_id in lesson.spec.prerequisites:
                pre = self.curriculum.get(pre_id)
                if pre is not None and pre in chosen:
                    place(pre)
            ordered.append(lesson)

        for lesson in chosen:
            place(lesson)
        return [(lesson, extra.get(lesson.id)) for lesson in ordered]

    async def run_lesson(
        self, lesson: Lesson, reason: str | None = None, only_step: str | None = None, params: dict[str, Any] | None = None
    ) -> LessonReport:
        report = LessonReport(id=lesson.id, title=lesson.title, layer=lesson.layer, reason=reason)
        self.renderer.lesson_started(lesson, reason)
        missing = missing_extras(lesson.spec.requirements.extras)
        if missing:
            names = sorted(missing)
            report.skipped = True
            report.reason = f"needs extra {', '.join(names)}: {install_hint(names)}"
            self.renderer.note(report.reason, "error")
            self.progress.record_lesson(lesson.id, StepStatus.FAILED)
            self.renderer.lesson_finished(report)
            return report
        blocker = requirement_blocker(lesson.spec.requirements)
        if blocker:
            report.skipped, report.reason = True, blocker
            self.renderer.note(blocker, "warning")
            self.renderer.lesson_finished(report)
            return report
        for note in requirement_notes(lesson.spec.requirements):
            self.renderer.note(note, "warning")
        self.progress.record_lesson(lesson.id, StepStatus.RUNNING)
        stopped: str | None = None
        for step in lesson.spec.steps:
            if only_step is not None and step.id != only_step:
                continue
            if stopped is not None or self.cancelled:
                why = stopped or "run cancelled"
                report.steps.append(StepReport(step.id, lesson.step_title(step), StepStatus.SKIPPED, 0.0, f"skipped: {why}"))
                continue
            request = step_request(lesson, step, params)
            self.renderer.step_started(lesson, step, python_command(request.entry, request.params))
            outcome = await self._run_request(request, partial(self.renderer.event, lesson, step))
            self.progress.record_step(lesson.id, step.id, outcome.status, outcome.duration_s, outcome.summary)
            self.renderer.step_finished(lesson, step, outcome)
            report.steps.append(
                StepReport(
                    step.id,
                    lesson.step_title(step),
                    outcome.status,
                    outcome.duration_s,
                    outcome.summary,
                    dict(outcome.metrics),
                    list(outcome.log_tail),
                )
            )
            if not outcome.ok:
                stopped = f"step '{step.id}' {outcome.status}"
        verdict = lesson_verdict([s.status for s in report.steps], report.passed, self.cancelled)
        if only_step is not None and report.passed:
            # One step passed: the lesson passes only when all its steps have (a `--step` run is not the lesson).
            whole = verdict_from_steps([self.progress.step_record(lesson.id, s.id) for s in lesson.spec.steps])
            self.progress.record_lesson(lesson.id, whole or verdict, verdict=whole is not None)
        else:
            self.progress.record_lesson(lesson.id, verdict)
        self.renderer.lesson_finished(report)
        return report

    async def run(
        self, selected: list[Lesson], only_step: str | None = None, params: dict[str, Any] | None = None
    ) -> list[LessonReport]:
        reports: list[LessonReport] = []
        failed: set[str] = set()
        home = check_home(self.home)  # read-only or full: say so in one line before anything runs
        for warning in home.warnings:
            self.renderer.note(warning, "warning")
        if home.problem is not None:
            self.renderer.note(home.problem, "error")
            for lesson in selected:
                reports.append(LessonReport(lesson.id, lesson.title, lesson.layer, reason=home.problem, skipped=True))
                self.renderer.lesson_finished(reports[-1])
            return reports
        for lesson, reason in await self.plan(selected):
            blocked = [pre for pre in self.curriculum.prerequisites_of(lesson) if pre.id in failed]
            if blocked or self.cancelled:
                why = f"prerequisite '{blocked[0].id}' did not pass" if blocked else "run cancelled"
                report = LessonReport(lesson.id, lesson.title, lesson.layer, reason=f"skipped: {why}", skipped=True)
                self.renderer.note(t("skipping '{lesson}': {why}", lesson=lesson.id, why=why), "error")
                self.renderer.lesson_finished(report)
            else:
                selected_here = lesson in selected
                try:
                    report = await self.run_lesson(
                        lesson,
                        reason,
                        only_step=only_step if selected_here else None,
                        params=params if selected_here else None,
                    )
                except BaseException:  # the run was torn down (its task cancelled, Ctrl-C): never left "running"
                    self.progress.finish_if_running(lesson.id, StepStatus.CANCELLED)
                    raise
            reports.append(report)
            if not report.passed:
                failed.add(lesson.id)
        return reports
