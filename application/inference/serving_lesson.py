"""The bentoml-serving lesson's steps: serve the validated model on localhost, call it, package it.

The server is started as a child of the step (same process group), so a
cancel or a crash of the step ends it too; on the way out it is stopped and
the port is checked to be free again.
"""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from shared import events
from shared.configs.repository import REPO_ROOT, with_repo_on_path
from shared.utils.local_http import is_ready, post
from shared.utils.local_network import free_local_port, nothing_listens

SERVICE = "application.inference.iris_service:IrisService"
BENTOFILE = "application/inference/bentofile.yaml"
GOOD_ROWS = {  # one flower of each species from the iris data (rows 0, 50, 100)
    "setosa": [5.1, 3.5, 1.4, 0.2],
    "versicolor": [7.0, 3.2, 4.7, 1.4],
    "virginica": [6.3, 3.3, 6.0, 2.5],
}
BAD_PAYLOADS: dict[str, bytes] = {
    "three features instead of four": json.dumps({"features": [[5.1, 3.5, 1.4]]}).encode(),
    "text instead of numbers": json.dumps({"features": [["long", "wide", "short", "thin"]]}).encode(),
    "no rows": json.dumps({"features": []}).encode(),
    "missing field": json.dumps({"rows": [[5.1, 3.5, 1.4, 0.2]]}).encode(),
    "a missing value (NaN)": b'{"features": [[5.1, NaN, 1.4, 0.2]]}',
    "1001 rows (over the limit)": json.dumps({"features": [[5.0, 3.0, 1.0, 0.2]] * 1001}).encode(),
    "not JSON at all": b"features=5.1,3.5",
}


_print_lock = threading.Lock()


def say(text: str) -> None:
    """One whole line per write: the server's output thread and the step never interleave mid-line."""
    with _print_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def bentoml_cli() -> str:
    candidate = Path(sys.executable).with_name("bentoml")
    return str(candidate) if candidate.exists() else "bentoml"


def serve_command(port: int) -> list[str]:
    """`bentoml serve` for the iris service on 127.0.0.1:port (run it from the repository root)."""
    return [bentoml_cli(), "serve", SERVICE, "--host", "127.0.0.1", "--port", str(port)]


def locust_command(url: str, users: int, spawn_rate: float, duration_s: int, csv_prefix: str) -> list[str]:
    """locust in headless mode with the users of application/inference/locustfile.py; the summary goes to CSV."""
    return [str(Path(sys.executable).with_name("locust")), "-f", "application/inference/locustfile.py",
            "--headless", "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{duration_s}s",
            "--host", url, "--csv", csv_prefix, "--only-summary", "--loglevel", "WARNING"]


def read_locust_stats(csv_prefix: str) -> dict[str, dict[str, str]]:
    """locust's per-endpoint summary rows by name ("Aggregated" is the total)."""
    import csv

    with open(csv_prefix + "_stats.csv", newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def locust_results(total: dict[str, str]) -> dict[str, float]:
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "latency_p50_ms": float(total["50%"]),
        "latency_p95_ms": float(total["95%"]),
        "latency_p99_ms": float(total["99%"]),
    }


