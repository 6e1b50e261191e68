"""First screen as a learner sees it, measured from outside the process in a real terminal (a pty).

    .venv/bin/python -m tests.benchmarks.first_paint_pty [--runs 7] [--size 120x40]

Each run starts a fresh interpreter on a pseudo-terminal of the given size, the way a shell starts
`mlops-workbench`, and reads what it writes to the terminal until a text appears on it:

- the smallest Textual app (one Label) — until "hello" is drawn: the baseline;
- `mlops-workbench` — until the layer map is drawn (the four layer boxes), then until the header and footer
  join it (mounted right after the map's first frame), and then until the lessons are listed in the boxes
  (they load in a thread after the first frame).

The apps are run alternately so machine noise hits both alike; medians and the ratio are printed (goal for the
map: ≤ 1.3× the minimal app). Nothing is timed inside the process: this is the wait a learner has.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
MINIMAL_APP = """
from textual.app import App
from textual.widgets import Label

class Minimal(App):
    def compose(self):
        yield Label("hello")

Minimal().run()
"""
# What is on the terminal when the map is drawn, and when its lessons are listed.
MAP_DRAWN = (b"application", b"infrastructure", b"shared")
FRAME_DONE = (b"mlops-workbench",)  # the header's title and the footer's help key
LESSONS_LISTED = (b"lessons passed",)


def run_in_pty(
    command: list[str], marks: list[tuple[bytes, ...]], size: tuple[int, int], env: dict[str, str], timeout_s: float = 60.0
) -> list[float]:
    """Milliseconds from the start until each group of texts has been written to the terminal (in order)."""
    columns, rows = size
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO_ROOT, start_new_session=True, close_fds=True
    )
    os.close(slave)
    seen = b""
    times: list[float] = []
    try:
        while len(times) < len(marks):
            if time.perf_counter() - started > timeout_s:
                raise RuntimeError(f"{command[-1][:40]!r}: {marks[len(times)]!r} not drawn within {timeout_s:g} s")
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if process.poll() is not None:
                    raise RuntimeError(f"exited with {process.returncode} before drawing {marks[len(times)]!r}")
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            while len(times) < len(marks) and all(text in seen for text in marks[len(times)]):
                times.append((time.perf_counter() - started) * 1000)
    finally:
        with contextlib.suppress(OSError):
            os.write(master, b"\x11")  # ctrl+q
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(master)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size", default="120x40", help="terminal columns x rows")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory(prefix="first-paint-") as tmp:
        env = {**os.environ, "TERM": "xterm-256color", "WORKBENCH_HOME": tmp, "COLUMNS": str(size[0]), "LINES": str(size[1])}
        env.pop("WORKBENCH_LANG", None)
        minimal: list[float] = []
        map_drawn: list[float] = []
        framed: list[float] = []
        listed: list[float] = []
        workbench = [sys.executable, "-m", "workbench"]
        run_in_pty(workbench, [MAP_DRAWN, FRAME_DONE, LESSONS_LISTED], size, env)  # a first start writes caches
        for _ in range(args.runs):
            [hello] = run_in_pty([sys.executable, "-c", MINIMAL_APP], [(b"hello",)], size, env)
            minimal.append(hello)
            drawn, frame, lessons = run_in_pty(workbench, [MAP_DRAWN, FRAME_DONE, LESSONS_LISTED], size, env)
            map_drawn.append(drawn)
            framed.append(frame)
            listed.append(lessons)
    results = {
        "terminal": f"{size[0]}x{size[1]}",
        "runs": args.runs,
        "minimal_textual_ms": statistics.median(minimal),
        "workbench_map_drawn_ms": statistics.median(map_drawn),
        "workbench_header_footer_ms": statistics.median(framed),
        "workbench_lessons_listed_ms": statistics.median(listed),
    }
    results["map_ratio"] = results["workbench_map_drawn_ms"] / results["minimal_textual_ms"]
    results["header_footer_ratio"] = results["workbench_header_footer_ms"] / results["minimal_textual_ms"]
    results["lessons_ratio"] = results["workbench_lessons_listed_ms"] / results["minimal_textual_ms"]
    print(f"first screen in a {results['terminal']} pty, medians of {args.runs} alternating runs")
    print(f"  minimal Textual app, 'hello' drawn        {results['minimal_textual_ms']:7.0f} ms")
    print(
        f"  mlops-workbench, layer map drawn          {results['workbench_map_drawn_ms']:7.0f} ms"
        f"   {results['map_ratio']:.2f} x   (goal ≤ 1.30 x)"
    )
    print(
        f"  mlops-workbench, header and footer too    {results['workbench_header_footer_ms']:7.0f} ms"
        f"   {results['header_footer_ratio']:.2f} x"
    )
    print(
        f"  mlops-workbench, lessons listed on it     {results['workbench_lessons_listed_ms']:7.0f} ms"
        f"   {results['lessons_ratio']:.2f} x"
    )
    print(
        "  all runs (ms): minimal "
        + " ".join(f"{v:.0f}" for v in minimal)
        + " | map "
        + " ".join(f"{v:.0f}" for v in map_drawn)
        + " | header/footer "
        + " ".join(f"{v:.0f}" for v in framed)
        + " | lessons "
        + " ".join(f"{v:.0f}" for v in listed)
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
