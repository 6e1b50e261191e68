"""The real GPU code path on this machine: NVML as it is here (on CI: no library, no GPU)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_gpu_report_on_this_machine(cli):
    result = cli("gpu", "--json")
    report = result.json()
    assert report["schema_version"] == 1
    assert result.returncode == (1 if report["failing"] else 0)
    assert report["host"]["cpu"]["usable_cores"] >= 1 and report["host"]["cpu"]["memory_gib"] > 0
    assert report["frameworks"]["torch"]["installed"] is True
    titles = [v["title"] for v in report["verdicts"]]
    if report["nvml"]["status"] == "ok":  # a GPU machine: the devices are listed and judged
        assert report["nvml"]["devices"] and all("index" in d for d in report["nvml"]["devices"])
    else:  # a CPU machine, as CI is: informational, exit 0
        assert "no NVIDIA GPU/driver found" in titles
        assert report["failing"] == 0 and result.returncode == 0
    text = cli("gpu", "--no-frameworks")
    assert "verdicts" in text.stdout and "CPU " in text.stdout


def test_the_gpu_health_lesson_passes_unless_a_present_gpu_is_unusable(cli):
    failing = cli("gpu", "--json", "--no-frameworks").json()["failing"]
    result = cli("--lesson", "gpu-health", "--json")
    [lesson] = result.json()["lessons"]
    driver, frameworks, verdicts = lesson["steps"]
    assert driver["passed"] and frameworks["passed"]
    if failing == 0:
        assert result.returncode == 0 and verdicts["passed"], verdicts["summary"]
    else:
        assert result.returncode == 1 and "failing_verdicts" in verdicts["summary"]
