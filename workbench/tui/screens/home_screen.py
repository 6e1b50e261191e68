"""Home: the architecture map. Four layers drawn as the system they form, each with its lessons."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.widgets import Footer, Header, Label, ListItem, ListView, Static

from workbench.i18n import ENGLISH, language, t
from workbench.tui.lesson_states import ICONS, STYLES
from workbench.tui.translated import WorkbenchScreen

LAYER_ROLES = {  # (what the layer is for, what it may import)
    "application": ("use cases that orchestrate the others: training, validation, registry, inference",
                    "↓ imports domain, infrastructure, shared"),
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
        super().__init__(Label("", markup=True))
        self.lesson_id = lesson_id

    def show(self, text: str) -> None:
        self.query_one(Label).update(text)


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
            await self.mount(ListView(*(LessonItem(i) for i in lesson_ids), id=f"lessons-{self.layer_name}", initial_index=0))
        else:
            await self.mount(Static(f"[dim]{t('(no lessons in this layer yet)')}[/]", classes="layer-empty"))


class HomeScreen(WorkbenchScreen):
    BINDINGS = [
        Binding("enter", "open", "Open lesson", id="home.open", show=True),
        Binding("tab", "app.focus_next", "Next layer", id="home.next_layer", show=True),
        Binding("q", "app.quit", "Quit", id="home.quit", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            f"[b]workbench[/] · {t('presentation — this app, the CLI and the headless runner; every step runs in a child process')}"
            f"\n[dim]{t('↓ may import every layer; no layer imports it (the contracts are in pyproject.toml)')}[/]",
            id="presentation",
        )
        with Grid(id="layer-map"):
            for layer in ("application", "domain", "infrastructure", "shared"):
                yield LayerBox(layer)
        yield Label("", id="overall-label")
        yield Footer()

    loaded = False

    async def on_mount(self) -> None:
        if self.app.curriculum is not None:  # type: ignore[attr-defined]
            await self.populate()

    async def populate(self) -> None:
        """Fill the map once the lessons are loaded (they load after the first frame)."""
        curriculum = self.app.curriculum  # type: ignore[attr-defined]
        items = [*curriculum.lessons, *curriculum.broken]
        for box in self.query(LayerBox):
            ids = [i.id for i in sorted((i for i in items if i.layer == box.layer_name), key=lambda i: i.order)]
            await box.show_lessons(ids)
        self.loaded = True
        self.refresh_lessons()
        lists = self.query(ListView)
        if lists:
            lists.first().focus()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.refresh_lessons()

    def _entry_text(self, item) -> str:
        from workbench.curriculum.lesson_loader import BrokenLesson

        if isinstance(item, BrokenLesson):
            return f"[yellow]{ICONS['broken']} {item.order:03d} {item.id} — {t('broken')}[/]"
        state = self.app.progress.lesson_status(item.id)  # type: ignore[attr-defined]
        icon = ICONS.get(state, "?")
        style = STYLES.get(state, "")
        title = item.title
        return f"[{style or 'default'}]{icon}[/] {item.order:03d} [b]{item.id}[/]\n   [dim]{title}[/]"

    def refresh_lessons(self) -> None:
        curriculum = self.app.curriculum  # type: ignore[attr-defined]
        progress = self.app.progress  # type: ignore[attr-defined]
        by_id = {item.id: item for item in [*curriculum.broken, *curriculum.lessons]}
        for box in self.query(LayerBox):
            for item in box.query(LessonItem):
                item.show(self._entry_text(by_id[item.lesson_id]))
            passed = sum(progress.lesson_status(i) == "passed" for i in box.lesson_ids)
            box.border_subtitle = t("{passed}/{total} passed", passed=passed, total=len(box.lesson_ids)) if box.lesson_ids else ""
        total = len(curriculum.lessons)
        done = sum(progress.lesson_status(l.id) == "passed" for l in curriculum.lessons)
        broken = len(curriculum.broken)
        width = 30
        filled = round(width * done / total) if total else 0
        label = f"[green]{'━' * filled}[/][dim]{'━' * (width - filled)}[/]  " + t("{passed}/{total} lessons passed", passed=done, total=total)
        if broken:
            label += " · [yellow]" + t("{count} broken", count=broken) + "[/] " + t("(run `mlops-workbench lessons check`)")
        self.query_one("#overall-label", Label).update(label)

    @on(ListView.Selected)
    def _open_selected(self, event: ListView.Selected) -> None:
        if isinstance(event.item, LessonItem):
            self._open(event.item.lesson_id)

    def _open(self, lesson_id: str) -> None:
        broken = next((b for b in self.app.curriculum.broken if b.id == lesson_id), None)  # type: ignore[attr-defined]
        if broken is not None:
            self.notify("\n".join(broken.errors), title=t("{lesson} is broken", lesson=lesson_id), severity="error", timeout=15)
        else:
            self.app.open_lesson(lesson_id)  # type: ignore[attr-defined]

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, ListView) and isinstance(focused.highlighted_child, LessonItem):
            self._open(focused.highlighted_child.lesson_id)
