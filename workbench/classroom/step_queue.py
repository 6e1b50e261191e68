"""Fair share of one machine: at most K steps run at once across a class, the rest wait first come, first served.

A counting semaphore across processes, in a folder (``WORKBENCH_STEP_SLOTS=<folder>``, set by the classroom
server for every learner's app):

    <folder>/slots.json        {"max_running": K}
    <folder>/slot-<i>.lock     K slots; a running step holds one with ``flock`` (released when its holder dies)
    <folder>/queue/<n>-<pid>   one ticket per waiting step, numbered in arrival order, held with ``flock``
    <folder>/queue.lock        taken to number a ticket and to clear the tickets of dead waiters

    <folder>/next-ticket       the ticket counter, rewritten in place under queue.lock

When the learners run as their own Unix users (``isolation``), the server creates every shared file up
front, owned by the class's group and group-writable (the folders 2770, setgid), so any learner of the
class can lock a slot, number a ticket and clear a dead waiter's ticket; nobody else can.

Only the first ticket in line may take a free slot, so steps start in the order they asked. While it waits
the step runner shows "queued: 3rd in line" as a status event; a cancel while queued takes the ticket out.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from shared.events import Event, Status
from shared.utils.atomic_files import file_lock, write_json_atomic
from workbench.i18n import t

ENV_SLOTS = "WORKBENCH_STEP_SLOTS"
CONFIG_FILE = "slots.json"
POLL_S = 0.1


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def configure(folder: Path, max_running: int, group: int | None = None) -> None:
    """Set the class's K (the server does this at start); with ``group``, make the queue that group's to share."""
    if max_running < 1:
        raise ValueError(f"--max-running {max_running}: expected at least 1")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "queue").mkdir(exist_ok=True)
    write_json_atomic(folder / CONFIG_FILE, {"max_running": max_running})
    os.chmod(folder / CONFIG_FILE, 0o644)
    shared = [folder / f"slot-{index}.lock" for index in range(max_running)]
    shared += [folder / "queue.lock", folder / "next-ticket"]
    for path in shared:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    if group is None:
        return
    for path in (folder, folder / "queue"):
        os.chown(path, 0, group)
        os.chmod(path, 0o2770)
    for path in (folder / CONFIG_FILE, *shared):
        os.chown(path, 0, group)
        os.chmod(path, 0o660 if path.name != CONFIG_FILE else 0o640)
    for name in os.listdir(folder / "queue"):  # tickets left by a server killed before (cleared as dead later)
        with suppress(FileNotFoundError):
            os.chown(folder / "queue" / name, -1, group, follow_symlinks=False)


def _try_flock(fd: int, mode: int) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@dataclass
class Held:
    """A slot or a ticket: an open, locked file. Closing the descriptor releases it."""

    path: Path
    fd: int

    def release(self, unlink: bool = False) -> None:
        if unlink:
            with suppress(FileNotFoundError):
                os.unlink(self.path)
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class StepQueue:
    def __init__(self, folder: Path, max_running: int | None = None) -> None:
        self.folder = Path(folder)
        self.max_running = max_running or self._configured()

    @classmethod
    def from_environment(cls) -> StepQueue | None:
        raw = os.environ.get(ENV_SLOTS)
        return cls(Path(raw)) if raw else None

    def _configured(self) -> int:
        try:
            value = json.loads((self.folder / CONFIG_FILE).read_text(encoding="utf-8"))["max_running"]
            return max(1, int(value))
        except (OSError, ValueError, KeyError, TypeError):
            return os.cpu_count() or 1

    @property
    def _queue(self) -> Path:
        return self.folder / "queue"

    def take_ticket(self) -> Held:
        self._queue.mkdir(parents=True, exist_ok=True)
        with file_lock(self.folder / "queue.lock"):
            number = self._next_number()
            path = self._queue / f"{number:012d}-{os.getpid()}"
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)  # under queue.lock: nobody sees it unlocked and takes it for dead
        return Held(path, fd)

    def _next_number(self) -> int:
        """The next ticket number; the counter is rewritten in place (a rename would make it one learner's file)."""
        fd = os.open(self.folder / "next-ticket", os.O_RDWR | os.O_CREAT, 0o660)
        with os.fdopen(fd, "r+", encoding="utf-8") as counter:
            try:
                number = int(counter.read().strip() or 0)
            except ValueError:  # torn by a crash: go on after the highest ticket waiting
                names = [name.split("-", 1)[0] for name in os.listdir(self._queue)]
                number = max((int(n) + 1 for n in names if n.isdigit()), default=0)
            counter.seek(0)
            counter.write(f"{number + 1}\n")
            counter.truncate()
        return number

    def ahead_of(self, ticket: Held) -> int:
        """How many live tickets are ahead of ``ticket`` (tickets of dead waiters are cleared on the way)."""
        ahead = 0
        with file_lock(self.folder / "queue.lock"):
            for name in sorted(os.listdir(self._queue)):
                if name >= ticket.path.name:
                    break
                path = self._queue / name
                try:
                    fd = os.open(path, os.O_RDONLY)
                except FileNotFoundError:
                    continue
                try:
                    if _try_flock(fd, fcntl.LOCK_SH):  # nobody holds it: its waiter is gone
                        with suppress(FileNotFoundError):
                            os.unlink(path)
                    else:
                        ahead += 1
                finally:
                    os.close(fd)
        return ahead

    def try_slot(self) -> Held | None:
        for index in range(self.max_running):
            path = self.folder / f"slot-{index}.lock"
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            if _try_flock(fd, fcntl.LOCK_EX):
                return Held(path, fd)
            os.close(fd)
        return None

    def running(self) -> int:
        """How many slots are held now (a probe; for status and tests)."""
        held = 0
        for index in range(self.max_running):
            path = self.folder / f"slot-{index}.lock"
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                if _try_flock(fd, fcntl.LOCK_SH):
                    fcntl.flock(fd, fcntl.LOCK_UN)
                else:
                    held += 1
            finally:
                os.close(fd)
        return held

    def waiting(self) -> int:
        try:
            return len(os.listdir(self._queue))
        except FileNotFoundError:
            return 0

    async def acquire(self, emit: Callable[[Event], None], cancelled: asyncio.Event | None = None) -> Held | None:
        """A slot, after waiting in line; None when ``cancelled`` was set while waiting (the ticket is gone)."""
        ticket = self.take_ticket()
        started = time.monotonic()
        shown: int | None = None
        try:
            while True:
                if cancelled is not None and cancelled.is_set():
                    return None
                place = self.ahead_of(ticket) + 1
                if place == 1:
                    slot = self.try_slot()
                    if slot is not None:
                        if shown is not None:
                            waited = f"{time.monotonic() - started:.0f}"
                            emit(Status(t("started after {seconds} s in the queue", seconds=waited)))
                        return slot
                if place != shown:
                    shown = place
                    # {place} is English's "3rd"; a translation may use {number} (3) instead
                    message = t(
                        "queued: {place} in line ({max_running} steps run at once in this class)",
                        place=ordinal(place),
                        number=place,
                        max_running=self.max_running,
                    )
                    emit(Status(message))
                if cancelled is None:
                    await asyncio.sleep(POLL_S)
                else:
                    with suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(cancelled.wait(), POLL_S)
        finally:
            ticket.release(unlink=True)


@asynccontextmanager
async def step_slot(emit: Callable[[Event], None], cancelled: asyncio.Event | None = None) -> AsyncIterator[bool]:
    """Hold a class slot while the body runs when ``WORKBENCH_STEP_SLOTS`` is set; yields False if cancelled in line."""
    queue = StepQueue.from_environment()
    if queue is None:
        yield True
        return
    slot = await queue.acquire(emit, cancelled)
    try:
        yield slot is not None
    finally:
        if slot is not None:
            slot.release()
