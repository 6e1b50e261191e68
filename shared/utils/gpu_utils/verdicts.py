"""From the probes to verdicts: ok / info / warn / fail, each with one line why and one line what to do.

Pure logic on the report dictionaries, so every verdict is tested with a fake
NVML on machines without a GPU. "No GPU here" is information, not a failure;
a GPU that is present but unusable is a failure.

Every verdict's texts come from ``TEXTS``: English templates under a stable id. A verdict carries that id and the
values filled in, so a UI can show it in the learner's language (``TEXTS[id]`` looked up in its catalogue) while
the report's JSON stays English for machines (``mlops-workbench gpu --json``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

LEVELS = ("ok", "info", "warn", "fail")

# id -> (title, why, fix): English templates whose {fields} are the verdict's values.
TEXTS: dict[str, tuple[str, str, str]] = {
    "gpus-usable": ("{count} GPU(s) usable", "{devices}", ""),
    "nvml-no-devices": (
        "NVIDIA driver loaded, no GPU",
        "NVML works but reports 0 devices",
        "check that the GPU is seated and visible in `lspci | grep -i nvidia`",
    ),
    "nvml-bindings-missing": ("NVML bindings missing", "{message}", "pip install 'mlops-workbench[gpu]'"),
    "driver-library-missing": (
        "NVIDIA driver library missing",
        "device nodes {nodes} exist but libnvidia-ml.so cannot be loaded",
        "install the NVIDIA driver user-space libraries matching the kernel module",
    ),
    "driver-library-missing-in-container": (
        "NVIDIA driver library missing",
        "device nodes {nodes} exist but libnvidia-ml.so cannot be loaded",
        "install the NVIDIA driver user-space libraries matching the kernel module"
        "; in a container run it with the NVIDIA Container Toolkit (`docker run --gpus all`)",
    ),
    "no-gpu": (
        "no NVIDIA GPU/driver found",
        "no NVIDIA driver library (libnvidia-ml.so) and no /dev/nvidia* devices: lessons run on the CPU",
        "nothing to do for CPU lessons; on a GPU machine install the NVIDIA driver",
    ),
    "container-without-gpu": (
        "in a container without GPU access",
        "this process runs in a container that was given no NVIDIA devices",
        "if the host has a GPU, start the container with `--gpus all` (NVIDIA Container Toolkit)",
    ),
    "driver-not-loaded": (
        "NVIDIA driver not loaded",
        "{message}",
        "load it (`sudo modprobe nvidia`) or reinstall the driver, then reboot; `dmesg | grep -i nvidia` says why",
    ),
    "kernel-module-not-running": (
        "NVIDIA driver not loaded",
        "the kernel module is not running",
        "load it (`sudo modprobe nvidia`) or reinstall the driver, then reboot; `dmesg | grep -i nvidia` says why",
    ),
    "driver-library-mismatch": (
        "driver/library version mismatch",
        "the loaded kernel module and libnvidia-ml.so come from different driver versions",
        "reboot after a driver upgrade (or reload the nvidia kernel modules)",
    ),
    "no-permission": (
        "no permission to use the GPU",
        "{message}",
        "add your user to the group owning /dev/nvidia* (often `video`) or fix the device permissions",
    ),
    "nvml-error": ("NVML error", "{message}", "run `nvidia-smi` to see the driver's own error"),
    "gpu-lost": (
        "{gpu} is lost",
        "{error}",
        "check `dmesg` for Xid 79/74; reset the GPU (`nvidia-smi -r`) or reboot; repeated: hardware/RMA",
    ),
    "gpu-lost-off-bus": (
        "{gpu} is lost",
        "the GPU fell off the bus",
        "check `dmesg` for Xid 79/74; reset the GPU (`nvidia-smi -r`) or reboot; repeated: hardware/RMA",
    ),
    "thermal-throttling": (
        "{gpu} is thermally throttled",
        "clock event reasons {reasons} at {temperature} °C",
        "improve cooling/airflow; check fans and the data-centre inlet temperature",
    ),
    "power-limited": (
        "{gpu} is power limited",
        "clock event reasons {reasons}; draw {draw} W of {limit} W",
        "expected under full load; if the limit is below the card's default, raise it (`nvidia-smi -pl`)",
    ),
    "row-remapping-failed": (
        "{gpu} row remapping failed",
        "remapped rows {rows}",
        "the memory cannot repair itself any more: drain the node and replace the GPU (RMA)",
    ),
    "row-remap-pending": (
        "{gpu} has a row remap pending",
        "remapped rows {rows}",
        "reset the GPU (`nvidia-smi -r`) or reboot to apply the remap",
    ),
    "retired-pages-pending": (
        "{gpu} has retired pages pending",
        "pages were retired and need a reset to take effect",
        "reset the GPU or reboot",
    ),
    "uncorrected-ecc-errors": (
        "{gpu} has uncorrected ECC errors",
        "{errors} uncorrected errors since the last reset",
        "results on this GPU cannot be trusted: reset it; if they return, replace it",
    ),
    "pcie-link-degraded": (
        "{gpu} PCIe link below its maximum under load",
        "running Gen{gen} x{width}, capable of Gen{gen_max} x{width_max} at {load}% load",
        "reseat the card or move it to a full-width slot; check BIOS PCIe settings and riser cables",
    ),
    "cuda-visible-devices-hides-all": (
        "CUDA_VISIBLE_DEVICES hides every GPU",
        "CUDA_VISIBLE_DEVICES={visible}: CUDA programs see none of the {gpus} GPU(s) NVML reports",
        "unset CUDA_VISIBLE_DEVICES (or list the GPUs to use, e.g. 0) before starting the workbench",
    ),
    "cuda-visible-devices-hides-all-from-torch": (
        "CUDA_VISIBLE_DEVICES hides every GPU",
        "CUDA_VISIBLE_DEVICES={visible}: CUDA programs see none of the {gpus} GPU(s) NVML reports"
        "; torch.cuda.is_available() is False",
        "unset CUDA_VISIBLE_DEVICES (or list the GPUs to use, e.g. 0) before starting the workbench",
    ),
    "torch-cpu-only": (
        "PyTorch is a CPU-only build",
        "torch {version} has no CUDA support but {gpus} NVIDIA GPU(s) are present",
        "pip install torch==2.13.0 (on a GPU machine the same pin resolves to the CUDA build)",
    ),
    "driver-too-old-for-torch": (
        "driver too old for this PyTorch",
        "the driver supports CUDA {driver_cuda}, torch was built for CUDA {torch_cuda}",
        "upgrade the NVIDIA driver to one supporting CUDA ≥ {torch_cuda}, or install a torch wheel built for an older CUDA",
    ),
    "torch-missing-architecture": (
        "GPU {index} architecture not in this PyTorch build",
        "{name} is {sm}; torch was compiled for {arch_list}",
        "install a torch build that includes this architecture (newer GPUs need newer wheels)",
    ),
    "torch-error": (
        "PyTorch cannot use the GPU",
        "{error}",
        "read the error above; `mlops-workbench gpu` lists the usual causes",
    ),
    "torch-cuda-unavailable": (
        "PyTorch cannot use the GPU",
        "torch.cuda.is_available() is False",
        "check CUDA_VISIBLE_DEVICES and the driver verdicts above",
    ),
    "cuda-visible-devices-hides-some": (
        "CUDA_VISIBLE_DEVICES hides GPUs",
        "CUDA_VISIBLE_DEVICES={visible} leaves {seen} of {gpus} GPUs visible to CUDA programs",
        "unset CUDA_VISIBLE_DEVICES, or list the GPUs you mean to use",
    ),
    "tensorflow-cpu-only": (
        "TensorFlow does not see the GPU",
        "TensorFlow is a CPU-only build",
        "pip install 'tensorflow[and-cuda]' (brings the CUDA libraries TensorFlow needs)",
    ),
    "tensorflow-finds-no-gpu": (
        "TensorFlow does not see the GPU",
        "TensorFlow was built with CUDA {cuda} but finds no GPU (libraries missing?)",
        "pip install 'tensorflow[and-cuda]' (brings the CUDA libraries TensorFlow needs)",
    ),
    "deprecated-pynvml": (
        "deprecated 'pynvml' package installed",
        "pynvml {version} (unofficial) provides the same module name as nvidia-ml-py and may shadow it",
        "pip uninstall pynvml && pip install nvidia-ml-py",
    ),
}


@dataclass(frozen=True)
class Verdict:
    level: str
    title: str
    why: str
    fix: str = ""
    id: str = ""  # the key of its texts in TEXTS (stable: a UI translates by it)
    values: dict[str, str] = field(default_factory=dict)  # what fills TEXTS[id]'s {fields}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def verdict(level: str, key: str, **values: Any) -> Verdict:
    """The verdict ``key`` of TEXTS at ``level``, its English texts filled in with ``values``."""
    shown = {name: str(value) for name, value in values.items()}
    title, why, fix = (template.format(**shown) for template in TEXTS[key])
    return Verdict(level, title, why, fix, key, shown)


def _version(text: Any) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in str(text).split(".")[:2])
    except ValueError:
        return None


def _nvml_verdicts(nvml: dict[str, Any], host: dict[str, Any]) -> list[Verdict]:
    status, nodes, container = nvml["status"], host.get("nvidia_device_nodes") or [], host.get("in_container")
    if status == "ok":
        return [] if nvml["devices"] else [verdict("info", "nvml-no-devices")]
    if status == "pynvml-missing":
        return [verdict("warn", "nvml-bindings-missing", message=nvml["message"])]
    if status == "library-not-found":
        if nodes:
            key = "driver-library-missing-in-container" if container else "driver-library-missing"
            return [verdict("fail", key, nodes=", ".join(nodes[:3]))]
        verdicts = [verdict("info", "no-gpu")]
        if container:
            verdicts.append(verdict("info", "container-without-gpu"))
        return verdicts
    if status == "driver-not-loaded":
        if nvml["message"]:
            return [verdict("fail", "driver-not-loaded", message=nvml["message"])]
        return [verdict("fail", "kernel-module-not-running")]
    if status == "driver-library-mismatch":
        return [verdict("fail", "driver-library-mismatch")]
    if status == "no-permission":
        return [verdict("fail", "no-permission", message=nvml["message"])]
    return [verdict("fail", "nvml-error", message=nvml.get("message") or status)]


def _device_verdicts(device: dict[str, Any]) -> list[Verdict]:
    gpu = f"GPU {device['index']} ({device.get('name', 'N/A')})"
    if device.get("lost"):
        if device.get("error"):
            return [verdict("fail", "gpu-lost", gpu=gpu, error=device["error"])]
        return [verdict("fail", "gpu-lost-off-bus", gpu=gpu)]
    out: list[Verdict] = []
    reasons = device.get("clock_event_reasons")
    if isinstance(reasons, list):
        thermal = sorted(set(reasons) & {"sw_thermal_slowdown", "hw_thermal_slowdown"})
        power = sorted(set(reasons) & {"sw_power_cap", "hw_power_brake_slowdown", "hw_slowdown"})
        if thermal:
            out.append(verdict("warn", "thermal-throttling", gpu=gpu, reasons=thermal, temperature=device.get("temperature_c")))
        if power:
            draw, limit = device.get("power_draw_w"), device.get("power_limit_w")
            out.append(verdict("warn", "power-limited", gpu=gpu, reasons=power, draw=draw, limit=limit))
    rows = device.get("remapped_rows")
    if isinstance(rows, dict):
        if rows.get("failed"):
            out.append(verdict("fail", "row-remapping-failed", gpu=gpu, rows=rows))
        elif rows.get("pending"):
            out.append(verdict("warn", "row-remap-pending", gpu=gpu, rows=rows))
    if device.get("retired_pages_pending") is True:
        out.append(verdict("warn", "retired-pages-pending", gpu=gpu))
    errors = device.get("ecc_uncorrected_volatile")
    if isinstance(errors, int) and errors > 0:
        out.append(verdict("fail", "uncorrected-ecc-errors", gpu=gpu, errors=errors))
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
        load = device["utilization_gpu_pct"]
        out.append(
            verdict("warn", "pcie-link-degraded", gpu=gpu, gen=gen, width=width, gen_max=gen_max, width_max=width_max, load=load)
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
        key = "cuda-visible-devices-hides-all" + ("-from-torch" if torch.get("cuda_available") is False else "")
        out.append(verdict("fail", key, visible=repr(visible), gpus=len(gpus)))
    if torch.get("installed") and gpus:
        if not torch.get("cuda_build"):
            out.append(verdict("fail", "torch-cpu-only", version=torch.get("version"), gpus=len(gpus)))
        else:
            driver, wheel = _version(nvml.get("cuda_driver_version")), _version(torch.get("cuda_build"))
            if driver and wheel and driver < wheel:
                out.append(
                    verdict(
                        "fail",
                        "driver-too-old-for-torch",
                        driver_cuda=nvml["cuda_driver_version"],
                        torch_cuda=torch["cuda_build"],
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
                            verdict(
                                "fail",
                                "torch-missing-architecture",
                                index=device["index"],
                                name=device.get("name"),
                                sm=sm,
                                arch_list=", ".join(arch_list),
                            )
                        )
            if torch.get("error"):
                out.append(verdict("fail", "torch-error", error=torch["error"]))
            elif torch.get("cuda_available") is False and not out and not all_hidden:
                out.append(verdict("fail", "torch-cuda-unavailable"))
    if entries is not None and gpus and not all_hidden:
        seen = torch.get("device_count") if torch.get("installed") and torch.get("cuda_build") else None
        hidden = len(gpus) - (seen if seen is not None else len(entries))
        if hidden > 0:
            out.append(
                verdict("warn", "cuda-visible-devices-hides-some", visible=repr(visible), seen=len(gpus) - hidden, gpus=len(gpus))
            )
    tf = frameworks.get("tensorflow") or {}
    if tf.get("installed") and gpus and not tf.get("gpus"):
        if not tf.get("cuda_build"):
            out.append(verdict("warn", "tensorflow-cpu-only"))
        else:
            out.append(verdict("warn", "tensorflow-finds-no-gpu", cuda=tf.get("build_cuda_version")))
    return out


def _bindings_verdicts(host: dict[str, Any]) -> list[Verdict]:
    bindings = host.get("nvml_bindings") or {}
    old = bindings.get("pynvml")
    if old and (_version(old) or (0,)) < (12,):
        return [verdict("warn", "deprecated-pynvml", version=old)]
    return []


def evaluate(nvml: dict[str, Any], host: dict[str, Any], frameworks: dict[str, Any] | None = None) -> list[Verdict]:
    verdicts = _bindings_verdicts(host) + _nvml_verdicts(nvml, host)
    for device in nvml.get("devices", []):
        verdicts += _device_verdicts(device)
    verdicts += _framework_verdicts(nvml, host, frameworks or {})
    healthy = [d for d in nvml.get("devices", []) if not d.get("lost")]
    if nvml["status"] == "ok" and healthy and not any(v.level == "fail" for v in verdicts):
        devices = ", ".join(f"{d['index']}: {d.get('name')}" for d in healthy)
        verdicts.insert(0, verdict("ok", "gpus-usable", count=len(healthy), devices=devices))
    return verdicts


def failing(verdicts: list[Verdict]) -> list[Verdict]:
    return [v for v in verdicts if v.level == "fail"]
