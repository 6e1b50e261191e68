"""Find, parse and validate every lesson; one broken lesson never hides the others.

A lesson is a folder ``lessons/<NNN>-<id>/``: what it is (``lesson.toml``),
what it says (``README.md`` and its translations), what it runs (its step
script, ``steps.py``) and what the learner edits and how it is graded
(``exercises/``). Every problem is reported as ``<file>: <field>: <what was
expected>`` so the author knows exactly what to fix.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shared.configs.repository import REPO_ROOT
from shared.constants import LAYERS
from workbench import i18n
from workbench.curriculum.lesson_schema import ALL_LESSONS, Exercise, LessonSpec, LessonText, Step
from workbench.i18n import t

LESSON_FILE = "lesson.toml"
README_FILE = "README.md"
TRANSLATED_LANGUAGES = (i18n.ZH_TW,)  # every lesson ships these; `lessons check` lists what is missing
CLOSE_ENOUGH = 0.6  # difflib's ratio for "did you mean": a typo (sklearn-irs) is ~0.95, an unrelated id below 0.5


def readme_file(lang: str) -> str:
    return README_FILE if lang == i18n.ENGLISH else f"README.{lang}.md"


def text_file(lang: str) -> str:
    return f"lesson.{lang}.toml"


FOLDER_PATTERN = re.compile(r"^(?P<order>\d{3})-(?P<slug>[a-z0-9-]+)$")


def default_lessons_dir() -> Path:
    raw = os.environ.get("WORKBENCH_LESSONS_DIR")
    return Path(raw).expanduser().resolve() if raw else REPO_ROOT / "lessons"


@dataclass(frozen=True)
class Lesson:
    """A loaded lesson. Texts (title, steps, README) follow the current language, falling back to English."""

    spec: LessonSpec
    folder: Path
    order: int
    texts: dict[str, LessonText] = field(default_factory=dict)  # language -> lesson.<lang>.toml
    text_problems: dict[str, list[str]] = field(default_factory=dict)  # language -> what is missing or wrong

    @property
    def id(self) -> str:
        return self.spec.id

    def _text(self) -> LessonText | None:
        return self.texts.get(i18n.language())

    @property
    def title(self) -> str:
        text = self._text()
        return text.title if text and text.title else self.spec.title

    @property
    def summary(self) -> str:
        text = self._text()
        return text.summary if text and text.summary else self.spec.summary

    @property
    def objectives(self) -> list[str]:
        text = self._text()
        return list(text.objectives) if text and text.objectives else list(self.spec.objectives)

    def step_title(self, step: Step) -> str:
        text = self._text()
        translated = text.steps.get(step.id) if text else None
        return translated.title if translated else step.title

    def exercise_texts(self, exercise: Exercise) -> tuple[str, str, list[str]]:
        """(title, task, hints) of an exercise in the current language."""
        text = self._text()
        translated = text.exercises.get(exercise.id) if text else None
        if translated is None:
            return exercise.title, exercise.task, list(exercise.hints)
        return (
            translated.title or exercise.title,
            translated.task or exercise.task,
            list(translated.hints) if translated.hints else list(exercise.hints),
        )

    @property
    def layer(self) -> str:
        return self.spec.layer

    @property
    def readme_path(self) -> Path:
        translated = self.folder / readme_file(i18n.language())
        return translated if translated.is_file() else self.folder / README_FILE

    def readme_text(self) -> str:
        return self.readme_path.read_text(encoding="utf-8")

    def script_entry(self, entry: str) -> str:
        """``steps.py:train`` as the runner takes it: the script's absolute path, then ``:function``."""
        script, _, function = entry.partition(":")
        return f"{self.folder / script}:{function}"


@dataclass(frozen=True)
class BrokenLesson:
    """A lesson folder that could not be loaded, with every reason why."""

    folder: Path
    errors: tuple[str, ...]
    id: str
    order: int
    layer: str | None = None
    title: str | None = None


class SelectionError(ValueError):
    """A --lesson selection that names nothing known (bad usage: exit code 2)."""


