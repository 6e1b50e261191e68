"""UI benchmarks, each against a baseline measured in the same run.

    make bench            (or: .venv/bin/python -m tests.benchmarks [--runs N])

1. first paint: `mlops-workbench`'s app vs a minimal Textual app (one Label),
   both started in a fresh interpreter, headless, timed until their first
   screen is ready. Reported as medians and their ratio (goal ≤ 1.3×).
2. key latency under a flood: a step prints 50,000 log lines while keys are
   sent to the lesson screen; time from key event to the screen applying it
   (p50/p99, goal p99 ≤ 50 ms), against the same keys with no step running.
3. UI process memory: peak RSS of the UI process during the flood run
   (goal ≤ 120 MB), against the RSS of the minimal Textual app.
4. runner overhead: the pytorch-digits training function run bare (`python -c`)
   vs through the lesson runner (child process, event pipe), wall time,
   medians and ratio (goal ≤ 1.05×).

5. serving: the BentoML iris service (adaptive batching) vs a bare
   Starlette/uvicorn endpoint with the same model, 16 connections, alternating
   rounds; throughput ratio (goal ≥ 1.5×) and p99 of each (goal: no worse).

    python -m tests.benchmarks ui        only 1-3
    python -m tests.benchmarks runner    only 4
    python -m tests.benchmarks serving   only 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import sys, os, resource
mode, home = sys.argv[1], sys.argv[2]
if mode == "workbench":
    from pathlib import Path
    from workbench.tui.app import WorkbenchApp as Base
    kwargs = {"home": Path(home), "show_startup_time": False}
else:
    from textual.app import App as Base
    from textual.widgets import Label
    kwargs = {}

class Probe(Base):
    if mode != "workbench":
        def compose(self):
            yield Label("hello")
    def on_ready(self):
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"READY {rss:.1f}", flush=True)
        self.exit()

Probe(**kwargs).run(headless=True)
"""


def first_paint(mode: str, home: str) -> tuple[float, float]:
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", PROBE, mode, home], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("READY"):
            elapsed = (time.perf_counter() - start) * 1000
            rss = float(line.split()[1])
            process.wait(timeout=30)
            return elapsed, rss
    raise RuntimeError(f"{mode} probe exited with {process.wait()} before its first screen")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(q / 100 * (len(ordered) - 1))), len(ordered) - 1)]


async def key_latencies(home: Path, flood_lines: int, presses: int) -> dict[str, float]:
    from textual import events as textual_events

    from workbench.curriculum.lesson_loader import Lesson
    from workbench.curriculum.lesson_schema import Check, LessonSpec, Requirements, Step
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.screens.lesson_screen import LessonScreen

    folder = home / "flood-lesson"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text("# flood\n\nA benchmark lesson that floods the log.\n")
    step = Step.model_construct(
        id="flood",
        title="flood the log",
        entry="tests.benchmarks.flood_step:flood",
        params={"lines": flood_lines},
        timeout_s=300,
        checks=[Check.model_construct(output="lines", min=1, max=None, equals=None)],
        explain="",
    )
    spec = LessonSpec.model_construct(
        format_version=1,
        id="flood",
        title="flood",
        layer="shared",
        summary="flood",
        objectives=["flood"],
        prerequisites=[],
        requirements=Requirements(),
        provides=None,
        steps=[step],
    )
    lesson = Lesson(spec=spec, folder=folder, order=999)
    app = WorkbenchApp(home=home, show_startup_time=False)
    results: dict[str, float] = {}
    async with app.run_test(size=(140, 42)) as pilot:
        while app.curriculum is None:
            await asyncio.sleep(0.01)
        app.curriculum.lessons.append(lesson)
        screen = LessonScreen(lesson)
        await app.push_screen(screen)
        await pilot.pause()
        tabs = screen.query_one("#tabs")

        async def measure(count: int) -> list[float]:
            samples = []
            for i in range(count):
                key, target = ("c", "tab-code") if i % 2 == 0 else ("m", "tab-metrics")
                start = time.perf_counter()
                app._driver.send_message(textual_events.Key(key, key))
                while tabs.active != target:
                    await asyncio.sleep(0)
                samples.append((time.perf_counter() - start) * 1000)
                await asyncio.sleep(0.01)
            return samples

        idle = await measure(presses)
        peak = rss_mb()
        screen.action_run_step()  # what the run key does; not awaited through Pilot, which waits for idle
        busy: list[float] = []
        started = time.perf_counter()
        panel = screen.query_one("#log-panel")
        while screen.running or panel._backlog:  # until the step ended and every line is drawn
            busy.extend(await measure(5))
            peak = max(peak, rss_mb())
        flood_s = time.perf_counter() - started
        lines_seen = sum(1 for line in screen.query_one("#log-panel").lines if line.startswith("flood line"))
    results.update(
        idle_p50_ms=percentile(idle, 50),
        idle_p99_ms=percentile(idle, 99),
        flood_p50_ms=percentile(busy, 50),
        flood_p99_ms=percentile(busy, 99),
        flood_presses=len(busy),
        flood_seconds=flood_s,
        lines_kept=lines_seen,
        ui_peak_rss_mb=peak,
    )
    return results


