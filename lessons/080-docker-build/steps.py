"""The docker-build lesson's steps: lint the Dockerfile, prepare the context, build, inspect, run and call the image.

    lint     hadolint on infrastructure/deployment/containers/docker/Dockerfile (zero findings), and on a bad example
    prepare  the build context under <home>/docker/context (build_context.py)
    build    docker SDK, classic builder, no network inside the build; every build line goes to the log
    inspect  size, layer history, user and health check of the image
    run      the container on 127.0.0.1:<free port>, read-only root, healthy, one real prediction, removed afterwards

Every step but ``lint`` needs a Docker Engine: without one they are skipped
with the reason (a failure when WORKBENCH_REQUIRE_DOCKER=1).
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from application.inference.iris_requests import GOOD_ROWS
from infrastructure.deployment.containers.docker import build_context, engine
from infrastructure.deployment.containers.docker.hadolint import hadolint, hadolint_binary
from infrastructure.deployment.containers.docker.images import CONTAINER_PORT, IMAGE, choose_base_image, numeric_non_root
from shared import events
from shared.configs.workbench_home import step_artifacts_dir
from shared.utils.atomic_files import write_text_atomic
from shared.utils.local_http import is_ready, post
from shared.utils.local_network import free_local_port, nothing_listens

BAD_DOCKERFILE = """\
FROM python:latest
RUN apt-get update && apt-get install -y curl
RUN pip install bentoml scikit-learn
ADD . /app
WORKDIR /app
CMD bentoml serve application.inference.iris_service:IrisService
"""
STEP_LINE = re.compile(r"^Step (\d+)/(\d+) : (.*)")


# ---- lint -------------------------------------------------------------------------------------


def lint(dockerfile: str = "", show_bad_example: bool = True) -> dict[str, Any]:
    """``dockerfile``: a path to lint instead of the project's (relative to the repository root or absolute)."""
    target = Path(dockerfile) if dockerfile else build_context.DOCKERFILE
    if not target.is_absolute():
        target = build_context.REPO_ROOT / target
    if not target.is_file():
        raise RuntimeError(f"dockerfile parameter: {target} is not a file")
    version = subprocess.run([hadolint_binary(), "--version"], capture_output=True, text=True).stdout.strip()
    events.log(
        f"$ hadolint {target.relative_to(build_context.REPO_ROOT) if target.is_relative_to(build_context.REPO_ROOT) else target}"
        f"   ({version})"
    )
    findings = hadolint(target)
    for finding in findings:
        events.log(f"  line {finding['line']}: {finding['code']} [{finding['level']}] {finding['message']}")
    events.log(f"{len(findings)} findings" + (" — clean" if not findings else ""))
    events.artifact("dockerfile", str(target), "the Dockerfile the build step uses")
    outputs: dict[str, Any] = {"findings": len(findings)}
    if show_bad_example:
        bad = write_text_atomic(step_artifacts_dir() / "Dockerfile.bad-example", BAD_DOCKERFILE)
        events.log("")
        events.log(f"for comparison, a Dockerfile written the quick way ({bad}):")
        for number, line in enumerate(BAD_DOCKERFILE.splitlines(), 1):
            events.log(f"  {number:>2} | {line}")
        bad_findings = hadolint(bad)
        for finding in bad_findings:
            events.log(f"  line {finding['line']}: {finding['code']} [{finding['level']}] {finding['message']}")
        events.log(f"{len(bad_findings)} findings: unpinned base and packages, a cache left in the image, ADD, shell-form CMD…")
        outputs["bad_example_findings"] = len(bad_findings)
    outputs["summary"] = f"{len(findings)} hadolint findings in the project's Dockerfile"
    return outputs


# ---- prepare ------------------------------------------------------------------------------------


def prepare(model_tag: str = "") -> dict[str, Any]:
    """``model_tag``: the model to put in the image (default: the newest validated iris_classifier)."""
    client = engine.connect("preparing a build context")
    client.close()
    events.status("assembling the build context")
    context = build_context.prepare_context(model_tag=model_tag or None, say=events.log)
    events.metric("wheels", context.wheel_count)
    events.metric("wheelhouse_mb", round(context.wheelhouse_mb, 1))
    events.metric("wheelhouse_reused", int(context.wheelhouse_reused))
    events.artifact("build-context", str(context.path), "Dockerfile, requirements.lock, wheels/, model/, app/")
    return {
        "context_ready": (context.path / "Dockerfile").is_file() and context.wheel_count > 0,
        "model_tag": context.model_tag,
        "wheels": context.wheel_count,
        "wheelhouse_reused": context.wheelhouse_reused,
        "app_files": context.app_files,
        "summary": f"{context.wheel_count} wheels ({context.wheelhouse_mb:.0f} MB, "
        f"{'reused' if context.wheelhouse_reused else 'downloaded'}), model {context.model_tag}",
    }


# ---- build --------------------------------------------------------------------------------------


