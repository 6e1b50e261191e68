"""How a lesson or step state looks on screen (same words everywhere)."""

from workbench.i18n import t

ICONS = {
    "not started": "○",
    "running": "◐",
    "passed": "✔",
    "failed": "✘",
    "timeout": "⧗",
    "cancelled": "■",
    "interrupted": "↯",
    "crashed": "✘",
    "skipped": "–",
    "broken": "⚠",
}
STYLES = {
    "passed": "green",
    "failed": "red",
    "crashed": "red",
    "timeout": "red",
    "broken": "yellow",
    "running": "cyan",
    "cancelled": "yellow",
    "interrupted": "yellow",
}
# What each mark on the map and in the step table means, in the order the help screen lists them.
LEGEND = (
    ("not started", "not run yet"),
    ("running", "a step is running now"),
    ("passed", "every check passed (a later cancel keeps it)"),
    ("failed", "a check failed or the step crashed"),
    ("cancelled", "you cancelled the run"),
    ("interrupted", "the app ended while the step ran"),
    ("timeout", "the step ran past its time limit"),
    ("broken", "the lesson file has an error (lessons check)"),
)


def badge(state: str) -> str:
    """Rich markup for a state: icon and word, coloured."""
    style = STYLES.get(state, "dim")
    return f"[{style}]{ICONS.get(state, '?')} {t(state)}[/]"


def mark(state: str) -> str:
    """Rich markup for a state's icon alone, coloured (where there is no room for the word)."""
    return f"[{STYLES.get(state, 'dim')}]{ICONS.get(state, '?')}[/]"


def badge_width(states=ICONS) -> int:
    """Cells the widest badge takes in the current language (the step table's state column)."""
    from rich.cells import cell_len

    return max(cell_len(f"{ICONS[s]} {t(s)}") for s in states)
