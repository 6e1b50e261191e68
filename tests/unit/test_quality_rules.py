from domain.data.pipelines.corruption import FAULTS, corrupt
from domain.data.quality.iris_quality import run_quality_checks
from domain.data.sources.iris_source import load_iris_dataset


def test_real_iris_passes_every_rule():
    assert run_quality_checks(load_iris_dataset()) == []


def test_each_injected_fault_is_caught_by_its_rule():
    damaged, injected = corrupt(load_iris_dataset())
    assert injected == list(FAULTS)
    rules = {issue.rule for issue in run_quality_checks(damaged)}
    assert rules == set(FAULTS)


def test_a_schema_change_is_caught_before_anything_else():
    data = load_iris_dataset()
    renamed = type(data)(data.features, data.labels, ("a", "b", "c", "d"), data.class_names, "renamed")
    issues = run_quality_checks(renamed)
    assert [i.rule for i in issues] == ["schema"]
