"""Write files so a crash never leaves half of one behind."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no cross-process lock; one process per home
    fcntl = None  # type: ignore[assignment]  # the module or None: callers check


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> Path:
    """Write to a temporary file in the same folder, fsync, then rename over ``path`` (mode 0600 unless ``mode``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def write_report(path: Path, text: str) -> Path:
    """Write a file the user named (a JUnit report, a gradebook) the way they meant it.

    A regular file (or a new one) is written atomically, with the mode the umask gives a new file (or the mode it
    had); a symbolic link keeps pointing where it did and its target gets the text; a pipe or a device (a FIFO,
    /dev/stdout, /dev/full) is written into, never replaced by a file. Errors (a full disk) are raised, not hidden.
    """
    path = Path(path)
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path
    mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
    write_text_atomic(target, text, mode=mode)
    return path


def _umask() -> int:
    """This process's umask, read without changing it (os.umask sets it, racing the app's other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def write_json_atomic(path: Path, data: Any) -> Path:
    return write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


@contextmanager
def file_lock(path: Path, timeout_s: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) across processes; released when the holder dies too.

    ``timeout_s`` None waits for ever; else ``TimeoutError`` after that long. Raises ``OSError`` when the lock
    file cannot be created (a read-only or full home).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            if timeout_s is None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            else:
                deadline = time.monotonic() + timeout_s
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            raise TimeoutError(f"{path} is held by another process for more than {timeout_s:g} s") from None
                        time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def set_aside(path: Path, why: str = "corrupt") -> Path:
    """Rename a damaged file or folder to ``<name>.<why>-<time>`` beside it (never overwriting) and return the new path."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.{why}-{stamp}")
    n = 1
    while aside.exists() or aside.is_symlink():
        n += 1
        aside = path.with_name(f"{path.name}.{why}-{stamp}-{n}")
    os.rename(path, aside)
    return aside


def read_json_object(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """A JSON object kept in the home: (the object or None when missing, a one-line warning or None).

    Anything else in its place — a folder, text that is not JSON, JSON that is not an object — is moved
    aside (``<name>.corrupt-<time>``) and named in the warning; nothing raises.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return None, None
    try:
        if path.is_dir():
            raise ValueError("a folder is in its place")
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, found {type(data).__name__}")
        return data, None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        try:
            aside = set_aside(path)
        except OSError as move_error:
            return None, f"{path} could not be read ({reason}) and could not be moved aside ({move_error.strerror}); ignored it"
        return None, f"{path} could not be read ({reason}); kept it as {aside} and started afresh"
