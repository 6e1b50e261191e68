"""The probe and the verdicts on what a real NVIDIA H200 answered (recorded 2026-11-27, no GPU needed here).

tests/fixtures/nvml/ holds recordings made on an H200 (driver 580.159.04, CUDA 13.0,
nvidia-ml-py 13.610.43, torch 2.11.0+cu130) with ``python -m tests.nvml_recording``:
every NVML call the probe made and its answer, replayed here call for call.

h200_idle.json                                  idle, the current probe (v2 memory query)
h200_power_capped.json                          under a sustained bf16 matmul load (100 %, sw_power_cap)
h200_idle_v1_memory_query.json                  idle, recorded with the first probe (v1 memory query only)
h200_report_cuda_visible_devices_empty.json     `mlops-workbench gpu --json` run with CUDA_VISIBLE_DEVICES=''
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.utils.gpu_utils.nvml_probe import NA, probe_nvml
from shared.utils.gpu_utils.verdicts import evaluate, failing
from tests.nvml_recording import ReplayNvml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nvml"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def titles(verdicts) -> list[tuple[str, str]]:
    return [(v.level, v.title) for v in verdicts]


def test_the_idle_h200_reads_as_nvidia_smi_shows_it():
    recording = load("h200_idle.json")
    nvml = probe_nvml(ReplayNvml(recording))
    assert (nvml.status, nvml.driver_version, nvml.cuda_driver_version) == ("ok", "580.159.04", "13.0")
    [gpu] = nvml.devices
    assert (gpu.name, gpu.compute_capability, gpu.memory_total_mib) == ("NVIDIA H200", "9.0", 143771)
    # nvidia-smi on that machine: "0 MiB used, 616 MiB reserved" -- the driver's reservation is not "used"
    assert (gpu.memory_used_mib, gpu.memory_reserved_mib) == (0, 615)
    assert gpu.clock_event_reasons == ["gpu_idle"] and gpu.processes == []
    assert gpu.retired_pages_pending == NA  # Hopper repairs memory by row remapping; page retirement is NotSupported
    assert gpu.remapped_rows == {"correctable": 0, "uncorrectable": 0, "pending": 0, "failed": 0}
    assert (gpu.pcie_gen, gpu.pcie_gen_max, gpu.pcie_width, gpu.pcie_width_max) == (5, 5, 16, 16)
    assert (gpu.ecc_mode, gpu.mig_mode, gpu.persistence_mode, gpu.lost) == (True, False, True, False)
    assert nvml.to_json() == recording["probe"]  # the replay gives what the probe reported on the GPU


def test_each_nvml_query_is_asked_once_per_device():
    replay = ReplayNvml(load("h200_idle.json"))
    probe_nvml(replay)
    # the first probe asked the clock-event mask once per reason bit (9 times) and the memory and utilisation twice
    assert replay.called["nvmlDeviceGetCurrentClocksEventReasons"] == 1
    assert replay.called["nvmlDeviceGetMemoryInfo"] == 1
    assert replay.called["nvmlDeviceGetUtilizationRates"] == 1
    assert replay.unrecorded == []


def test_the_h200_with_its_real_torch_build_is_one_ok_verdict():
    recording = load("h200_idle.json")
    verdicts = evaluate(
        probe_nvml(ReplayNvml(recording)).to_json(),
        recording["host"],
        {"torch": recording["torch"], "tensorflow": {"installed": False}},
    )
    ok = {"level": "ok", "title": "1 GPU(s) usable", "why": "0: NVIDIA H200", "fix": ""}
    assert [v.to_json() for v in verdicts] == [{**ok, "id": "gpus-usable", "values": {"count": "1", "devices": "0: NVIDIA H200"}}]


def test_bindings_without_the_v2_memory_query_fall_back_and_count_the_reservation_as_used():
    gpu = probe_nvml(ReplayNvml(load("h200_idle_v1_memory_query.json"))).devices[0]
    assert (gpu.memory_used_mib, gpu.memory_total_mib, gpu.memory_reserved_mib) == (615, 143771, NA)


def test_bindings_too_old_for_a_query_leave_that_field_na_and_read_the_rest():
    recording = load("h200_idle.json")
    recording["calls"] = [c for c in recording["calls"] if c["fn"] != "nvmlDeviceGetCurrentClocksEventReasons"]
    gpu = probe_nvml(ReplayNvml(recording)).devices[0]
    assert gpu.clock_event_reasons == NA
    assert (gpu.name, gpu.memory_used_mib, gpu.pcie_gen, gpu.lost) == ("NVIDIA H200", 0, 5, False)


def test_a_power_capped_h200_under_load_warns_but_stays_usable():
    recording = load("h200_power_capped.json")
    report = probe_nvml(ReplayNvml(recording)).to_json()
    gpu = report["devices"][0]
    assert (gpu["utilization_gpu_pct"], gpu["clock_event_reasons"]) == (100, ["sw_power_cap"])
    assert gpu["processes"] == [{"pid": 575, "used_mib": 1002}] and gpu["memory_used_mib"] == 1010
    assert gpu["sm_clock_mhz"] < gpu["sm_clock_max_mhz"]  # 1485 of 1980 MHz at the 700 W cap
    idle = load("h200_idle.json")
    verdicts = evaluate(report, idle["host"], {"torch": idle["torch"]})
    assert titles(verdicts) == [("ok", "1 GPU(s) usable"), ("warn", "GPU 0 (NVIDIA H200) is power limited")]
    assert "draw 687.2 W of 700.0 W" in verdicts[1].why
    assert failing(verdicts) == []


@pytest.mark.parametrize("visible", ["", "7"])
def test_cuda_visible_devices_hiding_the_only_gpu_is_one_failure_that_names_the_variable(visible):
    real = load("h200_report_cuda_visible_devices_empty.json")  # torch there: cuda_available False, 0 devices
    host = {**real["host"], "cuda_visible_devices": visible}
    verdicts = evaluate(real["nvml"], host, real["frameworks"])
    [verdict] = verdicts
    assert (verdict.level, verdict.title) == ("fail", "CUDA_VISIBLE_DEVICES hides every GPU")
    assert f"CUDA_VISIBLE_DEVICES={visible!r}" in verdict.why and "none of the 1 GPU(s)" in verdict.why
    assert "unset CUDA_VISIBLE_DEVICES" in verdict.fix


def test_the_recorded_report_run_says_the_same_as_the_verdicts_today():
    real = load("h200_report_cuda_visible_devices_empty.json")
    today = [v.to_json() for v in evaluate(real["nvml"], real["host"], real["frameworks"])]
    # The recording predates the verdicts' id and values (added for the UI's translations): the rest is the same.
    assert real["verdicts"] == [{key: v[key] for key in ("level", "title", "why", "fix")} for v in today]
    assert real["failing"] == 1
