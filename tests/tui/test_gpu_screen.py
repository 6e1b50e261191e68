"""The GPU screen driven by a fake NVML: polling without overlap, the device table, verdicts; a snapshot."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from textual.widgets import DataTable, Sparkline, Static

from shared.utils.gpu_utils.nvml_probe import probe_nvml
from shared.utils.gpu_utils.verdicts import evaluate
from tests.fake_nvml import LOST, FakeNvml, h100
from tests.tui.conftest import lessons_loaded, wait_for
from workbench.tui.screens.gpu_screen import GpuScreen

HOST = {
    "cpu": {
        "model": "Test CPU",
        "logical_cores": 16,
        "usable_cores": 16,
        "memory_gib": 128.0,
        "machine": "x86_64",
        "python": "3.11",
        "omp_num_threads": None,
    },
    "in_container": False,
    "nvidia_device_nodes": ["/dev/nvidia0"],
    "cuda_visible_devices": None,
    "nvml_bindings": {},
}
TORCH = {
    "installed": True,
    "version": "2.13.0",
    "cuda_build": "12.4",
    "cuda_available": True,
    "device_count": 3,
    "arch_list": ["sm_80", "sm_90"],
    "cpu_threads": 16,
}


def report_for(nvml: dict) -> dict:
    frameworks = {"torch": TORCH}
    return {
        "nvml": nvml,
        "host": HOST,
        "frameworks": frameworks,
        "verdicts": [v.to_json() for v in evaluate(nvml, HOST, frameworks)],
        "failing": 0,
    }


THREE_GPUS = [h100(), h100(reasons=0x40, temp=92, uuid="GPU-2"), {"name": b"Tesla T4"}, h100(temp=LOST)]


async def test_polls_never_overlap_and_the_table_follows_the_gpu(make_app):
    state = {"active": 0, "max_active": 0, "calls": 0}
    lock = threading.Lock()

    def probe() -> dict:
        with lock:
            state["active"] += 1
            state["max_active"] = max(state["max_active"], state["active"])
        time.sleep(0.3)  # a slow NVML call must not pile up polls
        state["calls"] += 1
        nvml = probe_nvml(FakeNvml([h100(util=SimpleNamespace(gpu=10 * state["calls"], memory=5))])).to_json()
        with lock:
            state["active"] -= 1
        return nvml

    nvml = probe_nvml(FakeNvml([h100()])).to_json()
    app = make_app()
    async with app.run_test(size=(140, 42)) as pilot:
        await lessons_loaded(pilot)
        screen = GpuScreen(probe=probe, report_loader=lambda: report_for(nvml))
        await app.push_screen(screen)
        await wait_for(pilot, lambda: state["calls"] >= 3, 15, "three polls")
        assert state["max_active"] == 1
        table = screen.query_one("#gpu-devices", DataTable)
        assert table.row_count == 1
        assert str(table.get_cell("0", "name")) == "NVIDIA H100 80GB HBM3"
        assert list(screen.query_one("#gpu-util-spark", Sparkline).data)[-1] >= 20.0
        await wait_for(
            pilot, lambda: "1 GPU(s) usable" in str(screen.query_one("#gpu-verdicts", Static).render()), 10, "the verdicts"
        )


def test_gpu_screen_snapshot(snap_compare, make_app):
    nvml = probe_nvml(FakeNvml(THREE_GPUS)).to_json()

    async def open_gpu(pilot):
        await lessons_loaded(pilot)
        await pilot.app.push_screen(GpuScreen(probe=lambda: nvml, report_loader=lambda: report_for(nvml), poll=False))
        await wait_for(
            pilot, lambda: "thermally" in str(pilot.app.screen.query_one("#gpu-verdicts", Static).render()), 10, "the verdicts"
        )
        await pilot.pause(0.2)

    assert snap_compare(make_app(), terminal_size=(140, 42), run_before=open_gpu)