def build(image: str = IMAGE, base_image: str = "", no_cache: bool = False) -> dict[str, Any]:
    """``base_image``: FROM for both stages (default: python:3.11-slim if present, else the local bookworm image)."""
    client = engine.connect("building the image")
    events.log(engine_line := engine.engine_summary(client))
    context, model_tag = build_context.prepared_context()
    base, why = choose_base_image(client, base_image)
    events.log(f"base image: {base} ({why})")
    version = model_tag.split(":", 1)[1]
    tag = f"{image}:{version}"
    buildargs = {"BASE_IMAGE": base, "MODEL_TAG": model_tag}
    events.log(
        "$ DOCKER_BUILDKIT=0 docker build --network none "
        + " ".join(f"--build-arg {k}={v}" for k, v in buildargs.items())
        + f" -t {tag} {context}"
    )
    events.status(f"building {tag}")
    started = time.perf_counter()
    image_id, cached, error = None, 0, None
    for chunk in client.api.build(
        path=str(context),
        tag=tag,
        decode=True,
        rm=True,
        forcerm=True,
        buildargs=buildargs,
        network_mode="none",
        nocache=no_cache,
        labels={"mlops-workbench.image": "iris-service"},
    ):
        if "stream" in chunk:
            for line in chunk["stream"].splitlines():
                if not line.strip():
                    continue
                events.log(f"[build] {line}")
                step = STEP_LINE.match(line)
                if step:
                    events.progress(int(step.group(1)) - 1, int(step.group(2)), step.group(3)[:60])
                cached += "Using cache" in line
        if "aux" in chunk and "ID" in chunk["aux"]:
            image_id = chunk["aux"]["ID"]
        if "error" in chunk:
            error = chunk.get("errorDetail", {}).get("message") or chunk["error"]
            events.log(f"[build] ERROR {error}")
    seconds = time.perf_counter() - started
    if error or not image_id:
        raise RuntimeError(f"docker build of {tag} failed after {seconds:.0f} s: {error or 'no image id in the output'}")
    built = client.images.get(image_id)
    built.tag(image, "latest")
    engine.prune_old_images(client, image, say=events.log)
    events.progress(1, 1, "built")
    events.metric("build_seconds", round(seconds, 1))
    events.artifact(
        "image", f"{tag} ({image_id[7:19]})", f"also tagged {image}:latest; run it: docker run -p 127.0.0.1:3000:3000 {tag}"
    )
    events.log(f"built {tag} = {image}:latest ({image_id[7:19]}) in {seconds:.1f} s, {cached} steps from the cache")
    return {
        "image_built": True,
        "image": tag,
        "image_id": image_id,
        "base_image": base,
        "cached_steps": cached,
        "engine": engine_line,
        "summary": f"{tag} from {base} in {seconds:.0f} s",
    }


# ---- inspect ------------------------------------------------------------------------------------


def inspect(image: str = IMAGE + ":latest") -> dict[str, Any]:
    from docker.errors import ImageNotFound

    client = engine.connect("inspecting the image")
    try:
        found = client.images.get(image)
    except ImageNotFound:
        raise RuntimeError(f"image parameter: {image} does not exist; run the step 'build' first") from None
    config = found.attrs["Config"]
    size_mb = found.attrs["Size"] / 1e6
    events.log(f"$ docker image inspect {image}")
    events.log(
        f"  id {found.id[7:19]}, {size_mb:.0f} MB, user {config.get('User') or 'root (none set)'}, "
        f"exposes {', '.join(config.get('ExposedPorts') or {}) or 'nothing'}"
    )
    events.log(f"  cmd {json.dumps(config.get('Cmd'))}")
    health = config.get("Healthcheck") or {}
    events.log(f"  healthcheck {json.dumps(health.get('Test'))} every {health.get('Interval', 0) / 1e9:g} s")
    events.log(f"$ docker history {image}")
    events.log(f"  {'size':>10}  created by")
    layers = found.history()
    for layer in layers:
        created_by = re.sub(r"\s+", " ", layer.get("CreatedBy", "")).replace("/bin/sh -c #(nop) ", "")
        events.log(f"  {layer.get('Size', 0) / 1e6:>8.1f}MB  {created_by[:110]}")
    with_content = [layer for layer in layers if layer.get("Size", 0) > 0]
    events.metric("image_size_mb", round(size_mb, 1))
    user = config.get("User") or ""
    return {
        "image_size_mb": round(size_mb, 1),
        "layers": len(layers),
        "layers_with_content": len(with_content),
        "user": user,
        "user_numeric_non_root": numeric_non_root(user),
        "healthcheck": bool(health.get("Test")),
        "summary": f"{size_mb:.0f} MB, {len(with_content)} layers with content, user {user or 'root'}",
    }


# ---- run ----------------------------------------------------------------------------------------


def _forward_logs(container: Any, tail: list[str]) -> None:
    try:
        buffer = b""
        for chunk in container.logs(stream=True, follow=True):
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                text = line.decode(errors="replace").rstrip()
                tail[:] = (tail + [text])[-20:]
                events.log(f"[container] {text}")
    except Exception:
        pass  # the container went away: nothing more to forward


