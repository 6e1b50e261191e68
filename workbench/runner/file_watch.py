"""One watcher for the learner's exercise file, used by `mlops-workbench exercise --watch` and the TUI exercise view.

Polling (no inotify dependency, works on every filesystem a learner edits on):
a save is a change of the file's modification time or size. A file that is
missing for a moment (editors that save by delete-and-rename) is not a
change; it becomes one when it is back with different contents.
"""

from __future__ import annotations

from pathlib import Path

WATCH_POLL_S = 0.5  # how often a caller polls: fast enough to feel instant, cheap enough to never matter


class FileWatch:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._seen = self._signature()

    def _signature(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def changed(self) -> bool:
        """True once per save since the last call (False while the file is missing)."""
        current = self._signature()
        if current is None or current == self._seen:
            return False
        self._seen = current
        return True
