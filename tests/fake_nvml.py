"""A stand-in for the ``pynvml`` module: the same functions and errors, devices described as dicts.

A missing key raises NVML_ERROR_NOT_SUPPORTED (the field reads "N/A"); the
value LOST raises NVML_ERROR_GPU_IS_LOST, as a GPU that fell off the bus does.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

LOST = object()

GETTERS = {
    "nvmlDeviceGetName": "name",
    "nvmlDeviceGetUUID": "uuid",
    "nvmlDeviceGetCudaComputeCapability": "cc",
    "nvmlDeviceGetMemoryInfo": "memory",
    "nvmlDeviceGetUtilizationRates": "util",
    "nvmlDeviceGetTemperature": "temp",
    "nvmlDeviceGetPowerUsage": "power_mw",
    "nvmlDeviceGetEnforcedPowerLimit": "limit_mw",
    "nvmlDeviceGetClockInfo": "clock",
    "nvmlDeviceGetMaxClockInfo": "clock_max",
    "nvmlDeviceGetCurrentClocksEventReasons": "reasons",
    "nvmlDeviceGetEccMode": "ecc",
    "nvmlDeviceGetTotalEccErrors": "ecc_errors",
    "nvmlDeviceGetRetiredPagesPendingStatus": "retired_pending",
    "nvmlDeviceGetRemappedRows": "remapped",
    "nvmlDeviceGetCurrPcieLinkGeneration": "gen",
    "nvmlDeviceGetMaxPcieLinkGeneration": "gen_max",
    "nvmlDeviceGetCurrPcieLinkWidth": "width",
    "nvmlDeviceGetMaxPcieLinkWidth": "width_max",
    "nvmlDeviceGetPersistenceMode": "persistence",
    "nvmlDeviceGetComputeRunningProcesses": "procs",
    "nvmlDeviceGetMigMode": "mig",
}
MIB = 1024 * 1024


def h100(**changes: Any) -> dict[str, Any]:
    device = {
        "name": b"NVIDIA H100 80GB HBM3",
        "uuid": "GPU-1111",
        "cc": (9, 0),
        "memory": SimpleNamespace(used=1024 * MIB, total=81559 * MIB),
        "util": SimpleNamespace(gpu=3, memory=1),
        "temp": 34,
        "power_mw": 71000,
        "limit_mw": 700000,
        "clock": 345,
        "clock_max": 1980,
        "reasons": 0x1,
        "ecc": (1, 1),
        "ecc_errors": 0,
        "retired_pending": 0,
        "remapped": (0, 0, 0, 0),
        "gen": 5,
        "gen_max": 5,
        "width": 16,
        "width_max": 16,
        "persistence": 1,
        "procs": [],
        "mig": (0, 0),
    }
    device.update(changes)
    return device


class FakeNVMLError(Exception):
    def __init__(self, value: int) -> None:
        super().__init__(f"fake NVML error {value}")
        self.value = value


class FakeNvml:
    NVMLError = FakeNVMLError
    NVML_ERROR_NOT_SUPPORTED = 3
    NVML_ERROR_NO_PERMISSION = 4
    NVML_ERROR_DRIVER_NOT_LOADED = 9
    NVML_ERROR_LIBRARY_NOT_FOUND = 12
    NVML_ERROR_GPU_IS_LOST = 15
    NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18
    NVML_TEMPERATURE_GPU = 0
    NVML_CLOCK_SM = 1
    NVML_CLOCK_MEM = 2
    NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1
    NVML_VOLATILE_ECC = 0

    def __init__(
        self,
        devices: list[dict[str, Any]] | None = None,
        init_error: int | None = None,
        driver: str = "550.54.15",
        cuda: int = 12040,
    ) -> None:
        self.devices = devices or []
        self.init_error = init_error
        self.driver, self.cuda = driver, cuda
        self.shutdowns = 0

    def nvmlInit(self) -> None:
        if self.init_error is not None:
            raise FakeNVMLError(self.init_error)

    def nvmlShutdown(self) -> None:
        self.shutdowns += 1

    def nvmlSystemGetDriverVersion(self) -> str:
        return self.driver

    def nvmlSystemGetCudaDriverVersion(self) -> int:
        return self.cuda

    def nvmlDeviceGetCount(self) -> int:
        return len(self.devices)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> dict[str, Any]:
        if self.devices[index].get("handle") is LOST:
            raise FakeNVMLError(self.NVML_ERROR_GPU_IS_LOST)
        return self.devices[index]

    def __getattr__(self, name: str):
        key = GETTERS.get(name)
        if key is None:
            raise AttributeError(name)

        def getter(handle: dict[str, Any], *args: Any) -> Any:
            if key not in handle:
                raise FakeNVMLError(self.NVML_ERROR_NOT_SUPPORTED)
            if handle[key] is LOST:
                raise FakeNVMLError(self.NVML_ERROR_GPU_IS_LOST)
            return handle[key]

        return getter
