"""How the GPU report looks: rich renderables shared by `mlops-workbench gpu` and the GPU screen."""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from workbench.i18n import t

LEVEL_STYLE = {"ok": ("✔", "green"), "info": ("ℹ", "cyan"), "warn": ("⚠", "yellow"), "fail": ("✘", "bold red")}
DEVICE_COLUMNS = (
    ("GPU", "index"),
    ("name", "name"),
    ("cc", "compute_capability"),
    ("mem MiB", None),
    ("util %", "utilization_gpu_pct"),
    ("°C", "temperature_c"),
    ("power W", None),
    ("SM MHz", "sm_clock_mhz"),
    ("PCIe", None),
    ("ECC", "ecc_mode"),
    ("MIG", "mig_mode"),
    ("procs", None),
)


def _pair(first: Any, second: Any, template: str) -> str:
    return "N/A" if "N/A" in (first, second) else template.format(first, second)


def device_cells(device: dict[str, Any]) -> list[str]:
    if device.get("lost"):
        return [str(device["index"]), "[red]lost[/]", *([""] * (len(DEVICE_COLUMNS) - 2))]
    cells = []
    for _, key in DEVICE_COLUMNS:
        if key is not None:
            cells.append(str(device.get(key, "N/A")))
        elif _ == "mem MiB":
            cells.append(_pair(device.get("memory_used_mib"), device.get("memory_total_mib"), "{}/{}"))
        elif _ == "power W":
            cells.append(_pair(device.get("power_draw_w"), device.get("power_limit_w"), "{}/{}"))
        elif _ == "PCIe":
            cells.append(_pair(device.get("pcie_gen"), device.get("pcie_width"), "Gen{}x{}"))
        else:
            procs = device.get("processes")
            cells.append(str(len(procs)) if isinstance(procs, list) else "N/A")
    return cells


def verdict_lines(verdicts: list[dict[str, str]]) -> list[str]:
    lines = []
    for v in verdicts:
        icon, style = LEVEL_STYLE[v["level"]]
        lines.append(f"[{style}]{icon} {escape(t(v['title']))}[/]")
        lines.append(f"   [dim]{t('why:')}[/] {escape(v['why'])}")
        if v.get("fix"):
            lines.append(f"   [dim]{t('do:')} [/] {escape(v['fix'])}")
    return lines


def cpu_line(host: dict[str, Any]) -> str:
    cpu = host["cpu"]
    return (
        f"CPU {cpu['model']} · {cpu['usable_cores']}/{cpu['logical_cores']} cores usable · {cpu['memory_gib']} GiB RAM"
        f" · container: {'yes' if host['in_container'] else 'no'}"
    )


def framework_lines(frameworks: dict[str, Any]) -> list[str]:
    lines = []
    torch = frameworks.get("torch") or {}
    if torch.get("installed"):
        lines.append(
            f"PyTorch {torch['version']} · CUDA build {torch.get('cuda_build') or 'none (CPU wheel)'} · "
            f"cuda available {torch.get('cuda_available')} · {torch.get('cpu_threads')} CPU threads"
        )
    tf = frameworks.get("tensorflow") or {}
    if tf.get("installed"):
        lines.append(f"TensorFlow {tf['version']} · CUDA build {tf.get('cuda_build')} · GPUs seen {len(tf.get('gpus', []))}")
    return lines


def report_renderable(report: dict[str, Any]):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    nvml = report["nvml"]
    parts: list[Any] = [
        Text.from_markup(
            f"[b]NVML[/] {nvml['status']} · driver {nvml['driver_version']} · CUDA driver API {nvml['cuda_driver_version']}"
        )
    ]
    if nvml["devices"]:
        table = Table(show_edge=False)
        for title, _ in DEVICE_COLUMNS:
            table.add_column(title)
        for device in nvml["devices"]:
            table.add_row(*device_cells(device))
        parts.append(table)
    parts.append(Text(cpu_line(report["host"])))
    parts += [Text(line) for line in framework_lines(report.get("frameworks") or {})]
    parts.append(Text.from_markup(f"\n[b]{t('verdicts')}[/]"))
    parts += [Text.from_markup(line) for line in verdict_lines(report["verdicts"])]
    return Group(*parts)
