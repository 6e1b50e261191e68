"""Home: the architecture map. Four layers drawn as the system they form, each with its lessons.

One line per lesson, so the whole map fits at 120x40 without scrolling; at 80x24 the explanatory lines
step aside (and should the curriculum outgrow the screen, the map scrolls to the lesson in focus). The
arrows move across the boxes as they are drawn: Left/Right between side-by-side layers, Up/Down over the
edge of a box; Home/End jump to the first/last lesson; j/k are Down/Up. The line under the map tells a
new learner where to start, and afterwards which lesson comes next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Label, ListItem, ListView, Static

from workbench.i18n import ENGLISH, language, t

if TYPE_CHECKING:
    from workbench.curriculum.lesson_loader import BrokenLesson, Lesson
from workbench.tui.lesson_states import ICONS, STYLES
from workbench.tui.translated import WorkbenchScreen

LAYERS = ("application", "domain", "infrastructure", "shared")
# How the boxes sit: which box is above/below/beside which (the grid in workbench.tcss).
BELOW = {"application": "domain", "domain": "shared", "infrastructure": "shared"}
ABOVE = {"domain": "application", "infrastructure": "application", "shared": "domain"}
BESIDE = {"domain": "infrastructure", "infrastructure": "domain"}
LAYER_ROLES = {  # (what the layer is for, what it may import)
    "application": (
        "use cases that orchestrate the others: training, validation, registry, inference",
        "↓ imports domain, infrastructure, shared",
    ),
    "domain": ("the core ML knowledge: data, quality rules, model definitions", "↓ imports shared only"),
    "infrastructure": ("adapters to the outside: model store, tracking, containers", "↓ imports shared only"),
    "shared": ("used by every layer: the events protocol, configs, GPU and data utilities", "imports no layer"),
}


def layer_title(layer: str) -> str:
    """The package name, and in another language what it is called there: 'application · 應用層'."""
    return layer if language() == ENGLISH else f"{layer} · {t(layer)}"


class LessonItem(ListItem):
    """One lesson in a layer box; remembers its id for Enter / click."""

    def __init__(self, lesson_id: str) -> None:
        super().__init__(Label("", markup=True, classes="lesson-line"))
        self.lesson_id = lesson_id

    def show(self, text: str) -> None:
        self.query_one(Label).update(text)


class LessonList(ListView):
    """A layer's lessons; the arrows (and j/k) carry on into the neighbouring boxes."""

    BINDINGS = [
        Binding("up,k", "step(-1)", "Up", show=False),
        Binding("down,j", "step(1)", "Down", show=False),
        Binding("left", "side", "Left", show=False),
        Binding("right", "side", "Right", show=False),
        Binding("home", "edge(0)", "First lesson", show=False),
        Binding("end", "edge(-1)", "Last lesson", show=False),
        Binding("pageup", "edge(0)", "First lesson", show=False),
        Binding("pagedown", "edge(-1)", "Last lesson", show=False),
    ]

    def __init__(self, layer: str, lesson_ids: list[str]) -> None:
        super().__init__(*(LessonItem(i) for i in lesson_ids), id=f"lessons-{layer}", initial_index=0)
        self.layer_name = layer

    def action_step(self, delta: int) -> None:
        index = self.index or 0
        if 0 <= index + delta < len(self.children):
            self.index = index + delta
        else:
            self.screen.move_to_layer(self.layer_name, ABOVE if delta < 0 else BELOW, last=delta < 0)  # type: ignore[attr-defined]  # lists live on HomeScreen

    def action_side(self) -> None:
        self.screen.move_to_layer(self.layer_name, BESIDE, row=self.index or 0)  # type: ignore[attr-defined]  # lists live on HomeScreen

    def action_edge(self, which: int) -> None:
        self.screen.move_to_edge(which)  # type: ignore[attr-defined]  # lists live on HomeScreen


