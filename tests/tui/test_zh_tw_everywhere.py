"""Traditional Chinese wherever a learner reads the app: the GPU screen's verdicts and lines, the lesson log's
verdict word, the lesson's status line, the title bar after ctrl+l, the metrics placeholder at 80x24, and the
command line's usage errors. The GPU report's JSON stays English for machines."""

from __future__ import annotations

import re

from rich.cells import cell_len
from textual.widgets import DataTable, Static

from shared.configs.repository import REPO_ROOT
from shared.utils.gpu_utils.nvml_probe import probe_nvml
from shared.utils.gpu_utils.verdicts import evaluate
from tests.conftest import FIXTURE_CURRICULUM
from tests.fake_nvml import FakeNvml, h100
from tests.tui.conftest import lessons_loaded, open_lesson, wait_for
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


# ---- the lesson screen ----------------------------------------------------------------------------------------------
async def test_the_lesson_log_and_the_last_run_line_speak_chinese(make_app):
    from workbench.tui.screens.lesson_screen import LessonScreen
    from workbench.tui.widgets.log_panel import LogPanel

    i18n.set_language(i18n.ZH_TW)
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_lesson(pilot, "check-the-machine")
        await pilot.press("r")
        log = app.screen.query_one(LogPanel)
        await wait_for(pilot, lambda: any("check-the-machine/report (" in line for line in log.lines), 60, "the step's end")
        finished = next(line for line in log.lines if "check-the-machine/report (" in line)
        assert finished.startswith("通過 check-the-machine/report"), finished
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LessonScreen), 10, "the map")
        app.open_lesson("check-the-machine")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), 10, "the lesson again")
        status = str(app.screen.query_one("#run-status").render())
        assert "上次執行 report：cores = " in status and "last run" not in status, status


def test_the_verdicts_step_says_its_counts_once(monkeypatch, tmp_path):
    """The step is called "verdicts": its summary was "2 verdicts: 2 info", read "verdicts: 2 verdicts: 2 info"."""
    import importlib.util

    from shared.utils.gpu_utils import gpu_report

    monkeypatch.setenv("WORKBENCH_ARTIFACTS_DIR", str(tmp_path))
    monkeypatch.setattr(gpu_report, "build_report", lambda frameworks=True: report(NO_DRIVER))
    spec = importlib.util.spec_from_file_location("gpu_health_steps", REPO_ROOT / "lessons" / "010-gpu-health" / "steps.py")
    assert spec is not None and spec.loader is not None
    steps = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(steps)
    outputs = steps.verdicts()
    assert outputs["summary"] == "2 info" and outputs["failing_verdicts"] == 0


# ---- the title bar, the metrics placeholder ---------------------------------------------------------------------------
async def test_the_title_bar_follows_ctrl_l(home):
    from workbench.tui.app import WorkbenchApp

    app = WorkbenchApp(home=home, lessons_dir=FIXTURE_CURRICULUM, show_startup_time=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await lessons_loaded(pilot)
        home_screen = app.screen
        assert "started in" in home_screen.sub_title
        await pilot.press("ctrl+l")
        await lessons_loaded(pilot)
        assert i18n.language() == i18n.ZH_TW
        assert "啟動耗時" in home_screen.sub_title and "started in" not in home_screen.sub_title, home_screen.sub_title


async def test_the_metrics_placeholder_stays_in_its_box_at_80x24(make_app):
    from workbench.tui.widgets.metrics_panel import GuardedPlot

    i18n.set_language(i18n.ZH_TW)
    app = make_app(FIXTURE_CURRICULUM)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot, "check-the-machine", settle_s=0.5)
        chart = app.screen.query_one(GuardedPlot)
        rows = ["".join(segment.text for segment in chart.render_line(y)) for y in range(chart.size.height)]
        title = next((row for row in rows if "指標曲線" in row), None)
        assert title is not None, rows
        assert "顯示在這裡" in title, rows  # one row: the placeholder did not wrap onto the next
        assert all(cell_len(row) <= chart.size.width for row in rows), rows
        assert not any(row.startswith("這裡") for row in rows), rows


# ---- the command line -------------------------------------------------------------------------------------------------
def test_command_line_usage_errors_speak_chinese_and_keep_exit_code_2(cli):
    lessons = ("--lessons-dir", str(FIXTURE_CURRICULUM))
    unknown = cli("--lang", "zh-TW", *lessons, "--lesson", "check-the-machin")
    assert unknown.returncode == 2
    assert "錯誤：沒有叫做 'check-the-machin' 的課程" in unknown.stderr and "check-the-machine" in unknown.stderr
    assert "error:" not in unknown.stderr and "unknown lesson" not in unknown.stderr, unknown.stderr
    no_step = cli("--lang", "zh-TW", *lessons, "--lesson", "check-the-machine", "--step", "reprot")
    assert no_step.returncode == 2 and "沒有步驟 'reprot'" in no_step.stderr and "has no step" not in no_step.stderr
    bad_param = cli("--lang", "zh-TW", *lessons, "--lesson", "check-the-machine", "--step", "report", "--param", "oops")
    assert bad_param.returncode == 2 and "格式應為 KEY=VALUE" in bad_param.stderr and "expected" not in bad_param.stderr
    english = cli("--lang", "en", *lessons, "--lesson", "check-the-machin")
    assert english.returncode == 2 and english.stderr.startswith("error: unknown lesson 'check-the-machin'.")
