"""Everything NVML can tell about the driver and each device; a field NVML cannot give reads "N/A".

``probe_nvml(nvml)`` takes the ``pynvml`` module (or a stand-in with the same
functions, for tests), so the logic is exercised without a GPU too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

NA = "N/A"

# Clock event ("throttle") reason bits, from nvml.h.
CLOCK_EVENT_REASONS = {
    0x1: "gpu_idle",
    0x2: "applications_clocks_setting",
    0x4: "sw_power_cap",
    0x8: "hw_slowdown",
    0x10: "sync_boost",
    0x20: "sw_thermal_slowdown",
    0x40: "hw_thermal_slowdown",
    0x80: "hw_power_brake_slowdown",
    0x100: "display_clock_setting",
}
THERMAL_REASONS = {"sw_thermal_slowdown", "hw_thermal_slowdown"}
POWER_REASONS = {"sw_power_cap", "hw_power_brake_slowdown", "hw_slowdown"}


@dataclass
class DeviceReport:
    index: int
    name: Any = NA
    uuid: Any = NA
    compute_capability: Any = NA
    memory_used_mib: Any = NA  # by processes (and their contexts): what nvidia-smi shows as Used
    memory_total_mib: Any = NA
    memory_reserved_mib: Any = NA  # kept by the driver itself; "N/A" where only NVML's v1 memory query exists
    utilization_gpu_pct: Any = NA
    utilization_memory_pct: Any = NA
    temperature_c: Any = NA
    power_draw_w: Any = NA
    power_limit_w: Any = NA
    sm_clock_mhz: Any = NA
    sm_clock_max_mhz: Any = NA
    memory_clock_mhz: Any = NA
    clock_event_reasons: Any = NA
    ecc_mode: Any = NA
    ecc_uncorrected_volatile: Any = NA
    retired_pages_pending: Any = NA
    remapped_rows: Any = NA  # {"correctable", "uncorrectable", "pending", "failed"}
    pcie_gen: Any = NA
    pcie_gen_max: Any = NA
    pcie_width: Any = NA
    pcie_width_max: Any = NA
    persistence_mode: Any = NA
    processes: Any = NA  # [{"pid", "used_mib"}]
    mig_mode: Any = NA
    lost: bool = False
    error: str | None = None


@dataclass
class NvmlReport:
    status: str  # ok | library-not-found | driver-not-loaded | driver-library-mismatch | no-permission | error | pynvml-missing
    message: str = ""
    driver_version: Any = NA
    cuda_driver_version: Any = NA
    devices: list[DeviceReport] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value


def _status_for(nvml: Any, error: Exception) -> str:
    code = getattr(error, "value", None)
    return {
        getattr(nvml, "NVML_ERROR_LIBRARY_NOT_FOUND", 12): "library-not-found",
        getattr(nvml, "NVML_ERROR_DRIVER_NOT_LOADED", 9): "driver-not-loaded",
        getattr(nvml, "NVML_ERROR_LIB_RM_VERSION_MISMATCH", 18): "driver-library-mismatch",
        getattr(nvml, "NVML_ERROR_NO_PERMISSION", 4): "no-permission",
    }.get(code, "error")


def _reason_names(mask: int) -> list[str]:
    """The clock event reasons set in one reading of the mask (one query: the bits change under load)."""
    return [name for bit, name in CLOCK_EVENT_REASONS.items() if mask & bit]


def _memory_info(nvml: Any, handle: Any) -> Any:
    """NVML's v2 memory query, which splits the driver's reservation from "used"; v1 where v2 is missing.

    v1 counts the driver's reservation as used: an idle H200 reads 615 MiB used
    with no process on it, where nvidia-smi (v2) shows 0 MiB used, 616 MiB reserved.
    """
    version = getattr(nvml, "nvmlMemory_v2", None)
    if version is not None:
        try:
            return nvml.nvmlDeviceGetMemoryInfo(handle, version)
        except nvml.NVMLError as exc:
            if getattr(exc, "value", None) == getattr(nvml, "NVML_ERROR_GPU_IS_LOST", 15):
                raise
        except TypeError:  # bindings whose query takes no version
            pass
    return nvml.nvmlDeviceGetMemoryInfo(handle)


def _device(nvml: Any, index: int) -> DeviceReport:
    report = DeviceReport(index=index)
    try:
        handle = nvml.nvmlDeviceGetHandleByIndex(index)
    except nvml.NVMLError as exc:
        report.lost, report.error = getattr(exc, "value", None) == nvml.NVML_ERROR_GPU_IS_LOST, str(exc)
        return report

    def read(name: str, call: Callable[[], Any]) -> None:
        if report.lost:
            return
        try:
            setattr(report, name, call())
        except nvml.NVMLError as exc:
            if getattr(exc, "value", None) == nvml.NVML_ERROR_GPU_IS_LOST:
                report.lost, report.error = True, f"GPU is lost: {exc}"
            # NotSupported and friends: the field stays "N/A"
        except AttributeError:
            pass  # bindings too old to have this query: the field stays "N/A"

    answers: dict[str, Any] = {}

    def once(name: str, call: Callable[[], Any]) -> Any:
        """One NVML query shared by several fields (an error is raised again for each of them)."""
        if name not in answers:
            try:
                answers[name] = call()
            except nvml.NVMLError as exc:
                answers[name] = exc
        if isinstance(answers[name], Exception):
            raise answers[name]
        return answers[name]

    mib = 1024 * 1024
    read("name", lambda: _text(nvml.nvmlDeviceGetName(handle)))
    read("uuid", lambda: _text(nvml.nvmlDeviceGetUUID(handle)))
    read("compute_capability", lambda: "{}.{}".format(*nvml.nvmlDeviceGetCudaComputeCapability(handle)))
    memory = lambda: once("memory", lambda: _memory_info(nvml, handle))  # noqa: E731
    read("memory_total_mib", lambda: memory().total // mib)
    read("memory_used_mib", lambda: memory().used // mib)
    read("memory_reserved_mib", lambda: NA if getattr(memory(), "reserved", None) is None else memory().reserved // mib)
    rates = lambda: once("rates", lambda: nvml.nvmlDeviceGetUtilizationRates(handle))  # noqa: E731
    read("utilization_gpu_pct", lambda: rates().gpu)
    read("utilization_memory_pct", lambda: rates().memory)
    read("temperature_c", lambda: nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU))
    read("power_draw_w", lambda: round(nvml.nvmlDeviceGetPowerUsage(handle) / 1000, 1))
    read("power_limit_w", lambda: round(nvml.nvmlDeviceGetEnforcedPowerLimit(handle) / 1000, 1))
    read("sm_clock_mhz", lambda: nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_SM))
    read("sm_clock_max_mhz", lambda: nvml.nvmlDeviceGetMaxClockInfo(handle, nvml.NVML_CLOCK_SM))
    read("memory_clock_mhz", lambda: nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_MEM))
    read("clock_event_reasons", lambda: _reason_names(nvml.nvmlDeviceGetCurrentClocksEventReasons(handle)))
    read("ecc_mode", lambda: bool(nvml.nvmlDeviceGetEccMode(handle)[0]))
    read(
        "ecc_uncorrected_volatile",
        lambda: nvml.nvmlDeviceGetTotalEccErrors(handle, nvml.NVML_MEMORY_ERROR_TYPE_UNCORRECTED, nvml.NVML_VOLATILE_ECC),
    )
    read("retired_pages_pending", lambda: bool(nvml.nvmlDeviceGetRetiredPagesPendingStatus(handle)))
    read(
        "remapped_rows",
        lambda: dict(
            zip(
                ("correctable", "uncorrectable", "pending", "failed"),
                (int(v) for v in nvml.nvmlDeviceGetRemappedRows(handle)),
                strict=False,
            )
        ),
    )
    read("pcie_gen", lambda: nvml.nvmlDeviceGetCurrPcieLinkGeneration(handle))
    read("pcie_gen_max", lambda: nvml.nvmlDeviceGetMaxPcieLinkGeneration(handle))
    read("pcie_width", lambda: nvml.nvmlDeviceGetCurrPcieLinkWidth(handle))
    read("pcie_width_max", lambda: nvml.nvmlDeviceGetMaxPcieLinkWidth(handle))
    read("persistence_mode", lambda: bool(nvml.nvmlDeviceGetPersistenceMode(handle)))
    read(
        "processes",
        lambda: [
            {"pid": p.pid, "used_mib": (p.usedGpuMemory or 0) // mib} for p in nvml.nvmlDeviceGetComputeRunningProcesses(handle)
        ],
    )
    read("mig_mode", lambda: bool(nvml.nvmlDeviceGetMigMode(handle)[0]))
    return report


def probe_nvml(bindings: Any | None = None) -> NvmlReport:
    """``bindings``: an NVML module to use instead of pynvml (the tests pass recorded answers)."""
    nvml: Any = bindings
    if nvml is None:
        try:
            import pynvml  # the nvidia-ml-py distribution
        except ImportError:
            return NvmlReport("pynvml-missing", "the Python NVML bindings are not installed (pip install nvidia-ml-py)")
        nvml = pynvml
    try:
        nvml.nvmlInit()
    except nvml.NVMLError as exc:
        return NvmlReport(_status_for(nvml, exc), str(exc))
    except OSError as exc:
        return NvmlReport("library-not-found", str(exc))
    try:
        report = NvmlReport("ok")
        try:
            report.driver_version = _text(nvml.nvmlSystemGetDriverVersion())
            version = nvml.nvmlSystemGetCudaDriverVersion()
            report.cuda_driver_version = f"{version // 1000}.{(version % 1000) // 10}"
        except nvml.NVMLError:
            pass
        report.devices = [_device(nvml, i) for i in range(nvml.nvmlDeviceGetCount())]
        return report
    finally:
        with contextlib.suppress(Exception):  # shutting down a library that failed to start
            nvml.nvmlShutdown()
