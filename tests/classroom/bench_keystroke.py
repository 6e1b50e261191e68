"""Benchmark: the classroom layer's added latency per keystroke, and memory per idle learner session.

    python -m tests.classroom.bench_keystroke [--presses 60]

In one run, on the same machine: textual-serve serving the bare workbench (one command string, one home)
and the classroom server (token check, the learner's own home, the step queue). For each, a websocket
client opens the app, waits for the layer map, then presses down/up N times and times each keystroke from
send to the first frame that comes back (browser → app → browser, without the browser). Memory: PSS of
the app process tree per idle session. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from tests.classroom.conftest import ANSI
from tests.conftest import FIXTURE_CURRICULUM, processes_of_home


def pss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


async def measure(ws_url: str, home: Path, presses: int) -> dict[str, float]:
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url) as ws:
        await ws.send_json(["resize", {"width": 140, "height": 45}])
        text, deadline = "", time.monotonic() + 60
        while "lessons passed" not in text:
            if time.monotonic() > deadline:
                raise SystemExit(f"no layer map from {ws_url}")
            message = await ws.receive(timeout=60)
            if message.type == aiohttp.WSMsgType.BINARY:
                text += ANSI.sub("", message.data.decode("utf-8", "replace"))
        await asyncio.sleep(2)  # let start-up settle, then drain
        while True:
            try:
                await ws.receive(timeout=0.3)
            except TimeoutError:
                break
        idle_mib = pss_kib(processes_of_home(home)) / 1024
        latencies = []
        for n in range(presses):
            key = "\x1b[B" if n % 2 == 0 else "\x1b[A"  # down, up: the map's selection moves and is redrawn
            start = time.perf_counter()
            await ws.send_json(["stdin", key])
            while True:
                message = await ws.receive(timeout=10)
                if message.type == aiohttp.WSMsgType.BINARY:
                    break
            latencies.append((time.perf_counter() - start) * 1000)
            while True:  # the rest of that redraw
                try:
                    await ws.receive(timeout=0.15)
                except TimeoutError:
                    break
    latencies.sort()
    return {
        "median_ms": round(statistics.median(latencies), 2),
        "p90_ms": round(latencies[int(len(latencies) * 0.9) - 1], 2),
        "idle_session_pss_mib": round(idle_mib, 1),
    }


async def bare(home: Path, presses: int) -> dict[str, float]:
    from textual_serve.server import Server

    os.environ["WORKBENCH_HOME"] = str(home)
    server = Server(f"{sys.executable} -m workbench --home {home} --lessons-dir {FIXTURE_CURRICULUM}", port=0)
    runner = web.AppRunner(await server._make_app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # aiohttp keeps the bound socket here
    try:
        return await measure(f"ws://127.0.0.1:{port}/ws", home, presses)
    finally:
        await asyncio.sleep(1)  # textual-serve ends the app when its websocket closes: let it finish first
        await runner.cleanup()
        os.environ.pop("WORKBENCH_HOME", None)


async def classroom(root: Path, presses: int) -> dict[str, float]:
    from workbench.classroom.roster import init_class
    from workbench.classroom.server import ClassroomServer

    classroom, links = init_class(root, [("alice", "Alice")])
    token = dict(links)["alice"].rsplit("/", 1)[1]
    server = ClassroomServer(classroom, port=0, max_running=2, lessons_dir=FIXTURE_CURRICULUM, lesson_ids=[])
    port = await server.start()
    try:
        return await measure(f"ws://127.0.0.1:{port}/l/{token}/ws", classroom.home("alice"), presses)
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "bare-home"
        home.mkdir()
        result = {
            "machine": f"{os.cpu_count()} cores",
            "presses": args.presses,
            "textual_serve_bare": asyncio.run(bare(home, args.presses)),
            "classroom": asyncio.run(classroom(Path(tmp) / "class", args.presses)),
        }
    bare_ms, class_ms = result["textual_serve_bare"]["median_ms"], result["classroom"]["median_ms"]
    result["added_latency_median_ms"] = round(class_ms - bare_ms, 2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
