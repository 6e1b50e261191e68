"""The UI process never imports an ML framework: prove it in a clean interpreter."""

import json
import subprocess
import sys

import pytest

HEAVY = ("torch", "tensorflow", "keras", "transformers", "bentoml", "sklearn", "mlflow", "scipy")


@pytest.mark.parametrize(
    "module", ["workbench.cli", "workbench.tui.app", "workbench.headless.run", "workbench.runner.lesson_runner"]
)
def test_importing_the_ui_loads_no_ml_framework(module):
    code = f"import sys, json, {module}; print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
