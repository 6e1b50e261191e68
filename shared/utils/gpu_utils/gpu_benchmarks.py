"""Sanity benchmarks on a GPU: matmul TFLOP/s (fp32, bf16), device-memory and host<->device bandwidth.

Each number is shown next to the device's published peak, so "is this GPU
performing?" has an answer. Needs PyTorch with CUDA: run in a child process.
"""

from __future__ import annotations

import time
from typing import Any

from shared import events

# Published dense peaks: (fp32 TFLOP/s, bf16 TFLOP/s, memory GB/s). Matched by substring of the NVML/torch name.
PUBLISHED_PEAKS: dict[str, tuple[float, float, float]] = {
    "H200": (67.0, 989.0, 4800.0),
    "H100 PCIe": (51.0, 756.0, 2000.0),
    "H100": (67.0, 989.0, 3350.0),  # SXM
    "A100-SXM4-80GB": (19.5, 312.0, 2039.0),
    "A100": (19.5, 312.0, 1555.0),
    "L40S": (91.6, 362.0, 864.0),
    "L4": (30.3, 121.0, 300.0),
    "T4": (8.1, 65.0, 320.0),  # fp16 for bf16: T4 has no bf16 tensor cores
    "RTX 4090": (82.6, 165.0, 1008.0),
}


# On an H200 a bf16 8192^3 product takes 1.4 ms and a 1 GiB copy 0.5 ms: 20 of them are over in
# 10-30 ms, too short to time well, so each measurement runs until it has lasted this long.
MIN_TIMED_S = 0.2
MAX_TIMED_CALLS = 10_000


def published_peak(name: str) -> tuple[str, tuple[float, float, float]] | None:
    for key, peak in PUBLISHED_PEAKS.items():
        if key in name:
            return key, peak
    return None


def run(size: int = 8192, repeats: int = 20, copy_mib: int = 1024) -> dict[str, Any]:
    import torch

    if not torch.cuda.is_available():
        raise RuntimeError(
            "the GPU benchmarks need PyTorch with a usable CUDA GPU (see `mlops-workbench gpu` for why there is none)"
        )
    device = torch.device("cuda")
    name = torch.cuda.get_device_name(device)
    results: dict[str, Any] = {"device": name}
    total = 4
    done = 0

    def timed(fn, count: int) -> float:
        """Seconds per call: one warm-up, then at least ``count`` calls and at least MIN_TIMED_S of them."""
        fn()
        torch.cuda.synchronize()
        while True:
            start = time.perf_counter()
            for _ in range(count):
                fn()
            torch.cuda.synchronize()
            elapsed = time.perf_counter() - start
            if elapsed >= MIN_TIMED_S or count >= MAX_TIMED_CALLS:
                return elapsed / count
            count = min(MAX_TIMED_CALLS, max(2 * count, int(count * MIN_TIMED_S / max(elapsed, 1e-6)) + 1))

    for dtype, label in ((torch.float32, "fp32"), (torch.bfloat16, "bf16")):
        a = torch.randn(size, size, device=device, dtype=dtype)
        b = torch.randn(size, size, device=device, dtype=dtype)
        seconds = timed(lambda a=a, b=b: a @ b, repeats)
        results[f"matmul_{label}_tflops"] = 2 * size**3 / seconds / 1e12
        events.metric(f"matmul_{label}_tflops", results[f"matmul_{label}_tflops"])
        done += 1
        events.progress(done, total, "benchmarks")
    n = copy_mib * 1024 * 1024 // 4
    src, dst = torch.empty(n, device=device), torch.empty(n, device=device)
    seconds = timed(lambda: dst.copy_(src), repeats)
    results["memory_gbps"] = 2 * n * 4 / seconds / 1e9  # read + write
    events.metric("memory_gbps", results["memory_gbps"])
    done += 1
    events.progress(done, total, "benchmarks")
    host = torch.empty(n, pin_memory=True)
    results["host_to_device_gbps"] = n * 4 / timed(lambda: src.copy_(host, non_blocking=True), 5) / 1e9
    results["device_to_host_gbps"] = n * 4 / timed(lambda: host.copy_(src, non_blocking=True), 5) / 1e9
    events.metric("host_to_device_gbps", results["host_to_device_gbps"])
    events.metric("device_to_host_gbps", results["device_to_host_gbps"])
    events.progress(total, total, "benchmarks")

    match = published_peak(name)
    if match:
        key, (fp32, bf16, memory) = match
        results["peak_source"] = key
        results["matmul_fp32_pct_of_peak"] = 100 * results["matmul_fp32_tflops"] / fp32
        results["matmul_bf16_pct_of_peak"] = 100 * results["matmul_bf16_tflops"] / bf16
        results["memory_pct_of_peak"] = 100 * results["memory_gbps"] / memory
    for key, value in results.items():
        print(f"{key:<28} {value:.1f}" if isinstance(value, float) else f"{key:<28} {value}")
    return results
