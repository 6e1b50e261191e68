"""Benchmark for the instructor's sizing guide: memory per idle and per running learner, CPU per step.

    python -m tests.classroom.bench_sizing [--learners 4] [--lesson 020-sklearn-iris]

Serves a real class (`classroom serve` in a child process: as root, each learner as their own Unix user)
with one lesson of the curriculum, and measures with websocket clients playing the browsers:

- the server process's PSS alone, and with every learner connected;
- each idle learner session (their app's process tree), on the map and with the lesson open;
- one learner running the lesson ("a": every step): the peak PSS of their app + step child (sampled every
  50 ms), the step processes' CPU seconds (user + system) and wall time;
- every learner pressing "a" at once with --max-running = all of them: wall time for all, CPU seconds.

PSS (proportional set size) shares pages between processes: the sum over learners is what they cost
together. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.classroom.conftest import ANSI, REPO_ROOT, let_learners_reach_python, read_links
from tests.conftest import processes_of_home

TICK = os.sysconf("SC_CLK_TCK")


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0


def is_step(pid: int) -> bool:
    try:
        return "step_process" in Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return False


class Sampler:
    """Peak PSS of a home's processes (all, and the step processes), and the step processes' CPU ticks."""

    def __init__(self, homes: list[Path]) -> None:
        self.homes = homes
        self.peak_total_kib = 0
        self.peak_step_kib = 0
        self.step_ticks: dict[int, int] = {}
        self.first_step: float | None = None
        self.last_step: float | None = None

    def sample(self) -> None:
        total = step = 0
        for home in self.homes:
            for pid in processes_of_home(home):
                kib = pss_kib(pid)
                total += kib
                if is_step(pid):
                    step += kib
                    self.step_ticks[pid] = max(self.step_ticks.get(pid, 0), cpu_ticks(pid))
                    now = time.monotonic()
                    self.first_step = self.first_step or now
                    self.last_step = now
        self.peak_total_kib = max(self.peak_total_kib, total)
        self.peak_step_kib = max(self.peak_step_kib, step)

    @property
    def step_cpu_s(self) -> float:
        return sum(self.step_ticks.values()) / TICK


class Browser:
    """A websocket client that keeps reading like a browser does (one that stops reading misses the server's
    heartbeat and is disconnected), keeping the screen's text since the last ``mark``."""

    def __init__(self, client: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.client, self.ws, self.text = client, ws, ""
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.text = (self.text + ANSI.sub("", message.data.decode("utf-8", "replace")))[-20000:]

    def mark(self) -> None:
        self.text = ""

    async def press(self, keys: str) -> None:
        await self.ws.send_json(["stdin", keys])

    async def wait_for(self, needle: str, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while needle not in self.text:
            if time.monotonic() > end or self.reader.done():
                raise SystemExit(f"did not see {needle!r}: {self.text[-800:]}")
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        await self.ws.close()
        await self.client.close()
        self.reader.cancel()


async def session(url: str) -> Browser:
    client = aiohttp.ClientSession()
    browser = Browser(client, await client.ws_connect(url))
    await browser.ws.send_json(["resize", {"width": 140, "height": 45}])
    await browser.wait_for("lessons passed")
    return browser


def lesson_state(home: Path, lesson_id: str) -> tuple[str | None, int]:
    """(status, finished attempts) of the lesson in a learner's progress."""
    try:
        entry = json.loads((home / "progress.json").read_text())["lessons"][lesson_id]
        return entry["status"], len(entry.get("attempts") or [])
    except (OSError, ValueError, KeyError):
        return None, 0


async def run_lessons(homes: list[Path], browsers: list[Browser], lesson_id: str, timeout: float = 600) -> tuple[Sampler, float]:
    sampler = Sampler(homes)
    before = [lesson_state(home, lesson_id)[1] for home in homes]
    start = time.monotonic()
    for browser in browsers:
        await browser.press("a")
    while True:
        sampler.sample()
        now = [lesson_state(home, lesson_id) for home in homes]
        states = [state for state, _ in now]
        done = all(attempts > earlier for (_, attempts), earlier in zip(now, before, strict=True))
        if done and not any(is_step(pid) for home in homes for pid in processes_of_home(home)):
            break
        if time.monotonic() - start > timeout:
            raise SystemExit(f"the lesson did not finish within {timeout} s: {states}")
        await asyncio.sleep(0.05)
    if set(states) != {"passed"}:
        screens = "\n=====\n".join(browser.text[-2000:] for browser in browsers)
        raise SystemExit(f"the lesson did not pass for everyone: {states}\n{screens}")
    return sampler, time.monotonic() - start


def mib(kib: float) -> float:
    return round(kib / 1024, 1)


async def measure(url: str, root: Path, server_pid: int, tokens: dict[str, str], lesson_id: str) -> dict:
    learners = [who for who in tokens if who != "instructor"]
    homes = [root / "homes" / who for who in learners]
    result: dict = {"server_alone_pss_mib": mib(pss_kib(server_pid))}
    connections = [await session(f"{url}/l/{tokens[who]}/ws?width=140&height=45") for who in learners]
    await asyncio.sleep(3)
    per_map = [sum(pss_kib(pid) for pid in processes_of_home(home)) for home in homes]
    for browser in connections:
        await browser.press("\r")
        await browser.wait_for("Run step")
    await asyncio.sleep(3)
    per_open = [sum(pss_kib(pid) for pid in processes_of_home(home)) for home in homes]
    result["idle_session_pss_mib"] = {
        "on_the_map": [mib(min(per_map)), mib(max(per_map))],
        "lesson_open": [mib(min(per_open)), mib(max(per_open))],
        "all_learners_connected_total": mib(sum(per_open)),
    }
    result["server_with_everyone_connected_pss_mib"] = mib(pss_kib(server_pid))
    one, wall = await run_lessons(homes[:1], connections[:1], lesson_id)
    result["one_learner_running"] = {
        "peak_pss_app_plus_step_mib": mib(one.peak_total_kib),
        "peak_pss_step_mib": mib(one.peak_step_kib),
        "step_cpu_s": round(one.step_cpu_s, 2),
        "wall_s": round(wall, 1),
        "cores_busy_while_running": round(one.step_cpu_s / max(wall, 0.001), 2),
    }
    if len(learners) > 1:
        everyone, wall_all = await run_lessons(homes, connections, lesson_id)  # everyone's lesson screen is open
        result[f"{len(learners)}_learners_at_once"] = {
            "peak_pss_all_sessions_mib": mib(everyone.peak_total_kib),
            "peak_pss_steps_mib": mib(everyone.peak_step_kib),
            "step_cpu_s": round(everyone.step_cpu_s, 2),
            "wall_s": round(wall_all, 1),
        }
    for browser in connections:
        await browser.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=4)
    parser.add_argument("--lesson", default="020-sklearn-iris")
    args = parser.parse_args()
    lesson_folder = REPO_ROOT / "lessons" / args.lesson
    lesson_id = re.search(r'^id = "([^"]+)"', (lesson_folder / "lesson.toml").read_text(), re.M).group(1)  # type: ignore[union-attr]
    let_learners_reach_python()
    work = Path(tempfile.mkdtemp(prefix="wb-sizing-", dir="/tmp"))
    os.chmod(work, 0o711)
    root = work / "class"
    server = None
    try:
        lessons = work / "lessons"
        shutil.copytree(lesson_folder, lessons / args.lesson)
        subprocess.run(["chmod", "-R", "a+rX", str(lessons)], check=True)
        cli = [sys.executable, "-m", "workbench", "classroom"]
        subprocess.run([*cli, "init", str(root), "--seats", str(args.learners)], check=True, capture_output=True, cwd=REPO_ROOT)
        log = work / "serve.log"
        env = {**os.environ, "WORKBENCH_LESSONS_DIR": str(lessons)}
        env.pop("WORKBENCH_HOME", None)
        with log.open("w") as handle:
            server = subprocess.Popen(
                [*cli, "serve", str(root), "--port", "0", "--max-running", str(args.learners)],
                stdout=handle,
                stderr=subprocess.STDOUT,
                cwd=REPO_ROOT,
                env=env,
            )
        deadline = time.monotonic() + 120
        while not (found := re.search(r"on (http://127\.0\.0\.1:\d+)", log.read_text())):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(log.read_text())
            time.sleep(0.1)
        isolated = "isolation: each learner" in log.read_text()
        result = {
            "machine": f"{os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB",
            "lesson": lesson_id,
            "learners": args.learners,
            "isolated_unix_users": isolated,
            **asyncio.run(measure(found.group(1).replace("http", "ws", 1), root, server.pid, read_links(root), lesson_id)),
        }
        print(json.dumps(result, indent=2))
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        if os.geteuid() == 0 and (root / "class.json").exists():
            subprocess.run([sys.executable, "-m", "workbench", "classroom", "teardown", str(root)], cwd=REPO_ROOT, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
