"""One way to end everything a run started: its whole process tree, wherever the processes went.

A process started for a run is *marked*: its environment holds ``WORKBENCH_TREE_<token>=1``
(:func:`mark`), and every descendant inherits the mark — BentoML's worker, torchrun's ranks,
a grandchild that calls ``setsid()`` and ignores SIGTERM, all of them, whatever process
group or session they moved to and whoever they were re-parented to. Nested runs keep
every outer mark (each token has its own variable), so an outer stop finds inner runs too.

:func:`members` finds a run's processes: the marked ones (read from ``/proc/<pid>/environ``,
which only this user's processes let us read), every descendant of those, and, when the
run's root was started in a session of its own, the rest of that session. Nothing else on
the machine is ever signalled.

:func:`stop_tree` / :func:`stop_tree_async` end them: SIGINT, then SIGTERM, then SIGKILL,
each stage waiting (a grace period) until every member is gone. :func:`watch_parent` lets
a process end its run's tree when its parent dies (kill -9 of the UI or of the headless
runner), and :func:`die_with_parent` asks the kernel to signal a child when its parent dies.

Linux only (``/proc``, ``prctl``); elsewhere the functions find nothing and stop nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, MutableMapping

MARK_PREFIX = "WORKBENCH_TREE_"
RUN_ID_ENV = "WORKBENCH_RUN_ID"  # the innermost run's token (informational: a step may log it)
PARENT_PID_ENV = "WORKBENCH_PARENT_PID"  # the pid a child must outlive no longer than a moment

# Cancel and timeout: like Ctrl-C in a terminal first, then a polite request, then no choice.
DEFAULT_STAGES: tuple[tuple[int, float], ...] = ((signal.SIGINT, 3.0), (signal.SIGTERM, 2.0))
# What a step leaves behind after it ended by itself (a server it forgot to stop).
LEFTOVER_STAGES: tuple[tuple[int, float], ...] = ((signal.SIGTERM, 1.0),)
KILL_WAIT_S = 2.0
POLL_S = 0.05
PR_SET_PDEATHSIG = 1
_PROC = "/proc"


def new_token() -> str:
    return uuid.uuid4().hex[:20]


def mark_name(token: str) -> str:
    return MARK_PREFIX + token


def mark(env: MutableMapping[str, str], token: str) -> MutableMapping[str, str]:
    """Mark ``env`` (a child's environment) as belonging to the run ``token``; returns it."""
    env[mark_name(token)] = "1"
    env[RUN_ID_ENV] = token
    return env


def current_tokens(env: Mapping[str, str] | None = None) -> list[str]:
    """The run tokens this process carries (its own run's and any outer run's)."""
    source = os.environ if env is None else env
    return [name[len(MARK_PREFIX) :] for name, value in source.items() if name.startswith(MARK_PREFIX) and value == "1"]


def _pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir(_PROC) if name.isdigit()]
    except OSError:
        return []


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, session) of a process, or None when it is gone."""
    try:
        with open(f"{_PROC}/{pid}/stat", "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    fields = raw[raw.rfind(b")") + 2 :].split()  # the command name may hold spaces and parentheses
    try:
        return fields[0].decode(), int(fields[1]), int(fields[3])
    except (IndexError, ValueError):
        return None


def _environ_has(pid: int, entry: bytes) -> bool:
    try:
        with open(f"{_PROC}/{pid}/environ", "rb") as handle:
            return entry in handle.read().split(b"\0")
    except OSError:  # gone, or another user's process: never ours
        return False


def members(token: str, *, session: int | None = None, exclude: Iterable[int] = ()) -> set[int]:
    """Live processes of run ``token``: marked ones, their descendants, and ``session``'s members."""
    entry = f"{mark_name(token)}=1".encode()
    skip = {os.getpid(), *exclude}
    table: dict[int, tuple[str, int, int]] = {}
    for pid in _pids():
        info = _stat(pid)
        if info is not None and info[0] not in ("Z", "X"):
            table[pid] = info
    found = {pid for pid, (_, _, sid) in table.items() if session is not None and sid == session}
    found |= {pid for pid in table if pid not in found and _environ_has(pid, entry)}
    children: dict[int, list[int]] = {}
    for pid, (_, ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    frontier = list(found)
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found - skip


def signal_all(pids: Iterable[int], sig: int) -> int:
    sent = 0
    for pid in pids:
        try:
            os.kill(pid, sig)
            sent += 1
        except (ProcessLookupError, PermissionError):
            pass
    return sent


def stop_tree(
    token: str,
    *,
    session: int | None = None,
    stages: Iterable[tuple[int, float]] = DEFAULT_STAGES,
    exclude: Iterable[int] = (),
    poll_s: float = POLL_S,
) -> bool:
    """End every process of run ``token`` (stage by stage, then SIGKILL); True when none is left.

    Each stage signals every member and waits up to its grace period until none is left.
    """
    exclude = tuple(exclude)
    for sig, grace in (*stages, (signal.SIGKILL, KILL_WAIT_S)):
        left = members(token, session=session, exclude=exclude)
        if not left:
            return True
        signal_all(left, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            time.sleep(poll_s)
            if not members(token, session=session, exclude=exclude):
                return True
    return not members(token, session=session, exclude=exclude)


async def stop_tree_async(
    token: str,
    *,
    session: int | None = None,
    stages: Iterable[tuple[int, float]] = DEFAULT_STAGES,
    exclude: Iterable[int] = (),
    poll_s: float = POLL_S,
) -> bool:
    """:func:`stop_tree` for an event loop (the runner, the TUI): run in a thread, the loop never waits on /proc."""
    return await asyncio.to_thread(stop_tree, token, session=session, stages=tuple(stages), exclude=tuple(exclude), poll_s=poll_s)


@functools.lru_cache(maxsize=1)
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    for name in ("libc.so.6", ctypes.util.find_library("c")):
        try:
            return ctypes.CDLL(name, use_errno=True).prctl
        except (OSError, AttributeError, TypeError):
            continue
    return None


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None]:
    """A ``preexec_fn``: the kernel sends ``sig`` to the child when the process that started it dies.

    (When the parent already died between fork and this call, the child ends at once.)
    """
    parent = os.getpid()
    prctl = _prctl()

    def _arm() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:
            os.kill(os.getpid(), sig)

    return _arm


def watch_parent(parent: int, on_gone: Callable[[], None], interval_s: float = 0.25) -> threading.Thread:
    """Call ``on_gone`` (in a daemon thread) as soon as ``parent`` is no longer this process's parent."""

    def _watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval_s)
        on_gone()

    thread = threading.Thread(target=_watch, name="workbench-parent-watch", daemon=True)
    thread.start()
    return thread


