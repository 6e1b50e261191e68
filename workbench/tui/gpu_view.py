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
        return [str(device["index"]), f"[red]{t('lost')}[/]", *([""] * (len(DEVICE_COLUMNS) - 2))]
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


def verdict_texts(verdict: dict[str, Any]) -> tuple[str, str, str]:
    """A verdict's title, why and fix in the UI's language: its templates (found by its id) through the catalogue,
    filled with its values. A report without ids (older, or hand-made) shows its English texts, titles translated."""
    from shared.utils.gpu_utils.verdicts import TEXTS

    english = (str(verdict["title"]), str(verdict["why"]), str(verdict.get("fix") or ""))
    templates, values = TEXTS.get(str(verdict.get("id", ""))), verdict.get("values")
    if templates is None or not isinstance(values, dict):
        return t(english[0]), english[1], english[2]
    try:
        title, why, fix = (t(template, **values) if values else t(template) for template in templates)
    except (KeyError, IndexError, ValueError):  # a value the template does not know: the report's own English
        return english
    return title, why, fix if english[2] else ""


def verdict_lines(verdicts: list[dict[str, Any]]) -> list[str]:
    from rich.cells import cell_len

    why_label, fix_label = t("why:"), t("do:")
    width = max(cell_len(why_label), cell_len(fix_label))  # the texts start in one column, in any language
    why_label, fix_label = (label + " " * (width - cell_len(label)) for label in (why_label, fix_label))
    lines = []
    for v in verdicts:
        icon, style = LEVEL_STYLE[v["level"]]
        title, why, fix = verdict_texts(v)
        lines.append(f"[{style}]{icon} {escape(title)}[/]")
        lines.append(f"   [dim]{why_label}[/] {escape(why)}")
        if fix:
            lines.append(f"   [dim]{fix_label}[/] {escape(fix)}")
    return lines


def cpu_line(host: dict[str, Any]) -> str:
    cpu = host["cpu"]
    return t(
        "CPU {model} · {usable}/{logical} cores usable · {memory} GiB RAM · container: {container}",
        model=cpu["model"],
        usable=cpu["usable_cores"],
        logical=cpu["logical_cores"],
        memory=cpu["memory_gib"],
        container=t("yes") if host["in_container"] else t("no"),
    )


def framework_lines(frameworks: dict[str, Any]) -> list[str]:
    lines = []
    torch = frameworks.get("torch") or {}
    if torch.get("installed"):
        lines.append(
            t(
                "PyTorch {version} · CUDA build {cuda} · cuda available {available} · {threads} CPU threads",
                version=torch["version"],
                cuda=torch.get("cuda_build") or t("none (CPU wheel)"),
                available=torch.get("cuda_available"),
                threads=torch.get("cpu_threads"),
            )
        )
    tf = frameworks.get("tensorflow") or {}
    if tf.get("installed"):
        lines.append(
            t(
                "TensorFlow {version} · CUDA build {cuda} · GPUs seen {gpus}",
                version=tf["version"],
                cuda=tf.get("cuda_build"),
                gpus=len(tf.get("gpus", [])),
            )
        )
    return lines


def nvml_line(nvml: dict[str, Any]) -> str:
    """NVML's status, the driver's version and the CUDA version it supports, on one line."""
    return t(
        "NVML {status} · driver {driver} · CUDA driver API {cuda}",
        status=nvml["status"],
        driver=nvml["driver_version"],
        cuda=nvml["cuda_driver_version"],
    )


def column_title(title: str) -> str:
    """A device column's heading in the UI's language (its key stays the English title)."""
    return t(title)


def report_renderable(report: dict[str, Any]):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    nvml = report["nvml"]
    parts: list[Any] = [
        Text(nvml_line(nvml)),
    ]
    parts[0].stylize("bold", 0, len("NVML"))  # every language's line starts with NVML
    if nvml["devices"]:
        table = Table(show_edge=False)
        for title, _ in DEVICE_COLUMNS:
            table.add_column(column_title(title))
        for device in nvml["devices"]:
            table.add_row(*device_cells(device))
        parts.append(table)
    parts.append(Text(cpu_line(report["host"])))
    parts += [Text(line) for line in framework_lines(report.get("frameworks") or {})]
    parts.append(Text.from_markup(f"\n[b]{t('verdicts')}[/]"))
    parts += [Text.from_markup(line) for line in verdict_lines(report["verdicts"])]
    return Group(*parts)
