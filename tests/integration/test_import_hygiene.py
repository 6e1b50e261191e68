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


def test_the_bare_command_opens_the_app_without_loading_the_command_line(tmp_path):
    """`mlops-workbench` alone goes straight to the app: Typer/click (a third of the first paint) stay unloaded."""
    code = (
        "import sys, json\n"
        "sys.argv = ['mlops-workbench']\n"
        "import workbench.tui.app as tui\n"
        "def fake_run_app(home, lessons_dir=None):\n"
        "    print(json.dumps({'home': str(home), 'loaded': sorted(m for m in ('typer', 'click', 'workbench.cli') if m in sys.modules)}))\n"
        "    return 0\n"
        "tui.run_app = fake_run_app\n"
        "from workbench.launcher import main\n"
        "main()\n"
    )
    env = {"PATH": "/usr/bin:/bin", "WORKBENCH_HOME": str(tmp_path / "home")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"home": str(tmp_path / "home"), "loaded": []}


def test_the_command_with_arguments_goes_to_the_command_line():
    out = subprocess.run([sys.executable, "-m", "workbench", "--version"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("mlops-workbench ")
