"""Read the recorded runs back: the table behind ``mlops-workbench runs`` and the TUI runs screen.

Run as a child process by the workbench (which never imports MLflow):

    python -m application.registry.experiment_runs [--experiment NAME] [--history RUN_ID ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from infrastructure.storage.mlflow_tracking import TrackingStoreError, metric_history, search_runs, store_warnings

HIDDEN_TAG_PREFIX = "mlflow."


def list_runs(experiments: list[str] | None = None, max_runs: int = 200) -> dict[str, Any]:
    runs, uri = search_runs(experiments, max_runs)
    rows = []
    for run in runs:
        info, data = run.info, run.data
        end = info.end_time or None
        rows.append(
            {
                "run_id": info.run_id,
                "lesson": data.tags.get("lesson", ""),
                "step": data.tags.get("step", ""),
                "name": info.run_name,
                "status": info.status,
                "start_ms": info.start_time,
                "duration_s": round((end - info.start_time) / 1000, 3) if end else None,
                "params": dict(data.params),
                "metrics": dict(data.metrics),
                "tags": {k: v for k, v in data.tags.items() if not k.startswith(HIDDEN_TAG_PREFIX)},
                "parent_run_id": data.tags.get("mlflow.parentRunId"),
            }
        )
    return {"tracking_uri": uri, "runs": rows, "warnings": list(store_warnings)}


def histories(run_ids: list[str]) -> dict[str, dict[str, list[tuple[int, float]]]]:
    """run id -> metric -> [(step, value)], for comparing curves."""
    runs, _ = search_runs(None, 1000)
    wanted = {r.info.run_id: r for r in runs if r.info.run_id in set(run_ids)}
    return {run_id: {key: metric_history(run_id, key) for key in run.data.metrics} for run_id, run in wanted.items()}


def probe_registered() -> dict[str, Any]:
    """``provides`` probe of experiment-tracking: a sweep recorded in the tracking store."""
    found = list_runs(["experiment-tracking"], 50)["runs"]
    print(f"{len(found)} experiment-tracking runs in the tracking store")
    return {"present": bool(found)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--experiment", action="append", help="only this experiment (lesson id); repeatable")
    parser.add_argument("--max-runs", type=int, default=200)
    parser.add_argument("--history", nargs="+", metavar="RUN_ID", help="print metric histories of these runs instead")
    args = parser.parse_args()
    try:
        result: Any = histories(args.history) if args.history else list_runs(args.experiment, args.max_runs)
    except TrackingStoreError as exc:  # one line: the cause and the fix, not a SQLAlchemy traceback
        print(exc, file=sys.stderr)
        return 1
    except OSError as exc:  # a read-only or full home: the local store cannot be made there
        print(f"{exc.filename or 'the tracking store'}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