def ui_benchmarks(home: Path, args: argparse.Namespace) -> dict[str, float]:
    paints: dict[str, list[float]] = {"textual": [], "workbench": []}
    rss: dict[str, list[float]] = {"textual": [], "workbench": []}
    for _ in range(args.runs):
        for mode in ("textual", "workbench"):  # interleaved so machine noise hits both alike
            ms, mb = first_paint(mode, str(home))
            paints[mode].append(ms)
            rss[mode].append(mb)
    latency = asyncio.run(key_latencies(home, args.lines, presses=40))
    baseline, ours = statistics.median(paints["textual"]), statistics.median(paints["workbench"])
    results = {
        "first_paint_textual_ms": baseline,
        "first_paint_workbench_ms": ours,
        "first_paint_ratio": ours / baseline,
        "rss_at_first_paint_textual_mb": statistics.median(rss["textual"]),
        "rss_at_first_paint_workbench_mb": statistics.median(rss["workbench"]),
        **latency,
        "ui_rss_ratio_vs_minimal_textual": latency["ui_peak_rss_mb"] / statistics.median(rss["textual"]),
    }
    print("benchmark                                   value      goal")
    print(f"first paint: minimal Textual app (median)   {baseline:7.0f} ms")
    print(f"first paint: workbench (median)             {ours:7.0f} ms")
    print(f"first paint ratio workbench / Textual       {results['first_paint_ratio']:7.2f} x    ≤ 1.30 x")
    print(f"key latency, idle p50 / p99                 {latency['idle_p50_ms']:7.1f} / {latency['idle_p99_ms']:.1f} ms")
    print(
        f"key latency, {args.lines} line flood p50 / p99   {latency['flood_p50_ms']:7.1f} / {latency['flood_p99_ms']:.1f} ms   p99 ≤ 50 ms"
        f"  ({latency['flood_presses']} presses over {latency['flood_seconds']:.1f} s)"
    )
    print(
        f"UI process peak RSS during the flood        {latency['ui_peak_rss_mb']:7.0f} MB    ≤ 120 MB"
        f"  ({results['ui_rss_ratio_vs_minimal_textual']:.2f}x a minimal Textual app)"
    )
    return results


RUNNER_ENTRY = "application.training.pytorch_digits_training:train"


def runner_overhead(home: Path, runs: int) -> dict[str, float]:
    from workbench.runner.step_runner import StepRequest, run_step

    module, function = RUNNER_ENTRY.split(":")
    env = {
        **os.environ,
        "WORKBENCH_HOME": str(home),
        "BENTOML_HOME": str(home / "bentoml"),
        "BENTOML_DO_NOT_TRACK": "True",
        "PYTHONPATH": str(REPO_ROOT),
    }
    bare, runner = [], []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", f"from {module} import {function}; {function}()"],
            env=env,
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        outcome = asyncio.run(run_step(StepRequest("bench", "train", RUNNER_ENTRY, {}, [], 600), home))
        runner.append(time.perf_counter() - start)
        if outcome.status not in ("passed", "failed"):
            raise RuntimeError(f"runner run did not finish: {outcome.summary}")
    return {
        "bare_s": statistics.median(bare),
        "runner_s": statistics.median(runner),
        "runner_ratio": statistics.median(runner) / statistics.median(bare),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suite", nargs="?", choices=("all", "ui", "runner", "serving"), default="all")
    parser.add_argument("--runs", type=int, default=5, help="first-paint repetitions per app (median reported)")
    parser.add_argument("--lines", type=int, default=50_000, help="log lines the flood step prints")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["WORKBENCH_HOME"] = str(home)
        if args.suite in ("all", "ui"):
            results.update(ui_benchmarks(home, args))
        if args.suite in ("all", "runner"):
            overhead = runner_overhead(home, args.runs)
            results.update(overhead)
            print(f"pytorch-digits train, bare python -c (median)  {overhead['bare_s']:7.2f} s")
            print(f"pytorch-digits train, via the runner (median)  {overhead['runner_s']:7.2f} s")
            print(f"runner overhead ratio                       {overhead['runner_ratio']:7.3f} x    ≤ 1.05 x")
        if args.suite in ("all", "serving"):
            from tests.benchmarks.serving_benchmark import serving_benchmark

            serving = serving_benchmark(home)
            results.update(serving)
            print(f"{'':<10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}   (medians of the rounds)")
            for name in ("bentoml", "bare"):
                print(f"{name:<10}" + "".join(f"{serving[f'{name}_{k}']:9.1f}" for k in ("rps", "p50_ms", "p95_ms", "p99_ms")))
            print(f"throughput ratio bentoml/bare {serving['throughput_ratio']:6.2f} x    ≥ 1.5 x")
            print(f"p99 ratio bentoml/bare        {serving['p99_ratio']:6.2f} x    ≤ 1.0 x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
