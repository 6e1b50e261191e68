"""A step's parameters are read from its source without importing it, and --param is judged against them."""

from __future__ import annotations

import sys

from tests.conftest import run_cli
from workbench.curriculum.lesson_loader import load_curriculum
from workbench.curriculum.step_signature import NO_DEFAULT, parameter_problems, parameters


def _entry(lesson_id: str, step_id: str) -> str:
    lesson = load_curriculum().get(lesson_id)
    step = next(s for s in lesson.spec.steps if s.id == step_id)
    return lesson.script_entry(step.entry)


def test_a_re_exported_step_is_read_from_its_layer_module_without_importing_it():
    before = set(sys.modules)
    found, takes_any = parameters(_entry("sklearn-iris", "train"))
    assert not takes_any
    assert [(p.name, p.annotation, p.default) for p in found][:2] == [
        ("config", "str | None", None),
        ("n_estimators", "int | None", None),
    ]
    assert not {"sklearn", "bentoml", "torch"} & (set(sys.modules) - before)


def test_unknown_names_and_wrong_types_are_named_with_what_is_allowed():
    entry = _entry("bentoml-serving", "serve-and-call")
    assert parameter_problems(entry, {"hold_s": 5, "startup_timeout_s": 30.5}) == []
    problems = parameter_problems(entry, {"nonsense": 1, "hold_s": "soon", "startup_timeout_s": True})
    assert problems == [
        "unknown parameter 'nonsense'; this step takes: startup_timeout_s, hold_s",
        'hold_s: expected float, got "soon" (str)',
        "startup_timeout_s: expected float, got true (bool)",
    ]


def test_a_required_parameter_must_come_from_the_lesson_or_the_command_line(tmp_path):
    script = tmp_path / "steps.py"
    script.write_text("def greet(name: str, times: int = 2) -> dict:\n    return {}\n")
    found, _ = parameters(f"{script}:greet")
    assert found[0].default is NO_DEFAULT and found[1].default == 2
    assert parameter_problems(f"{script}:greet", {}) == ["parameter 'name' is required (str)"]
    assert parameter_problems(f"{script}:greet", {}, {"name": "Ada"}) == []


def test_bad_params_exit_2_before_any_step_runs(tmp_path):
    for pair, words in (
        ("nonsense=1", "unknown parameter 'nonsense'; this step takes: config, n_estimators"),
        ("n_estimators=abc", 'n_estimators: expected int | None, got "abc" (str)'),
    ):
        done = run_cli("--lesson", "sklearn-iris", "--step", "train", "--param", pair, home=tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        assert words in done.stderr
        assert not (tmp_path / "progress.json").exists()  # nothing ran, nothing was recorded


def test_the_layer_files_a_lesson_script_imports_are_what_its_readme_must_name(tmp_path):
    """`lessons check` asks each README to name the layer code its steps run: modules by file, packages by folder,
    each once, plumbing (events, configs...), the standard library and relative imports left out."""
    from workbench.curriculum.lesson_check import layer_files_of

    script = tmp_path / "steps.py"
    script.write_text(
        "import json\n"
        "from shared import events\n"
        "from shared.configs.repository import REPO_ROOT\n"
        "from application.training.iris_training import train\n"
        "import application.inference.iris_requests\n"
        "from application.training import iris_training\n"
        "from . import neighbour\n"
        "def later():\n"
        "    from application.training.iris_training import train as again\n"
        "    from infrastructure.deployment import local_server\n"
    )
    assert layer_files_of(script) == [
        "application/training/iris_training.py",
        "application/inference/iris_requests.py",
        "application/training",
        "infrastructure/deployment",
    ]
    script.write_text("def broken(:\n")
    assert layer_files_of(script) == []
