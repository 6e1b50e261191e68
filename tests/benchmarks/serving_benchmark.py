"""Serving benchmark: the workbench's BentoML service (adaptive batching) vs a bare Starlette/uvicorn endpoint.

Both serve the same validated iris model from the same store on 127.0.0.1 with
one worker, under the same closed-loop load (16 connections, one flower per
request, ``tests/benchmarks/http_load.py`` in its own process), alternating
BentoML / bare for ``rounds`` rounds in one run. Reported: requests/s and
p50/p95/p99 of each, and the throughput ratio (goal ≥ 1.5×, p99 no worse).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from shared.configs.repository import REPO_ROOT, with_repo_on_path
from shared.utils.local_network import free_local_port, nothing_listens


def _wait_ready(url: str, process: subprocess.Popen, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            body = json.dumps({"features": [[5.1, 3.5, 1.4, 0.2]]}).encode()
            request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} not ready within {timeout_s} s")


def _measure(server: list[str], path: str, env: dict[str, str], connections: int, duration_s: float) -> dict[str, float]:
    port = free_local_port()
    command = [part.replace("{port}", str(port)) for part in server]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}{path}"
    try:
        _wait_ready(url, process)
        load = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.benchmarks.http_load",
                url,
                "--connections",
                str(connections),
                "--duration",
                str(duration_s),
            ],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(load.stdout.strip().splitlines()[-1])
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        nothing_listens(port)


def serving_benchmark(home: Path, rounds: int = 2, connections: int = 16, duration_s: float = 15.0) -> dict[str, float]:
    env = with_repo_on_path()
    env.update({"WORKBENCH_HOME": str(home), "BENTOML_HOME": str(home / "bentoml"), "BENTOML_DO_NOT_TRACK": "True"})
    prepared = subprocess.run(
        [sys.executable, "-m", "workbench", "--lesson", "model-validation", "--plain"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if prepared.returncode != 0:
        raise RuntimeError("model-validation failed:\n" + prepared.stdout[-2000:])
    bin_dir = Path(sys.executable).parent
    bento = [
        str(bin_dir / "bentoml"),
        "serve",
        "application.inference.iris_service:IrisService",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
    ]
    bare = [
        str(bin_dir / "uvicorn"),
        "tests.benchmarks.bare_iris_endpoint:app",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    runs: dict[str, list[dict[str, float]]] = {"bentoml": [], "bare": []}
    for round_no in range(rounds):
        for name, command in (("bentoml", bento), ("bare", bare)):
            result = _measure(command, "/predict_proba", env, connections, duration_s)
            runs[name].append(result)
            print(
                f"round {round_no + 1} {name:<8} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f}  "
                f"p95 {result['p95_ms']:7.1f}  p99 {result['p99_ms']:7.1f} ms  errors {result['errors']}",
                flush=True,
            )
    summary: dict[str, float] = {}
    for name, results in runs.items():
        for key in ("rps", "p50_ms", "p95_ms", "p99_ms"):
            summary[f"{name}_{key}"] = statistics.median(r[key] for r in results)
        summary[f"{name}_errors"] = sum(r["errors"] for r in results)
    summary["throughput_ratio"] = summary["bentoml_rps"] / summary["bare_rps"]
    summary["p99_ratio"] = summary["bentoml_p99_ms"] / summary["bare_p99_ms"]
    return summary
