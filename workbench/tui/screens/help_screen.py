"""Help (? or F1): every key of the screen you came from, what the marks mean, and where the README is."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from shared.configs.repository import REPO_ROOT
from workbench.i18n import t
from workbench.tui.lesson_states import ICONS, LEGEND, STYLES
from workbench.tui.translated import WorkbenchModal

# Bindings Textual gives every screen; NAVIGATION says them in words.
LEFT_OUT = {"app.focus_next", "app.focus_previous", "focus_next", "focus_previous", "screen.copy_text", "copy_text"}
PALETTE = "command palette: every lesson, exercise and screen by name"
# Keys every screen has through its widgets (not bindings of the screen or the app).
NAVIGATION = (
    ("tab / shift+tab", "move between the parts of the screen"),
    ("↑ ↓ ← →", "move in a list, a table or between layer boxes"),
    ("home / end / pgup / pgdn", "first, last, page up, page down"),
)


def key_lines(screen: Screen) -> list[tuple[str, str]]:
    """(keys, what they do) for the screen's and the app's bindings, shown in the footer or not, as remapped."""
    app = screen.app
    by_action: dict[str, tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if active.node not in (screen, app) or not binding.description or binding.system or binding.action in LEFT_OUT:
            continue
        keys, description = by_action.setdefault(binding.action, ([], binding.description))
        shown = app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    return [(" / ".join(keys), description) for keys, description in by_action.values()]


class HelpScreen(WorkbenchModal[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 90%; max-width: 100; height: 90%; border: round $accent; background: $surface; padding: 0 1; }
    HelpScreen VerticalScroll { height: 1fr; }
    HelpScreen #help-close { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "close", "Close help", id="help.close"),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__(name="help")
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        screen = self.for_screen
        title = getattr(screen, "HELP_TITLE", "") or screen.title or ""
        parts = [f"[b]{escape(t('Help'))} · {escape(t(title))}[/]"]
        about = getattr(screen, "HELP", "")
        if about:
            parts.append(escape(t(about)))
        parts.append("")
        parts.append(f"[b]{escape(t('Keys'))}[/]")
        rows = [
            (keys, PALETTE if description in ("palette", t("palette")) else description)
            for keys, description in key_lines(screen)
        ]
        width = max(len(keys) for keys, _ in [*rows, *NAVIGATION]) + 2
        for keys, description in rows:
            parts.append(f"  [b]{escape(keys).ljust(width)}[/]{escape(t(description))}")
        for keys, description in NAVIGATION:
            parts.append(f"  [dim]{escape(keys).ljust(width)}{escape(t(description))}[/]")
        parts.append("")
        parts.append(f"[b]{escape(t('What the marks mean'))}[/]")
        for state, meaning in LEGEND:
            style = STYLES.get(state, "default")
            parts.append(f"  [{style}]{ICONS[state]}[/] {escape(t(state))} — {escape(t(meaning))}")
        parts.append("")
        parts.append(f"[b]{escape(t('Where to read more'))}[/]")
        parts.append(escape(self.readme_hint()))
        with Vertical():
            with VerticalScroll():
                yield Static("\n".join(parts), id="help-text")
            yield Static(t("escape, q or ? closes this help"), id="help-close")

    def readme_hint(self) -> str:
        lesson = getattr(self.for_screen, "lesson", None)
        if lesson is not None:
            path = lesson.readme_path
            shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
            return t("this lesson's README (shown on the left of the lesson screen): {path}", path=shown)
        return t(
            "every lesson's README is lessons/<NNN-id>/README.md (open a lesson to read it beside its steps); "
            "the project's README: {path}",
            path=REPO_ROOT / "README.md",
        )

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
