"""`mlops-workbench exercise` as a learner uses it: the workspace copy, check, hints, solution, reset."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import LESSONS_DIR

pytestmark = pytest.mark.slow


def test_check_solution_and_reset_of_an_exercise(cli, home):
    listing = cli("exercise")
    assert listing.returncode == 0 and "○ guard-the-input" in listing.stdout
    shown = cli("exercise", "guard-the-input")
    workspace = home / "workspace" / "model-validation" / "input_contract.py"
    assert str(workspace) in shown.stdout and workspace.exists()
    unsolved = cli("exercise", "guard-the-input", "--check")
    assert unsolved.returncode == 1 and "NOT YET: three features instead of four: accepted" in unsolved.stdout
    assert cli("exercise", "guard-the-input", "--solution").returncode == 1  # not before passing
    assert "hint 2/3" in cli("exercise", "guard-the-input", "--hint", "2").stdout
    shutil.copyfile(LESSONS_DIR / "030-model-validation/exercises/solutions/input_contract.py", workspace)
    solved = cli("exercise", "guard-the-input", "--check")
    assert solved.returncode == 0 and "PASSED" in solved.stdout
    assert "np.isfinite" in cli("exercise", "guard-the-input", "--solution").stdout
    assert "✔ guard-the-input" in cli("exercise").stdout
    reset = cli("exercise", "guard-the-input", "--reset")
    assert reset.returncode == 0 and "kept as" in reset.stdout
    [backup] = list(workspace.parent.glob("input_contract.py.bak-*"))
    assert "np.isfinite" in backup.read_text()  # nothing lost
    assert "return np.asarray(features)" in workspace.read_text()
    assert cli("exercise", "no-such-exercise").returncode == 2
