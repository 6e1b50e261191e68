"""The kubernetes-manifests and ci-pipeline lessons: generated files valid offline, broken ones rejected, CI's command run."""

from __future__ import annotations

import copy
import json
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from infrastructure.cicd.github_actions import workflow_validation
from infrastructure.deployment.containers.kubernetes import manifests, schema_validation

pytestmark = pytest.mark.slow
NO_NETWORK = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network access attempted during an offline check")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
"""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("network access attempted during an offline check")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def steps_of(result, lesson_id: str) -> dict[str, dict]:
    lessons = {lesson["id"]: lesson for lesson in result.json()["lessons"]}
    return {step["id"]: step for step in lessons[lesson_id]["steps"]}


# ---- kubernetes-manifests -------------------------------------------------------------------------


def test_the_repository_copy_is_what_the_generator_writes():
    assert manifests.REPOSITORY_COPY.read_text() == manifests.render(), (
        "iris-service.yaml is out of date: regenerate it with "
        "python -c 'from infrastructure.deployment.containers.kubernetes.manifests import render; print(render(), end=\"\")'"
        " > infrastructure/deployment/containers/kubernetes/iris-service.yaml"
    )


def test_the_manifests_validate_offline_and_hold_the_security_settings(no_network):
    documents = manifests.load(manifests.REPOSITORY_COPY)
    assert [d["kind"] for d in documents] == ["Deployment", "Service", "HorizontalPodAutoscaler"]
    assert documents[2]["apiVersion"] == "autoscaling/v2"
    for doc in documents:
        assert schema_validation.schema_check(doc, schema_validation.KUBERNETES_VERSION) is None, doc["kind"]
    assert manifests.policy_problems(documents) == []
    pod = documents[0]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert set(container["resources"]) == {"requests", "limits"}


def test_a_broken_deployment_is_rejected_with_the_field_and_the_reason(no_network):
    deployment = manifests.deployment(manifests.Settings())
    broken = copy.deepcopy(deployment)
    broken["spec"]["replicas"] = "three"
    assert schema_validation.schema_check(broken, "1.33.0") == "spec.replicas: 'three' is not of type 'integer', 'null'"
    unlocked = copy.deepcopy(deployment)
    del unlocked["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    del unlocked["spec"]["template"]["spec"]["securityContext"]
    problems = manifests.policy_problems([unlocked])
    assert any("runAsNonRoot" in p for p in problems) and any("readOnlyRootFilesystem" in p for p in problems)
    with pytest.raises(ValueError, match="replicas=3, max_replicas=2"):
        manifests.manifests(manifests.Settings(replicas=3, max_replicas=2))


def test_the_kubernetes_lesson_passes_and_shows_the_schema_messages(cli, home):
    result = cli("--lesson", "kubernetes-manifests", "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    steps = steps_of(result, "kubernetes-manifests")
    assert [s["status"] for s in steps.values()] == ["passed"] * 3, {k: s["summary"] for k, s in steps.items()}
    assert "spec.replicas: 'three' is not of type 'integer'" in result.stderr
    assert "Additional properties are not allowed ('replica' was unexpected)" in result.stderr
    generated = home / "artifacts" / "kubernetes-manifests" / "generate" / "iris-service.yaml"
    assert generated.read_text() == manifests.REPOSITORY_COPY.read_text()


# ---- ci-pipeline ----------------------------------------------------------------------------------


def _check_jsonschema_offline(path) -> subprocess.CompletedProcess:
    code = NO_NETWORK + "import sys; from check_jsonschema import main; sys.argv[0] = 'check-jsonschema'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "--builtin-schema", "vendor.github-workflows", "-o", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_workflow_is_valid_with_no_network_and_a_broken_one_is_not(tmp_path):
    done = _check_jsonschema_offline(workflow_validation.WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["status"] == "ok"
    broken = tmp_path / "broken.yml"
    broken.write_text(workflow_validation.WORKFLOW.read_text().replace("    runs-on: ubuntu-24.04\n", "", 1))
    done = _check_jsonschema_offline(broken)
    assert done.returncode == 1 and "'runs-on' is a required property" in done.stdout
    assert workflow_validation.schema_errors(broken) == ["$.jobs.test: 'runs-on' is a required property"]


def test_the_workflow_runs_the_tests_and_uploads_the_junit_report():
    import yaml

    workflow = yaml.safe_load(workflow_validation.WORKFLOW.read_text())
    problems, found = workflow_validation.pipeline_problems(workflow)
    assert problems == [] and all(found.values()), found
    assert workflow["permissions"] == {"contents": "read"}


def test_the_ci_lesson_runs_the_headless_command_into_its_artifact_folder(cli, home):
    result = cli("--lesson", "ci-pipeline", "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    steps = steps_of(result, "ci-pipeline")
    assert [s["status"] for s in steps.values()] == ["passed"] * 3, {k: s["summary"] for k, s in steps.items()}
    report = home / "artifacts" / "ci-pipeline" / "run-headless" / "report.xml"
    cases = ET.parse(report).getroot().findall(".//testcase")
    assert [c.get("name") for c in cases] == ["profile", "split-drift", "catch-corruption"]
    assert all(c.find("failure") is None for c in cases)
    progress = json.loads((home / "progress.json").read_text())
    assert "data-quality" in json.dumps(progress)  # the nested run used the same workbench home
    assert "$.jobs.test: 'runs-on' is a required property" in result.stderr
