"""The monitoring lesson's steps: watch a live service through its Prometheus metrics, and catch drifted inputs.

Everything is read from ``/metrics`` the way a Prometheus server would scrape
it (``infrastructure/monitoring/prometheus_metrics.py``): request counts,
the latency histogram, and the service's own histograms of the feature values
it received (``application/inference/feature_monitoring.py``), compared with
the training data by population stability index
(``infrastructure/monitoring/drift_statistics.py``).
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import numpy as np

from application.inference.iris_requests import SERVICE
from domain.data.sources.iris_source import FEATURE_NAMES, load_iris_dataset
from infrastructure.deployment.local_server import LocalServer
from infrastructure.monitoring.drift_statistics import DRIFTED_ABOVE, bin_counts, population_stability_index, verdict
from infrastructure.monitoring.prometheus_metrics import Scrape, scrape
from shared import events
from shared.utils.local_http import post
from shared.utils.local_network import free_local_port, nothing_listens

LATENCY = "bentoml_service_request_duration_seconds"
REQUESTS = "bentoml_service_request_total"
ENDPOINT = "/classify"
FEATURE_METRIC = "iris_feature_value_{}"


@lru_cache(maxsize=1)
def _iris_features() -> np.ndarray:
    """The training population (read once: the traffic loops draw from it for every request)."""
    return load_iris_dataset().features


def _rows(count: int, seed: int, petal_shift_cm: float = 0.0) -> np.ndarray:
    """Flowers drawn from the iris population; ``petal_shift_cm`` adds that much to every petal length."""
    data = _iris_features()
    rows = data[np.random.default_rng(seed).integers(0, len(data), size=count)].copy()
    rows[:, FEATURE_NAMES.index("petal_length_cm")] += petal_shift_cm
    return rows


def _body(rows: np.ndarray) -> bytes:
    return json.dumps({"features": rows.round(2).tolist()}).encode()


def _send(url: str, rows: np.ndarray, rows_per_request: int, concurrency: int) -> tuple[int, int, list[str]]:
    """Send the rows in requests of ``rows_per_request`` from ``concurrency`` threads; (ok, failed, predicted classes)."""
    batches = [rows[i : i + rows_per_request] for i in range(0, len(rows), rows_per_request)]

    def one(batch: np.ndarray) -> tuple[int, Any]:
        status, answer, _ = post(url + ENDPOINT, _body(batch))
        return status, answer

    ok = failed = 0
    classes: list[str] = []
    with ThreadPoolExecutor(concurrency) as pool:
        for status, answer in pool.map(one, batches):
            if status == 200:
                ok += 1
                classes += [row["class"] for row in answer]
            else:
                failed += 1
    return ok, failed, classes


def watch_traffic(
    duration_s: float = 8.0, concurrency: int = 4, scrape_every_s: float = 0.5, startup_timeout_s: float = 90.0
) -> dict[str, Any]:
    """Traffic flows for ``duration_s`` while /metrics is scraped every ``scrape_every_s``: rate and latency, live."""
    port = free_local_port()
    server = LocalServer(SERVICE, port)
    events.status("starting the service")
    sent = {"ok": 0, "failed": 0}
    sent_lock = threading.Lock()
    try:
        server.start(startup_timeout_s)
        events.log(f"service ready at {server.url}; scraping {server.url}/metrics every {scrape_every_s:g} s")
        stop = threading.Event()

        def traffic(seed: int) -> None:
            rng_seed = seed
            while not stop.is_set():
                status, _, _ = post(server.url + ENDPOINT, _body(_rows(5, rng_seed)))
                with sent_lock:
                    sent["ok" if status == 200 else "failed"] += 1
                rng_seed += concurrency

        workers = [threading.Thread(target=traffic, args=(seed,), daemon=True) for seed in range(concurrency)]
        for worker in workers:
            worker.start()
        events.status(f"{concurrency} clients sending for {duration_s:g} s")
        start = previous_time = time.monotonic()
        previous = first = scrape(server.url)
        tick = 0
        while time.monotonic() - start < duration_s:
            time.sleep(scrape_every_s)
            now, current = time.monotonic(), scrape(server.url)
            window = current.histogram(LATENCY, endpoint=ENDPOINT).minus(previous.histogram(LATENCY, endpoint=ENDPOINT))
            tick += 1
            events.metric("requests_per_s", window.count / (now - previous_time), step=tick)
            if window.count:
                events.metric("window_latency_p95_ms", window.quantile(0.95) * 1000, step=tick)
            events.progress(min(now - start, duration_s), duration_s, "seconds of traffic")
            previous, previous_time = current, now
        stop.set()
        for worker in workers:
            worker.join(timeout=15)
        final = scrape(server.url)
    finally:
        events.status("stopping the service")
        server.stop()
    latency = final.histogram(LATENCY, endpoint=ENDPOINT).minus(first.histogram(LATENCY, endpoint=ENDPOINT))
    counted = int(final.value(REQUESTS, endpoint=ENDPOINT, http_response_code="200"))
    events.log(
        f"requests sent and answered 200: {sent['ok']} (failed {sent['failed']}); the service's own counter says {counted}"
    )
    events.log(f"latency of {ENDPOINT} from the service's histogram ({int(latency.count)} requests while watching):")
    for line in latency.bar_lines():
        events.log(line)
    p50, p95 = latency.quantile(0.5) * 1000, latency.quantile(0.95) * 1000
    events.log(f"histogram_quantile: p50 ≈ {p50:.1f} ms, p95 ≈ {p95:.1f} ms (interpolated inside buckets, as PromQL does)")
    events.metric("latency_p50_ms", p50)
    events.metric("latency_p95_ms", p95)
    free = nothing_listens(port)
    return {
        "requests_sent_ok": sent["ok"],
        "requests_failed": sent["failed"],
        "requests_counted": counted,
        "counter_matches": counted == sent["ok"],
        "latency_p50_ms": p50,
        "latency_p95_ms": p95,
        "port_free_after_stop": free,
        "summary": f"{counted} requests counted by the service, p95 ≈ {p95:.0f} ms",
    }


def _psi_by_feature(window: Scrape, before: Scrape, training: np.ndarray) -> dict[str, float]:
    psi = {}
    for column, name in enumerate(FEATURE_NAMES):
        served = window.histogram(FEATURE_METRIC.format(name)).minus(before.histogram(FEATURE_METRIC.format(name)))
        reference = bin_counts(training[:, column], served.edges())
        psi[name] = population_stability_index(reference, served.bin_counts())
    return psi


def _report(title: str, psi: dict[str, float], classes: list[str]) -> None:
    mix = {name: classes.count(name) / max(len(classes), 1) for name in ("setosa", "versicolor", "virginica")}
    events.log(f"{title}: predicted mix " + ", ".join(f"{name} {share:.0%}" for name, share in mix.items()))
    for name, value in psi.items():
        events.log(f"  {name:<18} PSI {value:6.3f}  {verdict(value)}")


def drift_check(
    rows_per_window: int = 300,
    petal_shift_cm: float = 1.0,
    rows_per_request: int = 5,
    concurrency: int = 4,
    startup_timeout_s: float = 90.0,
) -> dict[str, Any]:
    """Normal traffic, then traffic whose petal lengths are ``petal_shift_cm`` longer; PSI per feature for each window."""
    training = _iris_features()
    port = free_local_port()
    server = LocalServer(SERVICE, port)
    events.status("starting the service")
    try:
        server.start(startup_timeout_s)
        start = scrape(server.url)
        events.status(f"normal traffic: {rows_per_window} flowers from the training population")
        _, normal_failed, normal_classes = _send(server.url, _rows(rows_per_window, seed=1), rows_per_request, concurrency)
        after_normal = scrape(server.url)
        events.status(f"shifted traffic: petal length +{petal_shift_cm:g} cm")
        _, shifted_failed, shifted_classes = _send(
            server.url, _rows(rows_per_window, seed=2, petal_shift_cm=petal_shift_cm), rows_per_request, concurrency
        )
        after_shifted = scrape(server.url)
    finally:
        events.status("stopping the service")
        server.stop()
    normal = _psi_by_feature(after_normal, start, training)
    shifted = _psi_by_feature(after_shifted, after_normal, training)
    events.log(
        f"PSI of each feature's served values against the training data (drifted above {DRIFTED_ABOVE:g}), "
        "from the increase of the iris_feature_value_* histograms between scrapes:"
    )
    _report("normal window", normal, normal_classes)
    _report("shifted window", shifted, shifted_classes)
    for step, (name, value) in enumerate(shifted.items()):
        events.metric("psi_shifted", value, step=step)
        events.metric("psi_normal", normal[name], step=step)
    drifted = [name for name, value in shifted.items() if value > DRIFTED_ABOVE]
    events.metric("normal_max_psi", max(normal.values()))
    events.metric("shifted_max_psi", max(shifted.values()))
    return {
        "normal_max_psi": max(normal.values()),
        "shifted_max_psi": max(shifted.values()),
        "normal_drift_flagged": any(value > DRIFTED_ABOVE for value in normal.values()),
        "shifted_drift_flagged": bool(drifted),
        "drifted_features": ",".join(drifted),
        "requests_failed": normal_failed + shifted_failed,
        "port_free_after_stop": nothing_listens(port),
        "summary": f"drift flagged on {', '.join(drifted) or 'nothing'} in the shifted window; "
        f"normal window max PSI {max(normal.values()):.3f}",
    }
