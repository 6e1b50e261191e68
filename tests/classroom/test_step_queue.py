"""Fair share: at most K steps of the class run at once, the rest wait first come, first served, and say so."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from shared.events import Event, Status
from workbench.classroom.step_queue import ENV_SLOTS, StepQueue, configure, ordinal
from workbench.runner.step_runner import StepRequest, StepRun

STEP_SCRIPT = '''
import json, os, time

def hold(pause_s: float = 0.6) -> dict:
    """Record when this step ran (start, end) in a file of its own."""
    start = time.time()
    time.sleep(pause_s)
    path = os.path.join(os.environ["QUEUE_TEST_OUT"], f"{os.getpid()}.json")
    with open(path, "w") as handle:
        json.dump({"start": start, "end": time.time()}, handle)
    return {"held": pause_s}
'''


def _status_sink(messages: list[str]) -> Callable[[Event], None]:
    def sink(event: Event) -> None:
        if isinstance(event, Status):
            messages.append(event.message)

    return sink


def _request(script: Path, name: str, pause_s: float = 0.6) -> StepRequest:
    return StepRequest(
        lesson_id="queue-test",
        step_id=name,
        entry=f"{script}:hold",
        params={"pause_s": pause_s},
        checks=[{"output": "held", "min": 0}],
        timeout_s=60,
    )


@pytest.fixture
def slots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "slots"
    configure(folder, 2)
    monkeypatch.setenv(ENV_SLOTS, str(folder))
    return folder


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]


@pytest.mark.slow
def test_six_steps_with_two_slots_never_run_more_than_two_at_once_and_all_pass(
    slots: Path, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "steps.py"
    script.write_text(STEP_SCRIPT)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv("QUEUE_TEST_OUT", str(out))
    statuses: dict[str, list[str]] = {}

    async def main() -> list:
        runs = []
        for n in range(6):
            name = f"s{n}"
            statuses[name] = []
            runs.append(StepRun(_request(script, name), home, _status_sink(statuses[name])))
        return await asyncio.gather(*(run.wait() for run in runs))

    started = time.monotonic()
    outcomes = asyncio.run(main())
    elapsed = time.monotonic() - started
    assert [o.status for o in outcomes] == ["passed"] * 6, [o.summary for o in outcomes]
    spans = [json.loads(p.read_text()) for p in out.glob("*.json")]
    assert len(spans) == 6
    edges = sorted([(s["start"], 1) for s in spans] + [(s["end"], -1) for s in spans], key=lambda e: (e[0], e[1]))
    running, most = 0, 0
    for _, delta in edges:
        running += delta
        most = max(most, running)
    assert most == 2, f"{most} steps ran at once with 2 slots"
    queued = [m for messages in statuses.values() for m in messages if m.startswith("queued: ")]
    assert queued, "no learner was told their place in the queue"
    assert any(m.startswith("queued: 4th in line") for m in queued), queued
    assert elapsed >= 3 * 0.6  # three rounds of two
    assert not list((slots / "queue").iterdir()), "tickets left behind"


@pytest.mark.slow
def test_cancelling_a_queued_step_takes_it_out_of_the_line(
    slots: Path, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "steps.py"
    script.write_text(STEP_SCRIPT)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv("QUEUE_TEST_OUT", str(out))
    queue = StepQueue(slots)

    async def main() -> tuple:
        holders = [StepRun(_request(script, f"h{n}", 2.0), home) for n in range(2)]
        tasks = [asyncio.ensure_future(run.wait()) for run in holders]
        while queue.running() < 2:
            await asyncio.sleep(0.05)
        messages: list[str] = []
        waiting = StepRun(_request(script, "w"), home, _status_sink(messages))
        waiting_task = asyncio.ensure_future(waiting.wait())
        while queue.waiting() < 1:
            await asyncio.sleep(0.05)
        behind = StepRun(_request(script, "b", 0.1), home)
        behind_task = asyncio.ensure_future(behind.wait())
        await asyncio.sleep(0.3)
        assert queue.waiting() == 2
        waiting.cancel()
        cancelled = await asyncio.wait_for(waiting_task, 5)
        assert queue.waiting() == 1, "the cancelled step is still in line"
        return cancelled, messages, await behind_task, await asyncio.gather(*tasks)

    cancelled, messages, behind, holders = asyncio.run(main())
    assert cancelled.status == "cancelled"
    assert messages and messages[0].startswith("queued: 1st in line"), messages
    assert behind.status == "passed"
    assert [o.status for o in holders] == ["passed", "passed"]
    assert len(list(out.glob("*.json"))) == 3, "the cancelled step ran anyway"


def test_a_dead_waiters_ticket_does_not_hold_the_line(slots: Path) -> None:
    queue = StepQueue(slots)
    stale = slots / "queue" / "000000000000-999999"
    stale.write_text("")  # a waiter that died: its file is there but nobody holds its lock
    (slots / "next-ticket").write_text("1\n")
    ticket = queue.take_ticket()
    try:
        assert queue.ahead_of(ticket) == 0
        assert not stale.exists()
    finally:
        ticket.release(unlink=True)


def test_a_learner_in_zh_tw_is_told_their_place_in_chinese(slots: Path) -> None:
    from workbench import i18n

    queue = StepQueue(slots)
    held = [queue.try_slot(), queue.try_slot()]  # both slots busy: the next step waits
    messages: list[str] = []
    previous = i18n.language()
    i18n.set_language("zh-TW")
    try:

        async def wait_then_cancel() -> None:
            cancelled = asyncio.Event()
            waiter = asyncio.ensure_future(queue.acquire(_status_sink(messages), cancelled))
            await asyncio.sleep(0.3)
            cancelled.set()
            assert await waiter is None

        asyncio.run(wait_then_cancel())
    finally:
        i18n.set_language(previous)
        for slot in held:
            assert slot is not None
            slot.release()
    assert messages == ["排隊中：第 1 位（這個班級同時最多執行 2 個步驟）"], messages
    assert queue.waiting() == 0, "the cancelled step's ticket is still in the line"


def test_the_shared_queue_files_exist_before_any_learner_needs_them(tmp_path: Path) -> None:
    """Learners running as their own users cannot create each other's files: the server creates them all."""
    folder = tmp_path / "slots"
    configure(folder, 3)
    assert sorted(p.name for p in folder.iterdir()) == [
        "next-ticket",
        "queue",
        "queue.lock",
        "slot-0.lock",
        "slot-1.lock",
        "slot-2.lock",
        "slots.json",
    ]
    queue = StepQueue(folder)
    numbers = []
    for _ in range(3):
        ticket = queue.take_ticket()
        numbers.append(int(ticket.path.name.split("-")[0]))
        ticket.release(unlink=True)
    assert numbers == [0, 1, 2] and (folder / "next-ticket").read_text() == "3\n"
    inode = (folder / "next-ticket").stat().st_ino
    queue.take_ticket().release(unlink=True)
    assert (folder / "next-ticket").stat().st_ino == inode, "the counter was replaced, not rewritten in place"
