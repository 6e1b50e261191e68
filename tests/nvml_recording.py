"""Record what the real NVML answers to the probe, and replay it in tests (no GPU needed).

On a GPU machine::

    python -m tests.nvml_recording record > recording.json          # one probe, plus host and torch facts
    python -m tests.nvml_recording poll --interval 0.5 >> load.jsonl # one recording per line until killed

``record`` runs ``probe_nvml`` through a proxy of the ``pynvml`` module that
writes down every call (function, arguments with device handles as their
index, result or NVML error code) and every ``NVML_*`` constant it reads.
``ReplayNvml(recording)`` gives those answers back, so a test feeds the real
NVML shapes of a real GPU to the probe and the verdicts.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import signal
import sys
import time
from collections import Counter
from types import SimpleNamespace
from typing import Any

from shared.utils.gpu_utils.nvml_probe import probe_nvml


def _plain(value: Any, handles: list[Any]) -> Any:
    """A JSON-able copy of what NVML returned: structs as {"__struct__": {...}}, bytes as {"__bytes__": text}."""
    for index, handle in enumerate(handles):
        if value is handle:
            return {"__handle__": index}
    if isinstance(value, bytes):
        return {"__bytes__": value.decode(errors="replace")}
    if isinstance(value, ctypes.Structure):
        return {"__struct__": {name: _plain(getattr(value, name), handles) for name, *_ in value._fields_}}
    if isinstance(value, ctypes.Array):
        return [_plain(v, handles) for v in value]
    if isinstance(value, (list, tuple)):
        return [_plain(v, handles) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "__dict__"):  # pynvml's "friendly objects" (e.g. running processes)
        return {"__struct__": {k: _plain(v, handles) for k, v in vars(value).items() if not k.startswith("_")}}
    return {"__repr__": repr(value)}


class RecordingNvml:
    """Forwards to the real module; writes down calls and constants."""

    def __init__(self, nvml: Any) -> None:
        self._nvml = nvml
        self.handles: list[Any] = []
        self.calls: list[dict[str, Any]] = []
        self.constants: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._nvml, name)
        if isinstance(value, int) and not isinstance(value, bool):  # NVML_* codes, nvmlMemory_v2, ...
            self.constants[name] = value
            return value
        if not name.startswith("nvml") or not callable(value):
            return value

        def call(*args: Any) -> Any:
            entry: dict[str, Any] = {"fn": name, "args": [_plain(a, self.handles) for a in args]}
            try:
                result = value(*args)
            except self._nvml.NVMLError as exc:
                entry.update(error=getattr(exc, "value", None), message=str(exc))
                self.calls.append(entry)
                raise
            if name == "nvmlDeviceGetHandleByIndex":
                self.handles.append(result)
            entry["result"] = _plain(result, self.handles)
            self.calls.append(entry)
            return result

        return call


def record(nvml: Any | None = None) -> dict[str, Any]:
    if nvml is None:
        import pynvml as nvml
    proxy = RecordingNvml(nvml)
    report = probe_nvml(proxy).to_json()
    return {
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "constants": proxy.constants,
        "calls": proxy.calls,
        "probe": report,
    }


class ReplayError(Exception):
    def __init__(self, value: int, message: str = "") -> None:
        super().__init__(message or f"NVML error {value}")
        self.value = value


def _revive(value: Any) -> Any:
    if isinstance(value, dict):
        if "__bytes__" in value:
            return value["__bytes__"].encode()
        if "__struct__" in value:
            return SimpleNamespace(**{k: _revive(v) for k, v in value["__struct__"].items()})
        if "__handle__" in value:
            return ("handle", value["__handle__"])
        return {k: _revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


class ReplayNvml:
    """The recorded answers, call for call.

    A name the probe never read while recording is missing (AttributeError), as a
    function or constant is from older bindings; a recorded function called with
    arguments never recorded raises NVML 'function not found'.
    """

    NVMLError = ReplayError
    FUNCTION_NOT_FOUND = 13

    def __init__(self, recording: dict[str, Any]) -> None:
        self._constants = dict(recording["constants"])
        self._answers: dict[str, dict[str, Any]] = {}
        for entry in recording["calls"]:
            self._answers.setdefault(self._key(entry["fn"], entry["args"]), entry)
        self._functions = {entry["fn"] for entry in recording["calls"]}
        self.unrecorded: list[str] = []
        self.called: Counter[str] = Counter()

    @staticmethod
    def _key(name: str, args: list[Any]) -> str:
        return json.dumps([name, args], sort_keys=True)

    def __getattr__(self, name: str) -> Any:
        if name in self._constants:
            return self._constants[name]
        if name not in self._functions:
            raise AttributeError(name)

        def call(*args: Any) -> Any:
            self.called[name] += 1
            plain = [{"__handle__": a[1]} if isinstance(a, tuple) and a[:1] == ("handle",) else a for a in args]
            entry = self._answers.get(self._key(name, plain))
            if entry is None:
                self.unrecorded.append(name)
                raise ReplayError(self.FUNCTION_NOT_FOUND, f"{name}{tuple(plain)} was not recorded")
            if "error" in entry:
                raise ReplayError(entry["error"], entry.get("message", ""))
            return _revive(entry["result"])

        return call


def _with_host_and_torch(recording: dict[str, Any]) -> dict[str, Any]:
    from shared.utils.gpu_utils.framework_probe import torch_report
    from shared.utils.gpu_utils.host_probe import host_report

    return {**recording, "host": host_report(), "torch": torch_report()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("record", "poll"))
    parser.add_argument("--interval", type=float, default=0.5)
    args = parser.parse_args()
    if args.mode == "record":
        json.dump(_with_host_and_torch(record()), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        sys.stdout.write(json.dumps(record()) + "\n")
        sys.stdout.flush()
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
