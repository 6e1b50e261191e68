"""The step child: ``python -m workbench.runner.child.step_process``.

Started by the runner in a new process group with the step spec (JSON) in
``WORKBENCH_STEP_SPEC`` and an event pipe in ``WORKBENCH_EVENT_FD``. It
imports the step's entry point (this is where torch, sklearn... get
imported, never in the UI), calls it with the lesson's parameters, checks
the outputs and sends a ``Result`` as its last event.

Exit status: 0 when the checks pass, 1 when they fail or the step raised.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from shared import events
from shared.constants import ENV_STEP_SPEC
from shared.events import Result
from shared.events.reporter import last_metrics
from workbench.runner.child.checks import evaluate
from workbench.runner.extras import extra_for_module


def missing_extra_message(exc: ModuleNotFoundError) -> str | None:
    top = (exc.name or "").split(".", 1)[0]
    extra = extra_for_module(top) if top else None
    if extra is None:
        return None
    return f"needs extra '{extra}' (module '{top}' is not installed): pip install 'mlops-workbench[{extra}]'"


def _load_script(path: Path) -> ModuleType:
    """A lesson's script by its path (lesson folders are not packages); each file gets its own module name."""
    if not path.is_file():
        raise ModuleNotFoundError(f"no such script: {path}")
    name = "lesson_script_" + re.sub(r"\W", "_", f"{path.parent.parent.name}_{path.parent.name}_{path.stem}")
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def resolve(entry: str) -> Any:
    """``package.module:function`` (importable) or ``/path/to/lessons/<NNN-id>/steps.py:function`` (a lesson script)."""
    module_name, _, attr = entry.rpartition(":")
    module = _load_script(Path(module_name)) if module_name.endswith(".py") else importlib.import_module(module_name)
    try:
        return getattr(module, attr)
    except AttributeError:
        raise AttributeError(f"entry point '{entry}': module '{module_name}' has no attribute '{attr}'") from None


def run(spec: dict[str, Any]) -> Result:
    entry = spec["entry"]
    try:
        function = resolve(entry)
    except ModuleNotFoundError as exc:
        hint = missing_extra_message(exc)
        if hint is None:
            raise
        return Result(passed=False, summary=hint, details={"missing_extra": True})
    try:
        outputs = function(**spec.get("params", {}))
    except events.StepSkipped as skip:
        return Result(passed=True, summary=f"skipped: {skip}", details={"skipped": True})
    except events.StepError as refusal:  # the step said no: its message is the whole story, no traceback
        return Result(passed=False, summary=str(refusal), details={"step_error": True})
    if outputs is None:
        outputs = {}
    if not isinstance(outputs, dict):
        return Result(False, f"entry point '{entry}' returned {type(outputs).__name__}; expected a dict of outputs")
    merged = {**last_metrics(), **outputs}
    passed, lines = evaluate(spec.get("checks", []), merged)
    summary = "; ".join(lines)
    if isinstance(outputs.get("summary"), str):
        summary = f"{outputs['summary']} — {summary}" if summary else outputs["summary"]
    details = {k: v for k, v in merged.items() if isinstance(v, (int, float, str, bool)) and k != "summary"}
    return Result(passed=passed, summary=summary, details=details)


def watch_parent() -> None:
    """If the runner dies (kill -9 of the UI or of the headless runner), end this step's whole tree and exit."""
    from shared.utils import process_tree

    parent, token = os.environ.get(process_tree.PARENT_PID_ENV, ""), os.environ.get(process_tree.RUN_ID_ENV, "")
    if parent.isdigit() and token:
        process_tree.end_run_when_parent_dies(token, int(parent))


def main() -> int:
    raw = os.environ.get(ENV_STEP_SPEC)
    if not raw:
        print(f"{ENV_STEP_SPEC} is not set; this module is started by the workbench runner", file=sys.stderr)
        return 2
    watch_parent()
    spec = json.loads(raw)
    try:
        result = run(spec)
    except KeyboardInterrupt:
        events.emit(Result(False, "interrupted"))
        return 130
    except Exception as exc:  # the step's own failure: report it, do not hide it
        traceback.print_exc()
        result = Result(False, f"{type(exc).__name__}: {exc}")
    events.emit(result)
    sys.stdout.flush()
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
