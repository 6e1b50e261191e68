"""From the probes to verdicts: ok / info / warn / fail, each with one line why and one line what to do.

Pure logic on the report dictionaries, so every verdict is tested with a fake
NVML on machines without a GPU. "No GPU here" is information, not a failure;
a GPU that is present but unusable is a failure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

LEVELS = ("ok", "info", "warn", "fail")


@dataclass(frozen=True)
class Verdict:
    level: str
    title: str
    why: str
    fix: str = ""

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def _version(text: Any) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in str(text).split(".")[:2])
    except ValueError:
        return None


def _nvml_verdicts(nvml: dict[str, Any], host: dict[str, Any]) -> list[Verdict]:
    status, nodes, container = nvml["status"], host.get("nvidia_device_nodes") or [], host.get("in_container")
    if status == "ok":
        if not nvml["devices"]:
            return [
                Verdict(
                    "info",
                    "NVIDIA driver loaded, no GPU",
                    "NVML works but reports 0 devices",
                    "check that the GPU is seated and visible in `lspci | grep -i nvidia`",
                )
            ]
        return []
    if status == "pynvml-missing":
        return [Verdict("warn", "NVML bindings missing", nvml["message"], "pip install 'mlops-workbench[gpu]'")]
    if status == "library-not-found":
        if nodes:
            return [
                Verdict(
                    "fail",
                    "NVIDIA driver library missing",
                    f"device nodes {', '.join(nodes[:3])} exist but libnvidia-ml.so cannot be loaded",
                    "install the NVIDIA driver user-space libraries matching the kernel module"
                    + (
                        "; in a container run it with the NVIDIA Container Toolkit (`docker run --gpus all`)" if container else ""
                    ),
                )
            ]
        verdicts = [
            Verdict(
                "info",
                "no NVIDIA GPU/driver found",
                "no NVIDIA driver library (libnvidia-ml.so) and no /dev/nvidia* devices: lessons run on the CPU",
                "nothing to do for CPU lessons; on a GPU machine install the NVIDIA driver",
            )
        ]
        if container:
            verdicts.append(
                Verdict(
                    "info",
                    "in a container without GPU access",
                    "this process runs in a container that was given no NVIDIA devices",
                    "if the host has a GPU, start the container with `--gpus all` (NVIDIA Container Toolkit)",
                )
            )
        return verdicts
    if status == "driver-not-loaded":
        return [
            Verdict(
                "fail",
                "NVIDIA driver not loaded",
                nvml["message"] or "the kernel module is not running",
                "load it (`sudo modprobe nvidia`) or reinstall the driver, then reboot; `dmesg | grep -i nvidia` says why",
            )
        ]
    if status == "driver-library-mismatch":
        return [
            Verdict(
                "fail",
                "driver/library version mismatch",
                "the loaded kernel module and libnvidia-ml.so come from different driver versions",
                "reboot after a driver upgrade (or reload the nvidia kernel modules)",
            )
        ]
    if status == "no-permission":
        return [
            Verdict(
                "fail",
                "no permission to use the GPU",
                nvml["message"],
                "add your user to the group owning /dev/nvidia* (often `video`) or fix the device permissions",
            )
        ]
    return [Verdict("fail", "NVML error", nvml.get("message") or status, "run `nvidia-smi` to see the driver's own error")]


def _device_verdicts(device: dict[str, Any]) -> list[Verdict]:
    label = f"GPU {device['index']} ({device.get('name', 'N/A')})"
    if device.get("lost"):
        return [
            Verdict(
                "fail",
                f"{label} is lost",
                device.get("error") or "the GPU fell off the bus",
                "check `dmesg` for Xid 79/74; reset the GPU (`nvidia-smi -r`) or reboot; repeated: hardware/RMA",
            )
        ]
    out: list[Verdict] = []
    reasons = device.get("clock_event_reasons")
    if isinstance(reasons, list):
        thermal = sorted(set(reasons) & {"sw_thermal_slowdown", "hw_thermal_slowdown"})
        power = sorted(set(reasons) & {"sw_power_cap", "hw_power_brake_slowdown", "hw_slowdown"})
        if thermal:
            out.append(
                Verdict(
                    "warn",
                    f"{label} is thermally throttled",
                    f"clock event reasons {thermal} at {device.get('temperature_c')} °C",
                    "improve cooling/airflow; check fans and the data-centre inlet temperature",
                )
            )
        if power:
            out.append(
                Verdict(
                    "warn",
                    f"{label} is power limited",
                    f"clock event reasons {power}; draw {device.get('power_draw_w')} W of {device.get('power_limit_w')} W",
                    "expected under full load; if the limit is below the card's default, raise it (`nvidia-smi -pl`)",
                )
            )
    rows = device.get("remapped_rows")
    if isinstance(rows, dict):
        if rows.get("failed"):
            out.append(
                Verdict(
                    "fail",
                    f"{label} row remapping failed",
                    f"remapped rows {rows}",
                    "the memory cannot repair itself any more: drain the node and replace the GPU (RMA)",
                )
            )
        elif rows.get("pending"):
            out.append(
                Verdict(
                    "warn",
                    f"{label} has a row remap pending",
                    f"remapped rows {rows}",
                    "reset the GPU (`nvidia-smi -r`) or reboot to apply the remap",
                )
            )
    if device.get("retired_pages_pending") is True:
        out.append(
            Verdict(
                "warn",
                f"{label} has retired pages pending",
                "pages were retired and need a reset to take effect",
                "reset the GPU or reboot",
            )
        )
    errors = device.get("ecc_uncorrected_volatile")
    if isinstance(errors, int) and errors > 0:
        out.append(
            Verdict(
                "fail",
                f"{label} has uncorrected ECC errors",
                f"{errors} uncorrected errors since the last reset",
                "results on this GPU cannot be trusted: reset it; if they return, replace it",
            )
        )
    gen, gen_max, width, width_max = (device.get(k) for k in ("pcie_gen", "pcie_gen_max", "pcie_width", "pcie_width_max"))
    busy = isinstance(device.get("utilization_gpu_pct"), int) and device["utilization_gpu_pct"] >= 50
    if (
        busy
        and isinstance(gen, int)
        and isinstance(gen_max, int)
        and isinstance(width, int)
        and isinstance(width_max, int)
        and (gen < gen_max or width < width_max)
    ):
        out.append(
            Verdict(
                "warn",
                f"{label} PCIe link below its maximum under load",
                f"running Gen{gen} x{width}, capable of Gen{gen_max} x{width_max} at {device['utilization_gpu_pct']}% load",
                "reseat the card or move it to a full-width slot; check BIOS PCIe settings and riser cables",
            )
        )
    return out


def _framework_verdicts(nvml: dict[str, Any], host: dict[str, Any], frameworks: dict[str, Any]) -> list[Verdict]:
    out: list[Verdict] = []
    gpus = [d for d in nvml.get("devices", []) if not d.get("lost")] if nvml["status"] == "ok" else []
    torch = frameworks.get("torch") or {}
    visible = host.get("cuda_visible_devices")
    entries = [v for v in visible.split(",") if v.strip() not in ("", "-1")] if visible is not None else None
    cuda_torch = torch.get("installed") and torch.get("cuda_build") and not torch.get("error")
    # Seen on an H200: CUDA_VISIBLE_DEVICES='' leaves torch 0 devices; the variable is the cause, not the GPU or torch.
    all_hidden = bool(gpus) and entries is not None and (entries == [] or (cuda_torch and torch.get("device_count") == 0))
    if all_hidden:
        out.append(
            Verdict(
                "fail",
                "CUDA_VISIBLE_DEVICES hides every GPU",
                f"CUDA_VISIBLE_DEVICES={visible!r}: CUDA programs see none of the {len(gpus)} GPU(s) NVML reports"
                + ("; torch.cuda.is_available() is False" if torch.get("cuda_available") is False else ""),
                "unset CUDA_VISIBLE_DEVICES (or list the GPUs to use, e.g. 0) before starting the workbench",
            )
        )
    if torch.get("installed") and gpus:
        if not torch.get("cuda_build"):
            out.append(
                Verdict(
                    "fail",
                    "PyTorch is a CPU-only build",
                    f"torch {torch.get('version')} has no CUDA support but {len(gpus)} NVIDIA GPU(s) are present",
                    "pip install torch==2.13.0 (on a GPU machine the same pin resolves to the CUDA build)",
                )
            )
        else:
            driver, wheel = _version(nvml.get("cuda_driver_version")), _version(torch.get("cuda_build"))
            if driver and wheel and driver < wheel:
                out.append(
                    Verdict(
                        "fail",
                        "driver too old for this PyTorch",
                        f"the driver supports CUDA {nvml['cuda_driver_version']}, torch was built for CUDA {torch['cuda_build']}",
                        f"upgrade the NVIDIA driver to one supporting CUDA ≥ {torch['cuda_build']}, or install a torch wheel built for an older CUDA",
                    )
                )
            arch_list = torch.get("arch_list") or []
            for device in gpus:
                capability = str(device.get("compute_capability"))
                if arch_list and capability.replace(".", "").isdigit():
                    sm = "sm_" + capability.replace(".", "")
                    ptx_ok = any(a.startswith("compute_") and int(a[8:]) <= int(sm[3:]) for a in arch_list if a[8:].isdigit())
                    if sm not in arch_list and not ptx_ok:
                        out.append(
                            Verdict(
                                "fail",
                                f"GPU {device['index']} architecture not in this PyTorch build",
                                f"{device.get('name')} is {sm}; torch was compiled for {', '.join(arch_list)}",
                                "install a torch build that includes this architecture (newer GPUs need newer wheels)",
                            )
                        )
            if torch.get("error"):
                out.append(
                    Verdict(
                        "fail",
                        "PyTorch cannot use the GPU",
                        torch["error"],
                        "read the error above; `mlops-workbench gpu` lists the usual causes",
                    )
                )
            elif torch.get("cuda_available") is False and not out and not all_hidden:
                out.append(
                    Verdict(
                        "fail",
                        "PyTorch cannot use the GPU",
                        "torch.cuda.is_available() is False",
                        "check CUDA_VISIBLE_DEVICES and the driver verdicts above",
                    )
                )
    if entries is not None and gpus and not all_hidden:
        seen = torch.get("device_count") if torch.get("installed") and torch.get("cuda_build") else None
        hidden = len(gpus) - (seen if seen is not None else len(entries))
        if hidden > 0:
            out.append(
                Verdict(
                    "warn",
                    "CUDA_VISIBLE_DEVICES hides GPUs",
                    f"CUDA_VISIBLE_DEVICES={visible!r} leaves {len(gpus) - hidden} of {len(gpus)} GPUs visible to CUDA programs",
                    "unset CUDA_VISIBLE_DEVICES, or list the GPUs you mean to use",
                )
            )
    tf = frameworks.get("tensorflow") or {}
    if tf.get("installed") and gpus and not tf.get("gpus"):
        why = (
            "TensorFlow is a CPU-only build"
            if not tf.get("cuda_build")
            else f"TensorFlow was built with CUDA {tf.get('build_cuda_version')} but finds no GPU (libraries missing?)"
        )
        out.append(
            Verdict(
                "warn",
                "TensorFlow does not see the GPU",
                why,
                "pip install 'tensorflow[and-cuda]' (brings the CUDA libraries TensorFlow needs)",
            )
        )
    return out


def _bindings_verdicts(host: dict[str, Any]) -> list[Verdict]:
    bindings = host.get("nvml_bindings") or {}
    old = bindings.get("pynvml")
    if old and (_version(old) or (0,)) < (12,):
        return [
            Verdict(
                "warn",
                "deprecated 'pynvml' package installed",
                f"pynvml {old} (unofficial) provides the same module name as nvidia-ml-py and may shadow it",
                "pip uninstall pynvml && pip install nvidia-ml-py",
            )
        ]
    return []


def evaluate(nvml: dict[str, Any], host: dict[str, Any], frameworks: dict[str, Any] | None = None) -> list[Verdict]:
    verdicts = _bindings_verdicts(host) + _nvml_verdicts(nvml, host)
    for device in nvml.get("devices", []):
        verdicts += _device_verdicts(device)
    verdicts += _framework_verdicts(nvml, host, frameworks or {})
    healthy = [d for d in nvml.get("devices", []) if not d.get("lost")]
    if nvml["status"] == "ok" and healthy and not any(v.level == "fail" for v in verdicts):
        verdicts.insert(
            0, Verdict("ok", f"{len(healthy)} GPU(s) usable", ", ".join(f"{d['index']}: {d.get('name')}" for d in healthy))
        )
    return verdicts


def failing(verdicts: list[Verdict]) -> list[Verdict]:
    return [v for v in verdicts if v.level == "fail"]
