"""A load test of the iris service with locust (headless), and its CSV summary read back as numbers.

The users live in ``application/inference/locustfile.py``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

LOCUSTFILE = "application/inference/locustfile.py"


def locust_command(url: str, users: int, spawn_rate: float, duration_s: int, csv_prefix: str) -> list[str]:
    """locust in headless mode against ``url``; the summary goes to ``<csv_prefix>_stats.csv``."""
    return [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        LOCUSTFILE,
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{duration_s}s",
        "--host",
        url,
        "--csv",
        csv_prefix,
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]


def read_locust_stats(csv_prefix: str) -> dict[str, dict[str, str]]:
    """locust's per-endpoint summary rows by name ("Aggregated" is the total)."""
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
