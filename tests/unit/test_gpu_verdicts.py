"""Every GPU verdict, driven through a fake NVML at the pynvml boundary (no GPU needed)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from shared.utils.gpu_utils.nvml_probe import NA, probe_nvml
from shared.utils.gpu_utils.verdicts import evaluate, failing
from tests.fake_nvml import LOST, FakeNvml, h100

CPU_HOST = {
    "in_container": False,
    "nvidia_device_nodes": [],
    "cuda_visible_devices": None,
    "nvml_bindings": {"nvidia-ml-py": "13.0"},
}
GPU_HOST = {**CPU_HOST, "nvidia_device_nodes": ["/dev/nvidia0", "/dev/nvidiactl"]}
CUDA_TORCH = {
    "installed": True,
    "version": "2.13.0",
    "cuda_build": "12.4",
    "cuda_available": True,
    "device_count": 1,
    "arch_list": ["sm_80", "sm_90", "compute_90"],
}


def report(*devices, **kwargs) -> dict:
    return probe_nvml(FakeNvml(list(devices), **kwargs)).to_json()


def titles(verdicts) -> list[tuple[str, str]]:
    return [(v.level, v.title) for v in verdicts]


def test_probe_reads_every_field_marks_unsupported_ones_na_and_survives_a_lost_gpu():
    fake = FakeNvml(
        [
            h100(),
            {"name": b"Tesla T4", "memory": SimpleNamespace(used=0, total=15360 * 1024 * 1024)},
            h100(name=LOST),
            {"handle": LOST},
        ]
    )
    nvml = probe_nvml(fake)
    assert nvml.status == "ok" and nvml.driver_version == "550.54.15" and nvml.cuda_driver_version == "12.4"
    full, partial, lost_mid, lost_handle = nvml.devices
    assert (full.name, full.compute_capability, full.memory_total_mib, full.power_limit_w) == (
        "NVIDIA H100 80GB HBM3",
        "9.0",
        81559,
        700.0,
    )
    assert full.clock_event_reasons == ["gpu_idle"] and full.remapped_rows == {
        "correctable": 0,
        "uncorrectable": 0,
        "pending": 0,
        "failed": 0,
    }
    assert partial.name == "Tesla T4" and partial.memory_total_mib == 15360
    assert partial.temperature_c == NA and partial.ecc_mode == NA and partial.pcie_gen == NA and not partial.lost
    assert lost_mid.lost and lost_handle.lost
    assert fake.shutdowns == 1


def test_a_healthy_gpu_is_ok():
    verdicts = evaluate(report(h100()), GPU_HOST, {"torch": CUDA_TORCH})
    assert titles(verdicts) == [("ok", "1 GPU(s) usable")]


@pytest.mark.parametrize(
    "init_error, host, expected",
    [
        (12, CPU_HOST, [("info", "no NVIDIA GPU/driver found")]),
        (
            12,
            {**CPU_HOST, "in_container": True},
            [("info", "no NVIDIA GPU/driver found"), ("info", "in a container without GPU access")],
        ),
        (12, GPU_HOST, [("fail", "NVIDIA driver library missing")]),
        (9, GPU_HOST, [("fail", "NVIDIA driver not loaded")]),
        (18, GPU_HOST, [("fail", "driver/library version mismatch")]),
        (4, GPU_HOST, [("fail", "no permission to use the GPU")]),
    ],
)
def test_driver_level_verdicts(init_error, host, expected):
    assert titles(evaluate(report(init_error=init_error), host, {})) == expected


def test_no_gpu_is_information_not_failure():
    assert failing(evaluate(report(init_error=12), CPU_HOST, {"torch": {"installed": True, "cuda_build": None}})) == []


def test_the_deprecated_pynvml_package_is_flagged():
    host = {**GPU_HOST, "nvml_bindings": {"pynvml": "11.5.0"}}
    assert ("warn", "deprecated 'pynvml' package installed") in titles(evaluate(report(h100()), host, {}))


def test_cpu_only_torch_on_a_gpu_machine_fails():
    torch = {"installed": True, "version": "2.13.0+cpu", "cuda_build": None}
    assert ("fail", "PyTorch is a CPU-only build") in titles(evaluate(report(h100()), GPU_HOST, {"torch": torch}))


def test_driver_older_than_the_wheels_cuda_fails():
    verdicts = evaluate(report(h100(), cuda=12020), GPU_HOST, {"torch": {**CUDA_TORCH, "cuda_build": "12.8"}})
    [verdict] = failing(verdicts)
    assert verdict.title == "driver too old for this PyTorch" and "CUDA 12.2" in verdict.why and "12.8" in verdict.why


def test_an_architecture_missing_from_the_build_fails():
    verdicts = evaluate(
        report(h100(cc=(12, 0), name=b"NVIDIA RTX PRO 6000")),
        GPU_HOST,
        {"torch": {**CUDA_TORCH, "arch_list": ["sm_80", "sm_90"]}},
    )
    assert ("fail", "GPU 0 architecture not in this PyTorch build") in titles(verdicts)
    ptx = evaluate(report(h100(cc=(12, 0))), GPU_HOST, {"torch": CUDA_TORCH})  # compute_90 PTX can JIT for newer GPUs
    assert failing(ptx) == []


def test_torch_unable_to_use_the_gpu_fails_with_its_error():
    torch = {**CUDA_TORCH, "cuda_available": False, "error": "RuntimeError: CUDA driver version is insufficient"}
    [verdict] = failing(evaluate(report(h100()), GPU_HOST, {"torch": torch}))
    assert verdict.title == "PyTorch cannot use the GPU" and "insufficient" in verdict.why


def test_cuda_visible_devices_hiding_gpus_warns():
    host = {**GPU_HOST, "cuda_visible_devices": "0"}
    verdicts = evaluate(report(h100(), h100(uuid="GPU-2")), host, {"torch": {**CUDA_TORCH, "device_count": 1}})
    assert ("warn", "CUDA_VISIBLE_DEVICES hides GPUs") in titles(verdicts)
    assert "leaves 1 of 2 GPUs" in next(v.why for v in verdicts if v.title == "CUDA_VISIBLE_DEVICES hides GPUs")


def test_tensorflow_not_seeing_the_gpu_warns_and_says_why():
    tf = {"installed": True, "version": "2.21.0", "cuda_build": False, "gpus": []}
    [verdict] = [v for v in evaluate(report(h100()), GPU_HOST, {"tensorflow": tf}) if v.level == "warn"]
    assert verdict.title == "TensorFlow does not see the GPU" and "CPU-only build" in verdict.why


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"reasons": 0x40, "temp": 91}, ("warn", "GPU 0 (NVIDIA H100 80GB HBM3) is thermally throttled")),
        ({"reasons": 0x4}, ("warn", "GPU 0 (NVIDIA H100 80GB HBM3) is power limited")),
        ({"remapped": (2, 1, 1, 0)}, ("warn", "GPU 0 (NVIDIA H100 80GB HBM3) has a row remap pending")),
        ({"remapped": (2, 1, 0, 1)}, ("fail", "GPU 0 (NVIDIA H100 80GB HBM3) row remapping failed")),
        ({"retired_pending": 1}, ("warn", "GPU 0 (NVIDIA H100 80GB HBM3) has retired pages pending")),
        ({"ecc_errors": 3}, ("fail", "GPU 0 (NVIDIA H100 80GB HBM3) has uncorrected ECC errors")),
        (
            {"gen": 3, "width": 8, "util": SimpleNamespace(gpu=95, memory=40)},
            ("warn", "GPU 0 (NVIDIA H100 80GB HBM3) PCIe link below its maximum under load"),
        ),
        ({"temp": LOST}, ("fail", "GPU 0 (NVIDIA H100 80GB HBM3) is lost")),
    ],
)
def test_device_health_verdicts(changes, expected):
    assert expected in titles(evaluate(report(h100(**changes)), GPU_HOST, {"torch": CUDA_TORCH}))


def test_a_slower_pcie_link_at_idle_is_normal_power_saving():
    verdicts = evaluate(report(h100(gen=1, width=16)), GPU_HOST, {"torch": CUDA_TORCH})
    assert titles(verdicts) == [("ok", "1 GPU(s) usable")]