@dataclass
class Curriculum:
    root: Path
    lessons: list[Lesson] = field(default_factory=list)
    broken: list[BrokenLesson] = field(default_factory=list)

    def get(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    @property
    def ids(self) -> list[str]:
        return [lesson.id for lesson in self.lessons]

    def close_matches(self, name: str, limit: int = 3, also: tuple[str, ...] = ()) -> list[str]:
        """The known ids (and ``also``: 'all', the layers) like ``name``, closest first; case does not count
        (ALL → all), and nothing is offered for a name like none of them."""
        known = self.ids + [b.id for b in self.broken if b.id not in self.ids] + [a for a in also if a not in self.ids]
        wanted = name.lower()
        ratio = {k: difflib.SequenceMatcher(None, wanted, k.lower()).ratio() for k in known}
        like = [k for k in known if ratio[k] >= CLOSE_ENOUGH or (len(wanted) >= 3 and wanted in k.lower())]  # gpu → gpu-health
        scored = sorted(like, key=lambda k: (-ratio[k], k))
        return scored[:limit]

    def by_layer(self, layer: str) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.layer == layer]

    def select(self, selection: str) -> list[Lesson]:
        """Lessons named by ``all``, a layer, an id, or a comma list of those, in curriculum order."""
        chosen: dict[str, Lesson] = {}
        for raw in selection.split(","):
            name = raw.strip()
            if not name:
                continue
            if name == ALL_LESSONS:
                found = list(self.lessons)
            elif name in LAYERS:
                found = self.by_layer(name)
            elif (lesson := self.get(name)) is not None:
                found = [lesson]
            else:
                broken = next((b for b in self.broken if b.id == name), None)
                if broken is not None:
                    errors = "; ".join(broken.errors)
                    raise SelectionError(t("lesson '{lesson}' is broken: {errors}", lesson=name, errors=errors))
                hint = self.close_matches(name, also=(ALL_LESSONS, *LAYERS))
                message = t("unknown lesson '{lesson}'.", lesson=name)
                message += " " + t("Closest matches: {ids}.", ids=", ".join(hint)) if hint else ""
                known = ", ".join(self.ids) or t("(none)")
                message += " " + t("Known lessons: {ids}; layers: {layers}; or 'all'.", ids=known, layers=", ".join(LAYERS))
                raise SelectionError(message)
            for lesson in found:
                chosen[lesson.id] = lesson
        if not chosen:
            raise SelectionError(t("no lessons selected by '{selection}'", selection=selection))
        return sorted(chosen.values(), key=lambda lesson: (lesson.order, lesson.id))

    def exercises(self) -> list[tuple[Lesson, Any]]:
        """Every (lesson, exercise), in curriculum order."""
        return [(lesson, exercise) for lesson in self.lessons for exercise in lesson.spec.exercises]

    def find_exercise(self, exercise_id: str) -> tuple[Lesson, Any] | None:
        return next(((l, e) for l, e in self.exercises() if e.id == exercise_id), None)

    def prerequisites_of(self, lesson: Lesson) -> list[Lesson]:
        """All prerequisites, transitively, in the order they must run."""
        ordered: list[Lesson] = []

        def visit(current: Lesson) -> None:
            for pre_id in current.spec.prerequisites:
                pre = self.get(pre_id)
                if pre is not None and pre not in ordered:
                    visit(pre)
                    ordered.append(pre)

        visit(lesson)
        return ordered