def _wait_healthy(container: Any, url: str, timeout_s: float, tail: list[str]) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        container.reload()
        state = container.attrs["State"]
        if state["Status"] in ("exited", "dead"):
            raise RuntimeError(f"the container exited with code {state.get('ExitCode')}: " + " | ".join(tail[-5:]))
        if (state.get("Health") or {}).get("Status") == "healthy" and is_ready(url, timeout_s=5):
            return time.perf_counter() - started
        events.progress(time.perf_counter() - started, timeout_s, f"health: {(state.get('Health') or {}).get('Status', '?')}")
        time.sleep(0.5)
    raise RuntimeError(f"the container was not healthy within {timeout_s:g} s: " + " | ".join(tail[-5:]))


def run(image: str = IMAGE + ":latest", startup_timeout_s: float = 120.0, hold_s: float = 0.0) -> dict[str, Any]:
    """``hold_s``: keep the container up that long after the checks, to call it yourself."""
    from docker.errors import ImageNotFound

    client = engine.connect("running the image")
    try:
        client.images.get(image)
    except ImageNotFound:
        raise RuntimeError(f"image parameter: {image} does not exist; run the step 'build' first") from None
    engine.remove_leftovers(client, events.log)
    port = free_local_port()
    url = f"http://127.0.0.1:{port}"
    name = engine.NAME_PREFIX + uuid.uuid4().hex[:8]
    options = {
        "ports": {f"{CONTAINER_PORT}/tcp": ("127.0.0.1", port)},  # published on the loopback only
        "read_only": True,  # nothing in the image can be changed...
        "tmpfs": {"/tmp": "rw,nosuid,nodev,size=64m"},  # ...except a scratch /tmp (BentoML's temp files)
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "mem_limit": "1g",
        "pids_limit": 256,
    }
    events.log(
        f"$ docker run -d --name {name} --label {engine.LABEL}={engine.LESSON} -p 127.0.0.1:{port}:{CONTAINER_PORT} "
        f"--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges --memory 1g --pids-limit 256 {image}"
    )
    events.status("starting the container")
    tail: list[str] = []
    with engine.LessonContainer(client, image, name, **options) as container:
        events.artifact("container", name, f"{url} (removed at the end of the step)")
        threading.Thread(target=_forward_logs, args=(container, tail), daemon=True).start()
        ready_s = _wait_healthy(container, url, startup_timeout_s, tail)
        events.metric("startup_seconds", round(ready_s, 1))
        events.log(f"healthy after {ready_s:.1f} s (Docker's HEALTHCHECK and GET {url}/readyz -> 200)")

        uid = container.exec_run(["id", "-u"]).output.decode().strip()
        write = container.exec_run(["touch", "/app/written-at-runtime"])
        read_only = write.exit_code != 0
        events.log(f"inside: id -u -> {uid}; touch /app/… -> exit {write.exit_code} ({write.output.decode().strip()[:80]})")

        events.status("asking for a prediction")
        status, answer, _ = post(url + "/classify", json.dumps({"features": list(GOOD_ROWS.values())}).encode())
        events.log(f"POST {url}/classify {list(GOOD_ROWS)} -> {status}: {json.dumps(answer)[:300]}")
        got = [row.get("class") for row in answer] if status == 200 and isinstance(answer, list) else []
        correct = sum(1 for expected, row_class in zip(GOOD_ROWS, got, strict=False) if row_class == expected)
        if hold_s > 0:
            events.log(
                f"holding the container for {hold_s:g} s: curl -X POST {url}/classify -H 'content-type: application/json' "
                "-d '{\"features\": [[5.1, 3.5, 1.4, 0.2]]}'"
            )
            time.sleep(hold_s)
        events.status("stopping the container")
        stop_started = time.perf_counter()
        container.stop(timeout=10)
        container.reload()
        events.log(
            f"docker stop: exited with code {container.attrs['State']['ExitCode']} after {time.perf_counter() - stop_started:.1f} s"
        )
    left = engine.our_containers(client)
    free = nothing_listens(port)
    events.metric("predictions_correct", correct)
    events.metric("uid_in_container", int(uid) if uid.isdigit() else -1)
    events.metric("containers_left", len(left))
    events.log(
        f"container removed; containers labelled {engine.LABEL}={engine.LESSON} left: {len(left)}; port {port} free: {free}"
    )
    return {
        "healthy": True,
        "predictions_correct": correct,
        "predictions": len(GOOD_ROWS),
        "answer": ", ".join(c or "?" for c in got),
        "uid_in_container": int(uid) if uid.isdigit() else -1,
        "read_only_root": read_only,
        "containers_left": len(left),
        "port_free_after_stop": free,
        "summary": f"healthy in {ready_s:.0f} s as uid {uid}; answered {', '.join(c or '?' for c in got)}",
    }
