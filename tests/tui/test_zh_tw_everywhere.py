"""Traditional Chinese wherever a learner reads the app: the GPU screen's verdicts and lines, the lesson log's
verdict word, the lesson's status line, the title bar after ctrl+l, the metrics placeholder at 80x24, and the
command line's usage errors. The GPU report's JSON stays English for machines."""

from __future__ import annotations

import re

from textual.widgets import DataTable, Static

from shared.utils.gpu_utils.nvml_probe import probe_nvml
from shared.utils.gpu_utils.verdicts import evaluate
from tests.fake_nvml import FakeNvml, h100
from tests.tui.conftest import lessons_loaded, wait_for
from workbench import i18n
from workbench.tui.screens.gpu_screen import GpuScreen

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CPU_HOST = {
    "cpu": {"model": "Test CPU", "logical_cores": 2, "usable_cores": 2, "memory_gib": 8.0},
    "in_container": True,
    "nvidia_device_nodes": [],
    "cuda_visible_devices": None,
    "nvml_bindings": {},
}
NO_DRIVER = {
    "status": "library-not-found",
    "message": "libnvidia-ml.so.1: cannot open shared object file",
    "driver_version": "N/A",
    "cuda_driver_version": "N/A",
    "devices": [],
}


def report(nvml: dict, host: dict = CPU_HOST, frameworks: dict | None = None) -> dict:
    verdicts = [v.to_json() for v in evaluate(nvml, host, frameworks or {})]
    return {"nvml": nvml, "host": host, "frameworks": frameworks or {}, "verdicts": verdicts, "failing": 0}


async def gpu_screen_text(make_app, nvml: dict, the_report: dict) -> tuple[str, list[str]]:
    app = make_app()
    async with app.run_test(size=(140, 42)) as pilot:
        await lessons_loaded(pilot)
        screen = GpuScreen(probe=lambda: nvml, report_loader=lambda: the_report, poll=False)
        await app.push_screen(screen)
        verdicts = screen.query_one("#gpu-verdicts", Static)
        await wait_for(pilot, lambda: "…" not in str(verdicts.render()), 10, "the verdicts")
        text = str(screen.query_one("#gpu-summary", Static).render()) + "\n" + str(verdicts.render())
        headings = [str(column.label) for column in screen.query_one("#gpu-devices", DataTable).columns.values()]
        return text, headings


async def test_the_gpu_screen_on_a_cpu_machine_speaks_chinese(make_app):
    i18n.set_language(i18n.ZH_TW)
    text, headings = await gpu_screen_text(make_app, NO_DRIVER, report(NO_DRIVER))
    for english in (
        "no NVIDIA driver library",
        "nothing to do for CPU lessons",
        "cores usable",
        "container: yes",
        "this process runs in a container",
        " driver N/A",
    ):
        assert english not in text, f"{english!r} is still English:\n{text}"
    why = [line for line in text.splitlines() if "原因：" in line]
    fix = [line for line in text.splitlines() if "做法：" in line]
    assert why and fix and all(CHINESE.search(line.split("：", 1)[1]) for line in why + fix), text
    assert "可用核心 2/2" in text and "容器：是" in text
    assert "名稱" in headings and "記憶體 MiB" in headings and "mem MiB" not in headings


async def test_gpu_verdicts_with_values_are_translated_with_their_values(make_app):
    nvml = probe_nvml(FakeNvml([h100(reasons=0x40, temp=92)])).to_json()
    gpu_host = {**CPU_HOST, "in_container": False, "nvidia_device_nodes": ["/dev/nvidia0"]}
    i18n.set_language(i18n.ZH_TW)
    text, headings = await gpu_screen_text(make_app, nvml, report(nvml, gpu_host))
    assert "GPU 0 (NVIDIA H100 80GB HBM3) 因過熱而降速" in text
    assert "溫度 92 °C" in text and "thermally throttled" not in text and "improve cooling" not in text


def test_the_report_stays_english_and_a_report_without_ids_is_shown_in_english():
    from workbench.tui.gpu_view import verdict_texts

    verdict = report(NO_DRIVER)["verdicts"][0]
    assert verdict["id"] == "no-gpu" and verdict["why"].startswith("no NVIDIA driver library")  # the JSON: English
    i18n.set_language(i18n.ZH_TW)
    title, why, fix = verdict_texts(verdict)
    assert CHINESE.search(why) and CHINESE.search(fix) and "libnvidia-ml.so" in why
    old = {k: v for k, v in verdict.items() if k not in ("id", "values")}  # a report written before the ids
    assert verdict_texts(old) == ("找不到 NVIDIA GPU／驅動程式", verdict["why"], verdict["fix"])
    i18n.set_language(i18n.ENGLISH)
    assert verdict_texts(verdict) == (verdict["title"], verdict["why"], verdict["fix"])
