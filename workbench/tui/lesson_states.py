"""How a lesson or step state looks on screen (same words everywhere)."""

from workbench.i18n import t

ICONS = {
    "not started": "○",
    "running": "◐",
    "passed": "✔",
    "failed": "✘",
    "timeout": "⧗",
    "cancelled": "■",
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
}


def badge(state: str) -> str:
    """Rich markup for a state: icon and word, coloured."""
    style = STYLES.get(state, "dim")
    return f"[{style}]{ICONS.get(state, '?')} {t(state)}[/]"
