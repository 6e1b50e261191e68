"""Child process for ``lessons check``: import each entry point and bind its parameters.

Reads a JSON list of {"entry", "params"} on stdin, prints a JSON list of
{"entry", "ok", "problem", "missing_extra"} on stdout. Runs in a child so the
CLI never imports the frameworks the entry points need.
"""

from __future__ import annotations

import inspect
import json
import sys

from workbench.runner.child.step_process import missing_extra_message, resolve


def probe(entry: str, params: dict) -> dict:
    try:
        function = resolve(entry)
    except ModuleNotFoundError as exc:
        hint = missing_extra_message(exc)
        return {
            "entry": entry,
            "ok": hint is not None,
            "problem": hint or f"cannot import: {exc}",
            "missing_extra": hint is not None,
        }
    except Exception as exc:
        return {"entry": entry, "ok": False, "problem": f"cannot import: {type(exc).__name__}: {exc}", "missing_extra": False}
    if not callable(function):
        return {"entry": entry, "ok": False, "problem": "is not callable", "missing_extra": False}
    try:
        inspect.signature(function).bind(**params)
    except TypeError as exc:
        return {
            "entry": entry,
            "ok": False,
            "problem": f"parameters {sorted(params)} do not fit its signature: {exc}",
            "missing_extra": False,
        }
    return {"entry": entry, "ok": True, "problem": None, "missing_extra": False}


def main() -> int:
    requests = json.load(sys.stdin)
    json.dump([probe(item["entry"], item.get("params", {})) for item in requests], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