def _format_location(loc: tuple[Any, ...], data: Any) -> str:
    text = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                text += f" (id '{node['id']}')"
        else:
            text += ("." if text else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text or "(top level)"


def _format_validation_error(path: Path, exc: ValidationError, data: Any) -> list[str]:
    messages = []
    for error in exc.errors():
        where = _format_location(tuple(error["loc"]), data)
        kind = error["type"]
        if kind == "missing":
            what = "required field is missing"
        elif kind == "extra_forbidden":
            what = "unknown field (check the spelling against the lesson format)"
        else:
            what = error["msg"].removeprefix("Value error, ")
            if kind != "value_error" and "input" in error and not isinstance(error["input"], (dict, list)):
                what += f" (got {error['input']!r})"
        messages.append(f"{path}: {where}: {what}")
    return messages


def _load_one(folder: Path) -> Lesson | BrokenLesson:
    match = FOLDER_PATTERN.match(folder.name)
    order = int(match["order"]) if match else 999
    slug = match["slug"] if match else folder.name
    lesson_file = folder / LESSON_FILE

    def broken(*errors: str, data: Any = None) -> BrokenLesson:
        data = data if isinstance(data, dict) else {}
        layer = data.get("layer") if data.get("layer") in LAYERS else None
        title = data.get("title") if isinstance(data.get("title"), str) else None
        lesson_id = data.get("id") if isinstance(data.get("id"), str) else slug
        return BrokenLesson(folder=folder, errors=tuple(errors), id=lesson_id, order=order, layer=layer, title=title)

    if not lesson_file.is_file():
        return broken(f"{lesson_file}: missing; every lesson folder needs a {LESSON_FILE}")
    try:
        data = tomllib.loads(lesson_file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return broken(f"{lesson_file}: not valid TOML: {exc}")
    except (OSError, UnicodeDecodeError) as exc:
        return broken(f"{lesson_file}: cannot be read: {exc}")
    errors: list[str] = []
    if not match:
        errors.append(f"{folder}: folder name must be '<NNN>-<lesson id>', e.g. '020-sklearn-iris'")
    try:
        spec = LessonSpec.model_validate(data)
    except ValidationError as exc:
        return broken(*errors, *_format_validation_error(lesson_file, exc, data), data=data)
    if match and spec.id != slug:
        errors.append(f"{lesson_file}: id: '{spec.id}' does not match the folder name '{folder.name}' (expected '{slug}')")
    if not (folder / README_FILE).is_file():
        errors.append(f"{folder / README_FILE}: missing; every lesson explains itself in a README")
    for index, step in enumerate(spec.steps):
        if not (folder / step.script).is_file():
            errors.append(f"{lesson_file}: steps[{index}] (id '{step.id}').entry: '{step.script}' does not exist in {folder}")
    for index, exercise in enumerate(spec.exercises):
        check_script = exercise.check.partition(":")[0]
        if not (folder / check_script).is_file():
            errors.append(
                f"{lesson_file}: exercises[{index}] (id '{exercise.id}').check: '{check_script}' does not exist in {folder}"
            )
        for field_name in ("file", "solution"):
            relative = getattr(exercise, field_name)
            if not (folder / relative).is_file():
                errors.append(
                    f"{lesson_file}: exercises[{index}] (id '{exercise.id}').{field_name}: "
                    f"'{relative}' does not exist in {folder}"
                )
    if errors:
        return broken(*errors, data=data)
    texts, text_problems = _load_texts(folder, spec)
    return Lesson(spec=spec, folder=folder, order=order, texts=texts, text_problems=text_problems)


def _load_texts(folder: Path, spec: LessonSpec) -> tuple[dict[str, LessonText], dict[str, list[str]]]:
    """Each language's lesson.<lang>.toml and README.<lang>.md; problems are reported, never fatal (English stays)."""
    texts: dict[str, LessonText] = {}
    problems: dict[str, list[str]] = {}
    for lang in TRANSLATED_LANGUAGES:
        found: list[str] = []
        path = folder / text_file(lang)
        if not (folder / readme_file(lang)).is_file():
            found.append(f"{folder / readme_file(lang)}: missing (the {lang} README; English is shown instead)")
        if not path.is_file():
            found.append(f"{path}: missing (the lesson's titles in {lang}; English is shown instead)")
        else:
            try:
                text = LessonText.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
            except tomllib.TOMLDecodeError as exc:
                found.append(f"{path}: not valid TOML: {exc}")
            except ValidationError as exc:
                found.extend(_format_validation_error(path, exc, None))
            else:
                texts[lang] = text
                found.extend(f"{path}: {problem}" for problem in text.problems_against(spec))
        if found:
            problems[lang] = found
    return texts, problems


def _cross_check(curriculum: Curriculum) -> None:
    """Duplicate ids, unknown prerequisites and prerequisite cycles make a lesson broken."""
    seen: dict[str, Lesson] = {}
    good: list[Lesson] = []
    for lesson in curriculum.lessons:
        if lesson.id in seen:
            curriculum.broken.append(
                BrokenLesson(
                    folder=lesson.folder,
                    errors=(f"{lesson.folder / LESSON_FILE}: id: '{lesson.id}' is already used by {seen[lesson.id].folder}",),
                    id=lesson.id,
                    order=lesson.order,
                    layer=lesson.layer,
                    title=lesson.title,
                )
            )
            continue
        seen[lesson.id] = lesson
        good.append(lesson)
    known = {lesson.id for lesson in good} | {b.id for b in curriculum.broken}

    def cycle_from(start: Lesson) -> list[str] | None:
        stack = [(start.id, [start.id])]
        while stack:
            current, path = stack.pop()
            node = seen.get(current)
            for pre in node.spec.prerequisites if node else []:
                if pre == start.id:
                    return path + [pre]
                if pre not in path:
                    stack.append((pre, path + [pre]))
        return None

    kept: list[Lesson] = []
    for lesson in good:
        errors = []
        for pre in lesson.spec.prerequisites:
            if pre not in known:
                errors.append(f"{lesson.folder / LESSON_FILE}: prerequisites: unknown lesson '{pre}'")
        cycle = cycle_from(lesson)
        if cycle:
            errors.append(f"{lesson.folder / LESSON_FILE}: prerequisites: cycle {' -> '.join(cycle)}")
        if errors:
            curriculum.broken.append(
                BrokenLesson(
                    folder=lesson.folder,
                    errors=tuple(errors),
                    id=lesson.id,
                    order=lesson.order,
                    layer=lesson.layer,
                    title=lesson.title,
                )
            )
        else:
            kept.append(lesson)
    curriculum.lessons = kept


def load_curriculum(root: Path | None = None) -> Curriculum:
    root = Path(root) if root is not None else default_lessons_dir()
    curriculum = Curriculum(root=root)
    if not root.is_dir():
        curriculum.broken.append(
            BrokenLesson(folder=root, errors=(f"{root}: lessons folder not found",), id="(lessons)", order=0)
        )
        return curriculum
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        loaded = _load_one(folder)
        if isinstance(loaded, Lesson):
            curriculum.lessons.append(loaded)
        else:
            curriculum.broken.append(loaded)
    curriculum.lessons.sort(key=lambda lesson: (lesson.order, lesson.id))
    _cross_check(curriculum)
    curriculum.broken.sort(key=lambda b: (b.order, b.id))
    return curriculum
