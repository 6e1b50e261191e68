"""A small closed-loop HTTP load generator: N connections, each sends its next request when the last returns.

    python -m tests.benchmarks.http_load http://127.0.0.1:3000/predict_proba --connections 16 --duration 15

Prints one JSON line: requests, errors, rps, p50/p95/p99 in ms (warm-up excluded).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx

BODY = {"features": [[6.3, 3.3, 6.0, 2.5]]}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def run(url: str, connections: int, duration_s: float, warmup_s: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    measure_from, stop_at = start + warmup_s, start + warmup_s + duration_s

    async def user(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while (now := time.perf_counter()) < stop_at:
            try:
                response = await client.post(url, json=BODY)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            done = time.perf_counter()
            if now >= measure_from:
                if ok:
                    latencies.append((done - now) * 1000)
                else:
                    errors += 1

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await asyncio.gather(*(user(client) for _ in range(connections)))
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / duration_s,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.connections, args.duration, args.warmup))))


if __name__ == "__main__":
    main()