class LayerBox(Vertical):
    def __init__(self, layer: str) -> None:
        super().__init__(id=f"layer-{layer}", classes="layer")
        self.layer_name = layer
        self.lesson_ids: list[str] = []
        self.border_title = layer_title(layer)

    def compose(self) -> ComposeResult:
        role, imports = LAYER_ROLES[self.layer_name]
        yield Static(f"{t(role)}  [dim]{t(imports)}[/]", classes="layer-role")
        yield Static(f"[dim]{t('loading lessons…')}[/]", classes="layer-empty")

    async def show_lessons(self, lesson_ids: list[str]) -> None:
        self.lesson_ids = lesson_ids
        await self.query(".layer-empty").remove()
        if lesson_ids:
            await self.mount(LessonList(self.layer_name, lesson_ids))
        else:
            await self.mount(Static(f"[dim]{t('(no lessons in this layer yet)')}[/]", classes="layer-empty"))


class HomeScreen(WorkbenchScreen):
    HELP_TITLE = "the layer map"
    HELP = (
        "The system you are learning, drawn as its four layers; each lesson sits in the layer whose code it "
        "teaches. Lessons are numbered in the order to take them; the line under the map says which one comes "
        "next and what the highlighted lesson needs first. Enter opens a lesson."
    )
    FOOTER_APP = ("help", "open_runs", "open_gpu", "open_serving")
    AUTO_FOCUS = ""  # the first lesson gets the focus once the lessons are in (no focus round-trip before the first frame)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]
    BINDINGS = [
        Binding("enter", "open", "Open", id="home.open", priority=True),
        Binding("n", "next_lesson", "Next", id="home.next"),
        Binding("tab", "app.focus_next", "Next layer", id="home.next_layer", show=False),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    loaded = False
    hinted_lesson_id: str | None = None  # the lesson the line under the map names as next (n opens it)

    def compose(self) -> ComposeResult:
        # The header and the footer join right after the first frame (see on_mount): the map comes first.
        yield Static(
            f"[b]workbench[/] · {t('presentation — this app, the CLI and the headless runner; every step runs in a child process')}"  # i18n: not translated
            f"\n[dim]{t('↓ may import every layer; no layer imports it (the contracts are in pyproject.toml)')}[/]",
            id="presentation",
        )
        # Boxes stacked as the layers depend (not a grid: an auto-height grid row under a box spanning both
        # columns was measured one column wide, and left a blank row under the application box).
        with VerticalScroll(id="map-scroll", can_focus=False), Vertical(id="layer-map"):
            yield LayerBox("application")
            with Horizontal(id="layer-middle"):
                yield LayerBox("domain")
                yield LayerBox("infrastructure")
            yield LayerBox("shared")
        yield Label("", id="lesson-details")
        yield Label("", id="overall-label")

    async def on_mount(self) -> None:
        app = self.app
        self.call_after_refresh(self._after_first_frame)
        if getattr(app, "startup_ms", None) is not None:
            self.sub_title = t("started in {ms} ms", ms=f"{app.startup_ms:.0f}")
            app.startup_ms = None  # once: not in every later title
        if app.curriculum is not None:
            await self.populate()

    async def _add_header_and_footer(self) -> None:
        """Header and footer after the map's first frame: their widgets (a key each) cost a third of it."""
        await self.mount(Header(), before=0)
        await self.mount(Footer())

    async def _after_first_frame(self) -> None:
        await self._add_header_and_footer()
        self.call_after_refresh(self.app.start_loading_lessons)  # then the lessons (a thread)

    async def rebuild(self) -> None:
        """The same map again in the language just chosen (ctrl+l), in place: it is the bottom of the stack."""
        self.loaded = False
        await self.recompose()
        await self._add_header_and_footer()
        if self.app.curriculum is not None:
            await self.populate()

    async def populate(self) -> None:
        """Fill the map once the lessons are loaded (they load after the first frame)."""
        if self.loaded:
            return
        curriculum = self.app.loaded_curriculum()
        items: list[Lesson | BrokenLesson] = [*curriculum.lessons, *curriculum.broken]
        for box in self.query(LayerBox):
            ids = [i.id for i in sorted((i for i in items if i.layer == box.layer_name), key=lambda i: (i.order, i.id))]
            await box.show_lessons(ids)
        self.loaded = True
        self.refresh_lessons()
        start = self.app.suggested_lesson()
        self.focus_lesson(start.id if start is not None else None)

    def on_screen_resume(self) -> None:
        """Back in front: the marks and the "next" line say what is true now."""
        if self.loaded:
            self.refresh_lessons()
            came_from = self.app.last_lesson_id
            if came_from is not None:
                self.app.last_lesson_id = None  # once: help or a dialog closing leaves the cursor be
                self.focus_lesson(came_from)  # back on the map at the lesson you left

    # ---- what the map says ----------------------------------------------------------------------------------------
    def _by_id(self) -> dict[str, Lesson | BrokenLesson]:
        curriculum = self.app.loaded_curriculum()
        items: list[Lesson | BrokenLesson] = [*curriculum.broken, *curriculum.lessons]
        return {item.id: item for item in items}

    def _exercises(self, lesson: Lesson) -> str:
        exercises = lesson.spec.exercises
        if not exercises:
            return ""
        progress = self.app.progress
        done = sum(progress.exercise_status(e.id) == "passed" for e in exercises)
        style = "green" if done == len(exercises) else "dim"
        return f" [{style}]✎{done}/{len(exercises)}[/]"

    def _entry_text(self, item: Lesson | BrokenLesson) -> str:
        from workbench.curriculum.lesson_loader import BrokenLesson

        if isinstance(item, BrokenLesson):
            return f"[yellow]{ICONS['broken']} {item.order:03d} {escape(item.id)} — {t('broken')}[/]"
        progress = self.app.progress
        state = progress.lesson_status(item.id)
        style = STYLES.get(state, "default")
        needs = [p for p in item.spec.prerequisites if progress.lesson_status(p) != "passed"]
        needs_text = f" [yellow]← {escape(', '.join(needs))}[/]" if needs else ""
        return (
            f"[{style}]{ICONS.get(state, '?')}[/] {item.order:03d} [b]{escape(item.id)}[/]{self._exercises(item)}"
            f"{needs_text}  [dim]{escape(item.title)}[/]"
        )

    def refresh_lessons(self) -> None:
        curriculum = self.app.loaded_curriculum()
        progress = self.app.progress
        by_id = self._by_id()
        for box in self.query(LayerBox):
            for item in box.query(LessonItem):
                item.show(self._entry_text(by_id[item.lesson_id]))
            passed = sum(progress.lesson_status(i) == "passed" for i in box.lesson_ids)
            box.border_subtitle = t("{passed}/{total} passed", passed=passed, total=len(box.lesson_ids)) if box.lesson_ids else ""
        total = len(curriculum.lessons)
        done = sum(progress.lesson_status(lesson.id) == "passed" for lesson in curriculum.lessons)
        broken = len(curriculum.broken)
        width = 20 if (self.size.width or self.app.size.width) >= 100 else 10
        filled = round(width * done / total) if total else 0
        label = f"[green]{'━' * filled}[/][dim]{'━' * (width - filled)}[/] " + t(
            "{passed}/{total} lessons passed", passed=done, total=total
        )
        upcoming = self.app.suggested_lesson()
        self.hinted_lesson_id = upcoming.id if upcoming is not None else None  # what n opens
        if done == 0 and upcoming is not None:
            label += " · " + t("[b]start here:[/] {lesson} (Enter)", lesson=escape(upcoming.id))
        elif upcoming is not None:
            label += " · " + t("next: [b]{lesson}[/] (n)", lesson=escape(upcoming.id))
        if broken:
            label += " · [yellow]" + t("{count} broken", count=broken) + "[/] " + t("(run `mlops-workbench lessons check`)")
        self.query_one("#overall-label", Label).update(label)
        self._show_details()

    def _show_details(self) -> None:
        """The highlighted lesson: title, what it needs first (and whether that passed), its exercises."""
        item = self.highlighted_item()
        details = self.query_one("#lesson-details", Label)
        if item is None or not self.loaded:
            details.update("")
            return
        from workbench.curriculum.lesson_loader import Lesson

        lesson = self._by_id().get(item.lesson_id)
        if not isinstance(lesson, Lesson):
            details.update(f"[yellow]{t('broken')}: {escape(item.lesson_id)}[/] — " + t("Enter shows why"))
            return
        progress = self.app.progress
        needs = [f"{ICONS.get(progress.lesson_status(p), '?')} {p}" for p in lesson.spec.prerequisites]
        needs_text = t("needs: {lessons}", lessons=", ".join(needs)) if needs else t("needs no other lesson")
        exercises = self._exercises(lesson)
        exercise_text = f" · {t('exercises')}{exercises}" if exercises else ""
        details.update(
            f"[b]{lesson.order:03d} {escape(lesson.id)}[/] — {escape(lesson.title)}\n"
            f"[dim]{escape(needs_text)}{exercise_text} · {escape(lesson.summary)}[/]"
        )

    # ---- moving around -------------------------------------------------------------------------------------------
    def lists(self) -> dict[str, LessonList]:
        return {lst.layer_name: lst for lst in self.query(LessonList)}

    def highlighted_item(self) -> LessonItem | None:
        focused = self.focused
        if isinstance(focused, LessonList) and isinstance(focused.highlighted_child, LessonItem):
            return focused.highlighted_child
        return None

    def _select(self, lst: LessonList, index: int) -> None:
        self.set_focus(lst)  # now, not on the next cycle: keys typed fast go to the list just chosen
        lst.index = max(0, min(index, len(lst.children) - 1))
        self.call_after_refresh(self._scroll_to_highlight)

    def _scroll_to_highlight(self) -> None:
        item = self.highlighted_item()
        if item is not None:
            self.query_one("#map-scroll", VerticalScroll).scroll_to_widget(item, animate=False)

    def move_to_layer(self, layer: str, direction: dict[str, str], last: bool = False, row: int | None = None) -> None:
        """Into the box above/below/beside ``layer`` (skipping empty ones); at the map's edge nothing moves."""
        lists = self.lists()
        target = direction.get(layer)
        while target is not None and target not in lists:
            target = direction.get(target)
        if target is None:
            return
        lst = lists[target]
        self._select(lst, row if row is not None else (len(lst.children) - 1 if last else 0))

    def move_to_edge(self, which: int) -> None:
        lists = [self.lists()[layer] for layer in LAYERS if layer in self.lists()]
        if lists:
            lst = lists[which]
            self._select(lst, 0 if which == 0 else len(lst.children) - 1)

    def focus_lesson(self, lesson_id: str | None) -> None:
        for lst in self.lists().values():
            for index, item in enumerate(lst.children):
                if isinstance(item, LessonItem) and item.lesson_id == lesson_id:
                    self._select(lst, index)
                    return
        lists = self.query(LessonList)
        if lists:
            self._select(lists.first(), 0)

    @on(ListView.Highlighted)
    def _highlighted(self, event: ListView.Highlighted) -> None:
        self._show_details()
        self.call_after_refresh(self._scroll_to_highlight)

    def on_descendant_focus(self) -> None:
        self._show_details()

    # ---- actions --------------------------------------------------------------------------------------------------
    @on(ListView.Selected)
    def _open_selected(self, event: ListView.Selected) -> None:
        if isinstance(event.item, LessonItem):
            self._open(event.item.lesson_id)

    def _open(self, lesson_id: str) -> None:
        broken = next((b for b in self.app.loaded_curriculum().broken if b.id == lesson_id), None)
        if broken is not None:
            self.notify(
                "\n".join(broken.errors),
                title=t("{lesson} is broken", lesson=lesson_id),
                severity="error",
                timeout=15,
                markup=False,
            )
        else:
            self.app.open_lesson(lesson_id)

    def action_open(self) -> None:
        item = self.highlighted_item()
        if item is not None:
            self._open(item.lesson_id)
        elif self.loaded:
            self.focus_lesson(None)

    def action_next_lesson(self) -> None:
        """Open the lesson the line under the map names (the line is brought up to date first: one "next")."""
        if not self.loaded:
            return
        self.refresh_lessons()
        if self.hinted_lesson_id is None:
            self.notify(t("every lesson has passed — well done"))
            return
        self.focus_lesson(self.hinted_lesson_id)  # highlighted there when the learner comes back
        self._open(self.hinted_lesson_id)
