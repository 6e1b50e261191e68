"""Pilot tests: drive the app as a learner does and check what the screen shows."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable, Label, ListView

from tests.tui.conftest import lessons_loaded, process_group_members, wait_for
from workbench.tui.screens.home_screen import LayerBox, LessonItem
from workbench.tui.screens.lesson_screen import LessonScreen
from workbench.tui.widgets.log_panel import LogPanel
from workbench.tui.widgets.metrics_panel import MetricsPanel

SIZE = (150, 45)


def cell_text(table: DataTable, row: str, column: str) -> str:
    value = table.get_cell(row, column)
    return getattr(value, "plain", str(value))


async def test_home_shows_the_four_layers_with_their_lessons(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        boxes = {box.layer_name: box for box in app.screen.query(LayerBox)}
        assert set(boxes) == {"domain", "application", "infrastructure", "shared"}
        assert [i.lesson_id for i in boxes["application"].query(LessonItem)] == [
            "sklearn-iris",
            "experiment-tracking",
            "model-validation",
            "distributed-training",
            "bentoml-serving",
        ]
        assert [i.lesson_id for i in boxes["domain"].query(LessonItem)] == [
            "data-quality",
            "pytorch-digits",
            "keras-digits",
            "llm-zero-shot",
            "nlp-fine-tune",
            "gpt-from-scratch",
            "speech-to-text",
        ]
        assert [i.lesson_id for i in boxes["infrastructure"].query(LessonItem)] == [
            "monitoring",
            "docker-build",
            "kubernetes-manifests",
            "ci-pipeline",
        ]
        assert [i.lesson_id for i in boxes["shared"].query(LessonItem)] == ["gpu-health"]
        assert f"0/{len(app.curriculum.lessons)} lessons passed" in str(app.screen.query_one("#overall-label", Label).render())
        # A fresh home starts on the first lesson of the curriculum, and says so.
        assert "start here: gpu-health" in str(app.screen.query_one("#overall-label", Label).render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson.id == "gpu-health"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LessonScreen)


@pytest.mark.slow
async def test_running_sklearn_iris_streams_the_log_shows_accuracy_and_persists(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson("sklearn-iris")
        await pilot.pause()
        screen = app.screen
        steps = screen.query_one("#steps", DataTable)
        await pilot.press("r")
        await wait_for(pilot, lambda: "passed" in cell_text(steps, "train", "state"), 90, "the train step to pass")
        lines = list(screen.query_one(LogPanel).lines)
        assert any(line.startswith("PASS sklearn-iris/train") for line in lines)
        assert any("saved iris_classifier:" in line for line in lines)
        assert screen.query_one(MetricsPanel).latest("test_accuracy") >= 0.9
        assert len(screen.query_one(MetricsPanel).series["test_accuracy"]) == 10  # one point per round of trees
        artifacts = screen.query_one("#artifacts", DataTable)
        kinds = [cell_text(artifacts, row.key, "kind") for row in artifacts.ordered_rows]
        assert "model" in kinds and kinds.count("report") == 2
        commands = "\n".join(screen.query_one("#commands").lines)
        assert "$ mlops-workbench --lesson sklearn-iris --step train" in commands
        assert "cd lessons/020-sklearn-iris && python -c 'from steps import train" in commands
    # Quit and reopen: the state is still there.
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        item = next(i for i in again.screen.query(LessonItem) if i.lesson_id == "sklearn-iris")
        assert "✔" in str(item.query_one(Label).render())
        again.open_lesson("sklearn-iris")
        await pilot.pause()
        assert "passed" in cell_text(again.screen.query_one("#steps", DataTable), "train", "state")


@pytest.mark.slow
async def test_cancel_ends_every_child_process_within_3_seconds(validated_home, make_app, lessons_copy):
    toml = lessons_copy / "030-model-validation" / "lesson.toml"
    toml.write_text(toml.read_text().replace("latency_samples = 1000", "latency_samples = 50000000"))
    app = make_app(lessons_copy)
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson("model-validation")
        await pilot.pause()
        screen = app.screen
        await pilot.press("r")
        steps = screen.query_one("#steps", DataTable)
        await wait_for(pilot, lambda: "running" in cell_text(steps, "validate", "state"), 120, "validate to start")
        await wait_for(pilot, lambda: any("timing" in l for l in screen.query_one(LogPanel).lines), 60, "timing to start")
        [run] = [r for r in screen.active_runs if r.request.step_id == "validate"]
        assert process_group_members(run.pid), "the step should be running"
        await pilot.press("x")
        await wait_for(pilot, lambda: "cancelled" in cell_text(steps, "validate", "state"), 3.0, "the step to be cancelled")
        assert process_group_members(run.pid) == []
        assert not screen.running
        assert "cancelled" in str(screen.query_one("#run-status", Label).render())


@pytest.mark.slow  # a real sklearn-iris step child (imports scikit-learn and MLflow) that fails on its parameter
async def test_a_crashing_step_shows_its_reason_in_the_ui(make_app, lessons_copy):
    toml = lessons_copy / "020-sklearn-iris" / "lesson.toml"
    toml.write_text(toml.read_text().replace("params = {}", "params = { n_estimators = -5 }"))
    app = make_app(lessons_copy)
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson("sklearn-iris")
        await pilot.pause()
        await pilot.press("r")
        steps = app.screen.query_one("#steps", DataTable)
        await wait_for(pilot, lambda: "failed" in cell_text(steps, "train", "state"), 60, "the step to fail")
        status = str(app.screen.query_one("#run-status", Label).render())
        assert "n_estimators: expected a value from 1 to 5000, got -5" in status


async def test_log_filter_and_save(make_app, home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson("data-quality")
        await pilot.pause()
        screen = app.screen
        panel = screen.query_one(LogPanel)
        panel.write_lines(["alpha one", "beta two", "alpha three"])
        await pilot.press("slash")
        await pilot.press(*"alpha", "enter")
        await pilot.pause()
        assert list(panel.log_widget.lines) == ["alpha one", "alpha three", ""]
        assert panel.log_widget.highlight and panel.log_widget.highlighter.query == "alpha"
        rendered = panel.log_widget.render_line(0)
        assert any("reverse" in str(segment.style) for segment in rendered if segment.text.startswith("alpha"))
        await pilot.press("s")
        await pilot.pause()
        [saved] = list((home / "logs").glob("data-quality-*.log"))
        assert saved.read_text().splitlines() == ["alpha one", "beta two", "alpha three"]


async def test_broken_lessons_show_on_the_map_and_explain_themselves(make_app, lessons_copy):
    toml = lessons_copy / "015-data-quality" / "lesson.toml"
    toml.write_text(toml.read_text().replace("timeout_s = 120", "timeout_s = -1", 1))
    app = make_app(lessons_copy)
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        item = next(i for i in app.screen.query(LessonItem) if i.lesson_id == "data-quality")
        assert "broken" in str(item.query_one(Label).render())
        app.screen.query_one("#lessons-domain", ListView).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, LessonScreen)
        messages = [n.message for n in app._notifications]
        assert any("steps[0] (id 'profile').timeout_s" in m for m in messages)


@pytest.mark.slow
async def test_runs_screen_lists_runs_and_compares_two(validated_home, validated_model_home, make_app):
    from tests.conftest import run_cli
    from workbench.tui.screens.runs_screen import RunsScreen

    # The session's validated home holds one tracked sklearn-iris run; a second one to compare it with:
    template = sorted(validated_model_home.rglob("*"))
    result = run_cli("--lesson", "sklearn-iris", "--json", home=validated_home)
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(validated_model_home.rglob("*")) == template, "a run in a copy wrote into the shared validated home"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        await pilot.press("e")
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        await wait_for(pilot, lambda: len(screen.runs) == 2, 60, "the runs to load")
        table = screen.query_one("#runs", DataTable)
        assert table.row_count == 2
        assert {cell_text(table, row.key, "lesson") for row in table.ordered_rows} == {"sklearn-iris"}
        await pilot.press("space", "down", "space", "c")
        compare = screen.query_one("#compare-table", DataTable)
        await wait_for(pilot, lambda: len(compare.columns) == 3, 60, "the comparison")
        assert "test_accuracy" in compare.rows
        assert screen.metric_names and "test_accuracy" in screen.metric_names
        # A filter that matches nothing empties the table.
        await pilot.press("slash", *"nomatch", "enter")
        assert table.row_count == 0


@pytest.mark.slow
async def test_a_learner_types_their_own_text_and_labels_before_running(make_app):
    from textual.widgets import TextArea

    from workbench.tui.screens.params_dialog import ParamsDialog

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        app.open_lesson("llm-zero-shot")
        await pilot.pause()
        screen = app.screen
        await pilot.press("down", "p")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ParamsDialog)
        dialog.query_one(TextArea).text = "not json"
        await pilot.press("ctrl+s")
        assert "not valid JSON" in str(dialog.query_one("#params-error").render())
        dialog.query_one(TextArea).text = '{"texts": ["The goalie saved it"], "labels": ["sports", "cooking"]}'
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("r")
        steps = screen.query_one("#steps", DataTable)
        await wait_for(pilot, lambda: "passed" in cell_text(steps, "your-text", "state"), 120, "your text to be classified")
        lines = list(screen.query_one(LogPanel).lines)
        assert "“The goalie saved it”" in lines
        assert any(line.strip().startswith("cooking") for line in lines)


@pytest.mark.slow
async def test_exercise_turns_passed_on_save_without_a_key_press(make_app, home):
    import shutil

    from textual.widgets import Static

    from workbench.tui.screens.exercise_screen import ExerciseScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        app.open_exercise("p95-latency")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen)
        status = screen.query_one("#exercise-status", Static)
        await wait_for(pilot, lambda: "not yet" in str(status.render()), 60, "the first check")
        assert "expected 50.000 ms" in str(status.render())
        assert str(screen.query_one("#exercise-solution", Static).render()).strip() == ""  # not before passing
        await pilot.press("h")
        assert "hint 1/3" in str(screen.query_one("#exercise-hints", Static).render())
        lesson = app.curriculum.get("model-validation")
        shutil.copyfile(lesson.folder / "exercises/solutions/latency_gate.py", screen.path)  # the learner saves
        await wait_for(pilot, lambda: "passed" in str(status.render()), 60, "the check to re-run on save")
        assert "np.percentile" in str(screen.query_one("#exercise-solution", Static).render())
        assert app.progress.exercise_status("p95-latency") == "passed"


async def test_ctrl_l_switches_to_traditional_chinese_and_the_choice_is_remembered(make_app, home):
    from workbench import i18n

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        await pilot.press("ctrl+l")
        await lessons_loaded(pilot)
        label = str(app.screen.query_one("#overall-label", Label).render())
        assert f"0/{len(app.curriculum.lessons)} 堂課通過" in label
        boxes = {box.layer_name: box for box in app.screen.query(LayerBox)}
        assert boxes["application"].border_title == "application · 應用層"
        footer = {b.binding.description for b in app.screen.active_bindings.values()}
        assert {"下一層", "離開", "服務"} <= footer
    assert json.loads((home / "settings.json").read_text()) == {"language": "zh-TW"}
    i18n.set_language("en")
    again = make_app()  # a new start reads the saved choice; --lang would still win
    async with again.run_test(size=SIZE) as pilot:
        await lessons_loaded(pilot)
        assert i18n.language() == "zh-TW"
        await pilot.press("ctrl+l")
        await lessons_loaded(pilot)
        assert f"0/{len(again.curriculum.lessons)} lessons passed" in str(
            again.screen.query_one("#overall-label", Label).render()
        )
