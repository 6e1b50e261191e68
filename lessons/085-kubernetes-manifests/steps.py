"""The kubernetes-manifests lesson's steps: generate the manifests, validate them offline, see broken ones rejected.

Validation uses kubernetes-validate: the Kubernetes API's JSON schemas ship
inside that package (one folder per Kubernetes version), so nothing is
downloaded and no cluster is needed. Strict mode also rejects fields the API
does not know (a misspelt ``replica:`` would otherwise be silently ignored).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from infrastructure.deployment.containers.kubernetes import manifests
from infrastructure.deployment.containers.kubernetes.schema_validation import KUBERNETES_VERSION, schema_check
from shared import events
from shared.configs.workbench_home import artifacts_dir, step_artifacts_dir
from shared.utils.atomic_files import write_text_atomic

LESSON = "kubernetes-manifests"
MANIFEST_FILE = "iris-service.yaml"


def _kn(doc: dict[str, Any]) -> str:
    return f"{str(doc.get('kind', '?')).lower()}/{(doc.get('metadata') or {}).get('name', '?')}"


def generate(
    image: str = manifests.IMAGE, replicas: int = 2, max_replicas: int = 6, target_cpu_percent: int = 70, namespace: str = ""
) -> dict[str, Any]:
    """``image``: only its name is needed here (the cluster pulls it); push it to a registry the cluster can reach."""
    settings = manifests.Settings(
        image=image, replicas=replicas, max_replicas=max_replicas, target_cpu_percent=target_cpu_percent, namespace=namespace
    )
    documents = manifests.manifests(settings)
    text = manifests.render(documents)
    target = write_text_atomic(step_artifacts_dir() / MANIFEST_FILE, text)
    events.log(f"wrote {target} ({len(documents)} resources):")
    for line in text.splitlines():
        events.log(f"  {line}")
    events.artifact("manifest", str(target), "kubectl apply -f this file on a cluster")
    problems = manifests.policy_problems(documents)
    for problem in problems:
        events.log(f"policy: {problem}")
    same = manifests.REPOSITORY_COPY.is_file() and manifests.REPOSITORY_COPY.read_text() == text
    events.log(
        f"policy checks (limits, probes, non-root, read-only root, no privilege escalation, tagged image): "
        f"{len(problems)} problems; identical to {manifests.REPOSITORY_COPY.name} in the repository: {same}"
    )
    return {
        "resources": len(documents),
        "kinds": ", ".join(doc["kind"] for doc in documents),
        "policy_problems": len(problems),
        "matches_repository_copy": same,
        "summary": f"{', '.join(_kn(doc) for doc in documents)}; {len(problems)} policy problems",
    }


def _manifest_to_validate(manifest: str) -> Path:
    if manifest:
        return Path(manifest)
    generated = artifacts_dir(LESSON, "generate") / MANIFEST_FILE
    if generated.is_file():
        return generated
    events.log(f"no generated manifest at {generated} (the step 'generate' has not run): validating the repository copy")
    return manifests.REPOSITORY_COPY


def validate(manifest: str = "", kubernetes_version: str = KUBERNETES_VERSION, strict: bool = True) -> dict[str, Any]:
    """``manifest``: a YAML file to validate instead of the generated one."""
    import kubernetes_validate

    path = _manifest_to_validate(manifest)
    documents = manifests.load(path)
    if not documents:
        raise RuntimeError(f"{path}: no YAML documents in it")
    events.log(
        f"$ kubernetes-validate{' --strict' if strict else ''} -k {kubernetes_version} {path}   "
        f"(kubernetes-validate {kubernetes_validate.version.__version__}; schemas ship in the package: offline)"
    )
    valid = 0
    for number, doc in enumerate(documents, 1):
        if not isinstance(doc, dict) or "apiVersion" not in doc or "kind" not in doc:
            events.log(f"ERROR {path} document {number}: not a Kubernetes resource (needs apiVersion and kind)")
            continue
        problem = schema_check(doc, kubernetes_version, strict)
        if problem is None:
            valid += 1
            events.log(f"INFO {path.name}: {_kn(doc)} ({doc['apiVersion']}) is valid against Kubernetes {kubernetes_version}")
        else:
            events.log(f"ERROR {path.name}: {_kn(doc)} did not validate against Kubernetes {kubernetes_version}: {problem}")
        events.progress(number, len(documents), _kn(doc))
    invalid = len(documents) - valid
    resources = [doc for doc in documents if isinstance(doc, dict) and isinstance(doc.get("spec"), dict)]
    problems = manifests.policy_problems([doc for doc in resources if isinstance(doc["spec"].get("template"), dict)])
    for problem in problems:
        events.log(f"policy (not the schema's business): {problem}")
    return {
        "valid": valid,
        "invalid": invalid,
        "policy_problems": len(problems),
        "kubernetes_version": kubernetes_version,
        "summary": f"{valid} of {len(documents)} resources valid against Kubernetes {kubernetes_version}",
    }


def _broken_variants() -> dict[str, tuple[str, dict[str, Any]]]:
    good = manifests.deployment(manifests.Settings())

    def variant(change) -> dict[str, Any]:
        doc = copy.deepcopy(good)
        change(doc)
        return doc

    container = lambda doc: doc["spec"]["template"]["spec"]["containers"][0]  # noqa: E731
    return {
        "replicas as a word": ('spec.replicas: "three"', variant(lambda d: d["spec"].__setitem__("replicas", "three"))),
        "a misspelt field": (
            "spec.replica: 2 (no s)",
            variant(lambda d: d["spec"].__setitem__("replica", d["spec"].pop("replicas"))),
        ),
        "a container without a name": ("containers[0] has no name", variant(lambda d: container(d).pop("name"))),
        "a port as text": (
            'containerPort: "http"',
            variant(lambda d: container(d)["ports"][0].__setitem__("containerPort", "http")),
        ),
        "no selector": ("spec.selector missing", variant(lambda d: d["spec"].pop("selector"))),
    }


def reject_broken(kubernetes_version: str = KUBERNETES_VERSION) -> dict[str, Any]:
    """Break the Deployment in five ways; the schema must reject each, and its message says where and why."""
    folder = step_artifacts_dir()
    rejected, accepted = 0, []
    for number, (name, (change, doc)) in enumerate(_broken_variants().items(), 1):
        path = write_text_atomic(folder / f"broken-{number}.yaml", manifests.render([doc]))
        problem = schema_check(doc, kubernetes_version, strict=True)
        if problem is None:
            accepted.append(name)
            events.log(f"✘ {name} ({change}): ACCEPTED — {path.name} should have been rejected")
        else:
            rejected += 1
            events.log(f"✔ {name} ({change}): rejected — {problem}")
    events.log(
        f"the broken files are in {folder}; try: kubernetes-validate --strict -k {kubernetes_version} {folder}/broken-1.yaml"
    )
    return {
        "rejected": rejected,
        "accepted_broken": len(accepted),
        "summary": f"{rejected} broken manifests rejected by the schema"
        + (f"; accepted: {', '.join(accepted)}" if accepted else ""),
    }
