from workbench.runner.child.checks import evaluate


def test_a_metric_at_the_threshold_passes_and_says_what_was_measured():
    passed, lines = evaluate([{"output": "test_accuracy", "min": 0.9}], {"test_accuracy": 0.9})
    assert passed
    assert lines == ["test_accuracy = 0.9 (≥ 0.9)"]


def test_a_metric_below_the_threshold_fails_with_value_and_expectation():
    passed, lines = evaluate([{"output": "test_accuracy", "min": 0.9}], {"test_accuracy": 0.71})
    assert not passed
    assert lines == ["test_accuracy = 0.71, expected ≥ 0.9"]


def test_every_check_must_hold():
    checks = [{"output": "faults_missed", "max": 0}, {"output": "faults_caught", "min": 3}]
    passed, lines = evaluate(checks, {"faults_missed": 0, "faults_caught": 2})
    assert not passed
    assert "faults_caught = 2, expected ≥ 3" in lines


def test_a_missing_output_fails_and_lists_what_the_step_did_produce():
    passed, lines = evaluate([{"output": "accuracy", "min": 0.5}], {"loss": 0.2})
    assert not passed
    assert "not produced by the step (outputs: loss)" in lines[0]


def test_equals_and_non_numbers():
    assert evaluate([{"output": "validated", "equals": True}], {"validated": True})[0]
    assert not evaluate([{"output": "validated", "equals": True}], {"validated": False})[0]
    passed, lines = evaluate([{"output": "tag", "min": 1}], {"tag": "abc"})
    assert not passed and "expected a number" in lines[0]