class LocalServer:
    """`bentoml serve` on 127.0.0.1 as a child process; its output goes to the log tagged [server]."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.command = serve_command(port)
        self.process: subprocess.Popen[str] | None = None
        self.tail: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _forward(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            line = line.rstrip()
            self.tail = (self.tail + [line])[-20:]
            say(f"[server] {line}")

    def start(self, timeout_s: float) -> float:
        env = with_repo_on_path()
        say("$ " + shlex.join(["bentoml", *self.command[1:]]))
        started = time.perf_counter()
        self.process = subprocess.Popen(self.command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, bufsize=1)
        threading.Thread(target=self._forward, daemon=True).start()
        while time.perf_counter() - started < timeout_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"bentoml serve exited with code {self.process.returncode}: " + " | ".join(self.tail[-5:]))
            if is_ready(self.url):
                return time.perf_counter() - started
            time.sleep(0.25)
        raise RuntimeError(f"the service was not ready within {timeout_s:g} s: " + " | ".join(self.tail[-5:]))

    def stop(self, grace_s: float = 10.0) -> bool:
        if self.process is None or self.process.poll() is not None:
            return True
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        return True


def serve_and_call(startup_timeout_s: float = 90.0, hold_s: float = 0.0) -> dict[str, Any]:
    """``hold_s``: keep the server up that long after the calls, to try it yourself with curl."""
    port = free_local_port()
    server = LocalServer(port)
    events.status("starting the service")
    try:
        ready_s = server.start(startup_timeout_s)
        events.metric("startup_seconds", ready_s)
        say(f"ready after {ready_s:.1f} s at {server.url} (/readyz 200)")
        events.artifact("service", server.url, "BentoML service on localhost (stopped at the end of the step)")

        events.status("sending good requests")
        body = json.dumps({"features": list(GOOD_ROWS.values())}).encode()
        status, answer, ms = post(server.url + "/classify", body)
        say(f"POST /classify {list(GOOD_ROWS)} -> {status} in {ms:.1f} ms: {json.dumps(answer)[:300]}")
        correct = sum(1 for expected, row in zip(GOOD_ROWS, answer if status == 200 else []) if row["class"] == expected)
        events.metric("good_requests_correct", correct)

        events.status("sending bad requests")
        refused = 0
        for name, payload in BAD_PAYLOADS.items():
            status, answer, _ = post(server.url + "/classify", payload)
            refused += status == 400
            say(f"  {name:<32} -> {status} {json.dumps(answer)[:160]}")
        events.metric("bad_requests_refused_400", refused)

        with urllib.request.urlopen(server.url + "/metrics", timeout=5) as response:
            metrics_text = response.read().decode()
        requests_counted = "bentoml_service_request_total" in metrics_text
        say(f"GET /metrics -> Prometheus text, {len(metrics_text.splitlines())} lines; request counter present: {requests_counted}")
        if hold_s > 0:
            say(f"holding the server for {hold_s:g} s: curl -X POST {server.url}/classify -H 'content-type: application/json' "
                "-d '{\"features\": [[5.1, 3.5, 1.4, 0.2]]}'")
            time.sleep(hold_s)
    finally:
        events.status("stopping the service")
        server.stop()
    free = nothing_listens(port)
    say(f"server stopped; port {port} free again: {free}")
    return {
        "good_requests_correct": correct,
        "good_requests": len(GOOD_ROWS),
        "bad_requests_refused_400": refused,
        "bad_requests": len(BAD_PAYLOADS),
        "metrics_endpoint": requests_counted,
        "port_free_after_stop": free,
    }


def load_test(users: int = 8, spawn_rate: float = 8.0, duration_s: int = 10, startup_timeout_s: float = 90.0) -> dict[str, Any]:
    """locust in headless mode against the running service; its CSV summary becomes metrics."""
    import tempfile

    server = LocalServer(free_local_port())
    events.status("starting the service for the load test")
    try:
        server.start(startup_timeout_s)
        with tempfile.TemporaryDirectory(prefix="locust-") as tmp:
            prefix = str(Path(tmp) / "run")
            command = locust_command(server.url, users, spawn_rate, duration_s, prefix)
            say("$ " + shlex.join(["locust", *command[1:]]))
            events.status(f"{users} users for {duration_s} s")
            process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            started = time.monotonic()
            while process.poll() is None:
                time.sleep(0.5)
                events.progress(min(time.monotonic() - started, duration_s), duration_s, "seconds of load")
            output = process.stdout.read() if process.stdout else ""
            for line in output.splitlines()[-25:]:
                say(f"[locust] {line}")
            rows = read_locust_stats(prefix)
        total = rows["Aggregated"]
    finally:
        events.status("stopping the service")
        server.stop()
    results = locust_results(total)
    say(f"{'endpoint':<16}{'requests':>9}{'fail':>6}{'rps':>8}{'p50':>7}{'p95':>7}{'p99':>7}  (ms)")
    for name, row in rows.items():
        say(f"{name:<16}{row['Request Count']:>9}{row['Failure Count']:>6}{float(row['Requests/s']):>8.1f}"
            f"{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}")
    for name, value in results.items():
        events.metric(name, value)
    return {**results, "summary": f"{results['rps']:.0f} requests/s, p99 {results['latency_p99_ms']:.0f} ms, "
                                  f"{results['failures']} failures"}


def build_bento() -> dict[str, Any]:
    command = [bentoml_cli(), "build", "-f", BENTOFILE, "--output", "tag", "."]
    say("$ " + shlex.join(["bentoml", *command[1:]]))
    env = with_repo_on_path()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    say(done.stdout[-2000:] + done.stderr[-2000:])
    tags = [line.split("__tag__:", 1)[1].strip() for line in done.stdout.splitlines() if "__tag__:" in line]
    if done.returncode != 0 or not tags:
        raise RuntimeError(f"bentoml build exited with code {done.returncode}")
    events.artifact("bento", tags[0], "list it with `bentoml list`; containerize it in the docker-build lesson")
    say(f"built {tags[0]}")
    return {"bento_tag": tags[0], "bento_built": True}
