"""The bentoml-serving lesson's steps: serve the validated model on localhost, call it, load-test it, package it.

The layer code it runs: the service (``application/inference/iris_service.py``),
the requests every client shares (``application/inference/iris_requests.py``),
the load test (``application/inference/load_testing.py``) and the local server
adapter (``infrastructure/deployment/local_server.py``).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from application.inference.iris_requests import BAD_PAYLOADS, BENTOFILE, EXAMPLE_BODY, GOOD_ROWS, SERVICE, species_correct
from application.inference.load_testing import locust_command, locust_results, read_locust_stats
from infrastructure.deployment.local_server import LocalServer, build_command, shown
from shared import events
from shared.configs.repository import REPO_ROOT, with_repo_on_path
from shared.utils.local_http import post
from shared.utils.local_network import free_local_port, nothing_listens


def serve_and_call(startup_timeout_s: float = 90.0, hold_s: float = 0.0) -> dict[str, Any]:
    """``hold_s``: keep the server up that long after the calls, to try it yourself with curl."""
    port = free_local_port()
    server = LocalServer(SERVICE, port)
    events.status("starting the service")
    try:
        ready_s = server.start(startup_timeout_s)
        events.metric("startup_seconds", ready_s)
        events.log(f"ready after {ready_s:.1f} s at {server.url} (/readyz 200)")
        events.artifact("service", server.url, "BentoML service on localhost (stopped at the end of the step)")

        events.status("sending good requests")
        status, answer, ms = post(server.url + "/classify", json.dumps(EXAMPLE_BODY).encode())
        events.log(f"POST /classify {list(GOOD_ROWS)} -> {status} in {ms:.1f} ms: {json.dumps(answer)[:300]}")
        correct = species_correct(answer) if status == 200 else 0
        events.metric("good_requests_correct", correct)

        events.status("sending bad requests")
        refused = 0
        for name, payload in BAD_PAYLOADS.items():
            status, answer, _ = post(server.url + "/classify", payload)
            refused += status == 400
            events.log(f"  {name:<32} -> {status} {json.dumps(answer)[:160]}")
        events.metric("bad_requests_refused_400", refused)

        with urllib.request.urlopen(server.url + "/metrics", timeout=5) as response:
            metrics_text = response.read().decode()
        requests_counted = "bentoml_service_request_total" in metrics_text
        events.log(
            f"GET /metrics -> Prometheus text, {len(metrics_text.splitlines())} lines; "
            f"request counter present: {requests_counted}"
        )
        if hold_s > 0:
            events.log(
                f"holding the server for {hold_s:g} s: curl -X POST {server.url}/classify "
                "-H 'content-type: application/json' -d '{\"features\": [[5.1, 3.5, 1.4, 0.2]]}'"
            )
            time.sleep(hold_s)
    finally:
        events.status("stopping the service")
        server.stop()
    free = nothing_listens(port)
    events.log(f"server stopped; port {port} free again: {free}")
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
    server = LocalServer(SERVICE, free_local_port())
    events.status("starting the service for the load test")
    try:
        server.start(startup_timeout_s)
        with tempfile.TemporaryDirectory(prefix="locust-") as tmp:
            prefix = str(Path(tmp) / "run")
            command = locust_command(server.url, users, spawn_rate, duration_s, prefix)
            events.log("$ " + shown(command))
            events.status(f"{users} users for {duration_s} s")
            process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            started = time.monotonic()
            while process.poll() is None:
                time.sleep(0.5)
                events.progress(min(time.monotonic() - started, duration_s), duration_s, "seconds of load")
            output = process.stdout.read() if process.stdout else ""
            for line in output.splitlines()[-25:]:
                events.log(f"[locust] {line}")
            rows = read_locust_stats(prefix)
        total = rows["Aggregated"]
    finally:
        events.status("stopping the service")
        server.stop()
    results = locust_results(total)
    events.log(f"{'endpoint':<16}{'requests':>9}{'fail':>6}{'rps':>8}{'p50':>7}{'p95':>7}{'p99':>7}  (ms)")
    for name, row in rows.items():
        events.log(
            f"{name:<16}{row['Request Count']:>9}{row['Failure Count']:>6}{float(row['Requests/s']):>8.1f}"
            f"{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
    for name, value in results.items():
        events.metric(name, value)
    return {
        **results,
        "summary": f"{results['rps']:.0f} requests/s, p99 {results['latency_p99_ms']:.0f} ms, {results['failures']} failures",
    }


def build_bento() -> dict[str, Any]:
    command = build_command(BENTOFILE)
    events.log("$ " + shown(command))
    done = subprocess.run(command, cwd=REPO_ROOT, env=with_repo_on_path(), capture_output=True, text=True, timeout=300)
    events.log(done.stdout[-2000:] + done.stderr[-2000:])
    tags = [line.split("__tag__:", 1)[1].strip() for line in done.stdout.splitlines() if "__tag__:" in line]
    if done.returncode != 0 or not tags:
        raise events.StepError(f"bentoml build exited with code {done.returncode}")
    events.artifact("bento", tags[0], "list it with `bentoml list`; containerize it in the docker-build lesson")
    events.log(f"built {tags[0]}")
    return {"bento_tag": tags[0], "bento_built": True}
