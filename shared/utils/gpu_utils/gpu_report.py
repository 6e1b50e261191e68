"""The whole GPU report: NVML, host, frameworks, verdicts.

    python -m shared.utils.gpu_utils.gpu_report [--no-frameworks]    prints the report as JSON

The workbench runs this in a child process (`mlops-workbench gpu`, the GPU
screen, the gpu-health lesson) because the framework checks import torch and
TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from shared.utils.gpu_utils.host_probe import host_report
from shared.utils.gpu_utils.nvml_probe import probe_nvml
from shared.utils.gpu_utils.verdicts import evaluate, failing

SCHEMA_VERSION = 1


def build_report(frameworks: bool = True) -> dict[str, Any]:
    nvml = probe_nvml().to_json()
    host = host_report()
    framework_reports: dict[str, Any] = {}
    if frameworks:
        from shared.utils.gpu_utils.framework_probe import tensorflow_report, torch_report

        framework_reports = {"torch": torch_report(), "tensorflow": tensorflow_report()}
    verdicts = evaluate(nvml, host, framework_reports)
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "nvml": nvml,
        "host": host,
        "frameworks": framework_reports,
        "verdicts": [v.to_json() for v in verdicts],
        "failing": len(failing(verdicts)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-frameworks", action="store_true", help="skip the torch/TensorFlow checks (fast)")
    args = parser.parse_args()
    json.dump(build_report(frameworks=not args.no_frameworks), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
