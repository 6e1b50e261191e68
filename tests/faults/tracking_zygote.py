"""Kill the first tracked run on a fresh home at evenly spread moments across the store's creation, then track again.

    python -m tests.faults.tracking_zygote BASE_DIR TRIALS   (writes BASE_DIR/report.json)

MLflow and the tracking adapter are imported once here; every run is a fork of this process that does
what a tracked step does first (``ExperimentRun``: prepare the store, create the run, log, finish), so
the kill moments land inside the ~1-2 s migration window instead of being lost in the import time.
A first, uninterrupted run on a scratch home measures the window (from the start of the run to the
start and the end of the store's creation). Writes one JSON document with what every trial found.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import mlflow.store.db.utils  # noqa: E402,F401
import mlflow.store.model_registry.sqlalchemy_store  # noqa: E402,F401
import mlflow.store.tracking.sqlalchemy_store  # noqa: E402,F401
import mlflow.tracking  # noqa: E402,F401
from alembic import command  # noqa: E402,F401

from infrastructure.storage import mlflow_tracking as tracking  # noqa: E402

tracking._schema_revisions()  # read once, before forking


def _child(home: Path, stamps: int, result: int) -> None:
    """In the fork: one tracked run; writes 'begin <t>'/'end <t>' around the store's creation, then the run id."""
    os.environ["WORKBENCH_HOME"] = str(home)
    start = time.monotonic()
    original = tracking._migrated_copy

    def timed(*args, **kwargs):
        os.write(stamps, f"begin {time.monotonic() - start}\n".encode())
        try:
            return original(*args, **kwargs)
        finally:
            os.write(stamps, f"end {time.monotonic() - start}\n".encode())

    tracking._migrated_copy = timed
    warnings: list[str] = []
    from shared import events

    events.log = lambda message, level="info": warnings.append(message) if level != "info" else None
    with tracking.ExperimentRun("fault-lesson", "first", {"lesson": "fault-lesson"}) as run:
        run_id = run.run_id
        run.log_metric("score", 1.0)
    found = False
    if run_id:
        runs, _ = tracking.search_runs(["fault-lesson"])
        found = any(r.info.run_id == run_id and r.info.status == "FINISHED" for r in runs)
    os.write(result, json.dumps({"run_id": run_id, "found": found, "warnings": warnings}).encode())


def fork_run(home: Path, kill_after: float | None = None, sig: int = signal.SIGKILL) -> dict:
    stamps_r, stamps_w = os.pipe()
    result_r, result_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the fork
        os.close(stamps_r)
        os.close(result_r)
        code = 0
        try:
            _child(home, stamps_w, result_w)
        except BaseException as exc:
            os.write(result_w, json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())
            code = 1
        os._exit(code)
    os.close(stamps_w)
    os.close(result_w)
    if kill_after is not None:
        time.sleep(kill_after)
        os.kill(pid, sig)
    _, status = os.waitpid(pid, 0)
    stamps = os.read(stamps_r, 4096).decode()
    raw = b""
    while chunk := os.read(result_r, 65536):
        raw += chunk
    os.close(stamps_r)
    os.close(result_r)
    outcome = json.loads(raw) if raw else {}
    outcome["killed"] = os.WIFSIGNALED(status)
    for line in stamps.splitlines():
        name, value = line.split()
        outcome[name] = float(value)
    return outcome


def main() -> int:
    base, trials = Path(sys.argv[1]), int(sys.argv[2])
    calibration = fork_run(base / "calibration")
    begin, end = calibration["begin"], calibration["end"]
    report = {"calibration": calibration, "trials": []}
    for i in range(trials):
        home = base / f"home-{i}"
        moment = begin + (end - begin) * i / max(trials - 1, 1)
        sig = signal.SIGKILL if i % 2 == 0 else signal.SIGTERM  # a kill -9, or the runner's cancel/timeout
        interrupted = fork_run(home, kill_after=moment, sig=sig)
        folder = home / "mlflow"
        left = sorted(p.name for p in folder.glob(tracking.CREATING_PREFIX + "*")) if folder.exists() else []
        state, why = tracking._store_state(folder / tracking.STORE_FILE)
        after = fork_run(home)
        report["trials"].append(
            {
                "moment": moment,
                "signal": int(sig),
                "killed": interrupted["killed"],
                "temporary_left": bool(left),
                "store_after_kill": state,
                "why": why,
                "next": after,
            }
        )
    (base / "report.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
