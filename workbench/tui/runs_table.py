"""How a run is shown, the same in the CLI table and the TUI runs screen."""

from __future__ import annotations

import time
from typing import Any

from workbench.i18n import t

# How MLflow's run states read: a run the learner cancelled (Ctrl-C in the step) ends KILLED.
STATUS_WORDS = {"FINISHED": "finished", "FAILED": "failed", "KILLED": "cancelled", "RUNNING": "running", "SCHEDULED": "scheduled"}
KEY_METRICS = ("test_accuracy", "val_accuracy", "ddp_test_accuracy", "best_test_accuracy", "val_loss", "train_loss")


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status.upper(), status.lower())


def started(run: dict[str, Any]) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run["start_ms"] / 1000)) if run.get("start_ms") else ""


def duration(run: dict[str, Any]) -> str:
    return f"{run['duration_s']:.1f}s" if run.get("duration_s") is not None else t("running")


def short_params(run: dict[str, Any], limit: int = 4) -> str:
    items = [(k, v) for k, v in sorted(run["params"].items()) if not k.startswith("config.")]
    text = " ".join(f"{k}={v}" for k, v in items[:limit])
    return text + (" …" if len(items) > limit else "")


def short_metrics(run: dict[str, Any], limit: int = 3) -> str:
    metrics = run["metrics"]
    keys = [k for k in KEY_METRICS if k in metrics] + sorted(k for k in metrics if k not in KEY_METRICS)
    return " ".join(f"{k}={metrics[k]:.4g}" for k in keys[:limit])


def row_cells(run: dict[str, Any]) -> tuple[str, ...]:
    """One run as the runs table shows it, on the screen and printed: lesson, run, started, time, status, params, metrics."""
    return (
        run["lesson"],
        run["name"],
        started(run),
        duration(run),
        t(status_word(run["status"])),
        short_params(run),
        short_metrics(run),
    )


def runs_rich_table(listing: dict[str, Any]):
    from rich.table import Table

    table = Table(title=t("{count} runs in {uri}", count=len(listing["runs"]), uri=listing["tracking_uri"]), title_justify="left")
    for column in ("lesson", "run", "started", "time", "status"):
        table.add_column(t(column), no_wrap=True)
    table.add_column(t("params"), overflow="fold")
    table.add_column(t("metrics"), overflow="fold")
    for run in listing["runs"]:
        table.add_row(*row_cells(run))
    return table
