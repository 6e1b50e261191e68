"""Real MLflow with the embedded SQLite store under a temporary workbench home."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def bentoml_metadata(home, tag: str) -> dict:
    code = f"import bentoml, json; print(json.dumps(bentoml.models.get({tag!r}).info.metadata))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"BENTOML_HOME": str(home / "bentoml"), "BENTOML_DO_NOT_TRACK": "True", "PATH": "/usr/bin:/bin"},
    )
    return json.loads(out.stdout)


def test_sklearn_iris_is_recorded_with_params_metrics_and_tags(validated_home, cli):
    """Read back from the session's validated home, where model-validation ran sklearn-iris (tracked) first."""
    home = validated_home
    listing = cli("runs", "--json")
    assert listing.returncode == 0, listing.stderr
    document = listing.json()
    assert document["tracking_uri"] == f"sqlite:///{home}/mlflow/mlflow.db"
    [run] = [r for r in document["runs"] if r["lesson"] == "sklearn-iris"]
    assert run["status"] == "FINISHED" and run["step"] == "train"
    assert run["params"]["config.n_estimators"] == "100"  # from the config artifact
    # an argument left at None ("use the config's value") is not a parameter: no "n_estimators": "None" beside it
    assert "None" not in run["params"].values(), run["params"]
    assert run["metrics"]["test_accuracy"] >= 0.9
    assert run["tags"]["entry_point"] == "application.training.iris_training:train"
    assert len(run["tags"].get("git_commit", "")) in (0, 40)
    history = cli("runs", "--json", "--lesson", "sklearn-iris")
    assert [r["run_id"] for r in history.json()["runs"]] == [run["run_id"]]
    artifacts = list((home / "mlflow" / "artifacts" / "sklearn-iris").rglob("confusion_matrix.json"))
    assert len(artifacts) == 1


def test_the_sweep_registers_the_best_model_and_hands_it_to_the_bentoml_store(cli, home):
    result = cli("--lesson", "experiment-tracking", "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    lessons = {l["id"]: l for l in result.json()["lessons"]}
    sweep = lessons["experiment-tracking"]["steps"][0]
    assert sweep["passed"], sweep["summary"]
    assert "registered as iris_classifier v1" in sweep["summary"]
    runs = cli("runs", "--json", "--lesson", "experiment-tracking").json()["runs"]
    trials = [r for r in runs if r["tags"].get("kind") == "trial"]
    parents = [r for r in runs if r["tags"].get("kind") == "sweep"]
    assert len(trials) == 9 and len(parents) == 1
    assert all(t["parent_run_id"] == parents[0]["run_id"] for t in trials)
    best = max(trials, key=lambda t: t["metrics"]["test_accuracy"])
    assert parents[0]["metrics"]["best_test_accuracy"] == best["metrics"]["test_accuracy"]
    # The model serving will read carries its MLflow lineage.
    model_tag = next(line for line in result.stderr.splitlines() if "BentoML model store: iris_classifier:" in line)
    tag = model_tag.split("BentoML model store: ")[1].split(" ")[0]
    metadata = bentoml_metadata(home, tag)
    assert metadata["mlflow_model_version"] == 1
    assert metadata["mlflow_run_id"] == parents[0]["tags"]["best_run_id"]


def test_an_unreachable_tracking_server_warns_once_and_keeps_the_run_locally(cli, home):
    result = cli("--lesson", "sklearn-iris", "--plain", env={"MLFLOW_TRACKING_URI": "http://127.0.0.1:9"})
    assert result.returncode == 0, result.stdout[-3000:]
    assert result.stdout.count("MLflow tracking server http://127.0.0.1:9 is unreachable") == 1
    assert "kept in the local store" in result.stdout
    local = cli("runs", "--json").json()["runs"]
    assert [r["lesson"] for r in local] == ["sklearn-iris"]