def end_run_when_parent_dies(token: str, parent: int, exit_code: int = 1) -> threading.Thread:
    """In a run's root process: when ``parent`` dies, end the run's tree (1 s SIGTERM grace) and exit."""

    def _gone() -> None:
        try:
            stop_tree(token, stages=LEFTOVER_STAGES)
        finally:
            os._exit(exit_code)  # nobody reads our output any more: no message, no clean-up of this process

    return watch_parent(parent, _gone)


def detach_from_terminal() -> None:
    """After a hang-up the terminal is gone: output to it fails (EIO) or blocks a writer, so it goes nowhere instead."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            if _hung_up(fd):
                os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _hung_up(fd: int) -> bool:
    """A terminal that was hung up (window closed): still a character device, but no terminal answers any more.

    A pipe or a file is never hung up; a terminal that is still there (SIGHUP sent with kill) is kept.
    """
    import stat
    import termios

    try:
        if not stat.S_ISCHR(os.fstat(fd).st_mode):
            return False
        termios.tcgetattr(fd)
    except (OSError, termios.error):
        return True
    return False


def exit_after(
    seconds: float, last_resort: Callable[[], None], exit_code: int = 1, last_resort_at: float | None = None
) -> threading.Thread:
    """A watchdog: ``last_resort`` runs ``last_resort_at`` seconds from now (default: ``seconds``), and if this
    process has not exited ``seconds`` from now, it exits at once.

    For a way out that must finish (SIGTERM, SIGHUP) even when the orderly one is stuck, e.g. on
    a terminal that is gone.
    """
    at = seconds if last_resort_at is None else min(last_resort_at, seconds)

    def _watch() -> None:
        time.sleep(at)
        try:
            last_resort()
        finally:
            time.sleep(max(0.0, seconds - at))
            os._exit(exit_code)

    thread = threading.Thread(target=_watch, name="workbench-exit-watchdog", daemon=True)
    thread.start()
    return thread
