"""`classroom manifests`: the class on Kubernetes (a pod and a volume per learner), validated offline, and the
exact server command lines of those manifests run here (seat per learner, the instructor's view gathered)."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from infrastructure.deployment.containers.kubernetes import manifests as iris_manifests
from infrastructure.deployment.containers.kubernetes.classroom import manifests as k8s
from infrastructure.deployment.containers.kubernetes.schema_validation import schema_check
from tests.classroom.conftest import Screen, make_class, workbench_cli
from tests.conftest import FIXTURE_CURRICULUM, REPO_ROOT, processes_of_home

pytest.importorskip("kubernetes_validate", reason="offline validation needs the docker extra (kubernetes-validate)")


def _generate(root: Path, *args: str) -> tuple[list[dict], list[dict], dict[str, str]]:
    done = workbench_cli("classroom", "manifests", str(root), "--host", "class.example.org", *args)
    assert done.returncode == 0, done.stderr
    assert "validated offline against the Kubernetes 1.33 schema (strict)" in done.stdout
    out = root / "kubernetes"
    links = dict(line.split() for line in (out / "links.txt").read_text().splitlines())
    return iris_manifests.load(out / "classroom.yaml"), iris_manifests.load(out / "secret.yaml"), links


def test_the_manifests_give_each_learner_a_pod_a_volume_and_limits_and_validate_strictly(reachable: Path) -> None:
    root = reachable / "ML 101"
    tokens = make_class(root, ("alice", "bob", "carol"))
    documents, secrets, links = _generate(root, "--memory-limit", "1536Mi")
    for doc in [*documents, *secrets]:
        assert schema_check(doc, "1.33.0", strict=True) is None, doc["kind"]
    assert k8s.problems(documents) == [] and iris_manifests.policy_problems(documents) == []
    kinds = [d["kind"] for d in documents]
    assert kinds.count("StatefulSet") == 1 and kinds.count("NetworkPolicy") == 2 and "Ingress" in kinds
    seats = next(d for d in documents if d["kind"] == "StatefulSet")
    assert seats["metadata"]["name"] == "ml-101-seats" and seats["spec"]["replicas"] == 3
    claim = seats["spec"]["volumeClaimTemplates"][0]["spec"]
    assert claim["resources"]["requests"]["storage"] == "2Gi" and claim["accessModes"] == ["ReadWriteOnce"]
    assert seats["spec"]["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    container = seats["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"]["memory"] == "1536Mi" and "cpu" in container["resources"]["requests"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert "--seat" in container["args"] and seats["spec"]["template"]["spec"]["automountServiceAccountToken"] is False
    policy = next(d for d in documents if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "ml-101-seats")
    assert policy["spec"]["egress"] == [] and set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    services = {d["metadata"]["name"] for d in documents if d["kind"] == "Service"}
    assert {"ml-101-seat-0", "ml-101-seat-1", "ml-101-seat-2", "ml-101-instructor", "ml-101-seats"} == services
    # The Secret holds class.json: hashes, never a plain token; it and the links are the instructor's only.
    stored = secrets[0]["stringData"]["class.json"]
    assert json.loads(stored)["learners"][0]["id"] == "alice"
    assert not any(token in stored for token in tokens.values())
    assert links["bob"] == f"https://class.example.org/s/1/l/{tokens['bob']}"
    assert links["instructor"] == f"https://class.example.org/i/{tokens['instructor']}"
    for name in ("secret.yaml", "links.txt"):
        assert stat.S_IMODE((root / "kubernetes" / name).stat().st_mode) == 0o600
    # What the checks catch: a seat without a workspace volume, a misspelt field (strict), bad input.
    broken = copy.deepcopy(documents)
    next(d for d in broken if d["kind"] == "StatefulSet")["spec"].pop("volumeClaimTemplates")
    assert any("volumeClaimTemplates" in p for p in k8s.problems(broken))
    typo = copy.deepcopy(seats)
    typo["spec"]["replica"] = typo["spec"].pop("replicas")
    assert "replica" in (schema_check(typo, "1.33.0", strict=True) or "")
    bad = workbench_cli("classroom", "manifests", str(root), "--host", "class.example.org", "--memory-limit", "lots")
    assert bad.returncode == 2 and "--memory-limit 'lots'" in bad.stderr


def _free_port_block(count: int) -> int:
    """A base port ending in 0 with ``count`` free ports from it (for seat N on base+N)."""
    for base in range(24000, 60000, 370):
        base -= base % 10
        sockets = []
        try:
            for offset in range(count):
                s = socket.socket()
                s.bind(("127.0.0.1", base + offset))
                sockets.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise AssertionError("no block of free ports")


def _local(args: list[str], root: Path, index: int | None, port: int, seats_base: int) -> list[str]:
    """A container's args from the manifests, for this machine: the class folder here, 127.0.0.1, a free port."""
    local = []
    for arg in args:
        arg = arg.replace(k8s.CLASS_DIR, str(root))
        if index is not None:
            arg = arg.replace("$(POD_INDEX)", str(index))
        arg = re.sub(
            r"^http://[a-z0-9-]+-seats-\{index\}\.[a-z0-9-]+-seats:\d+", f"http://127.0.0.1:{seats_base // 10}{{index}}", arg
        )
        local.append({"0.0.0.0": "127.0.0.1", str(k8s.PORT): str(port)}.get(arg, arg))
    assert local[:3] == ["mlops-workbench", "classroom", "serve"]
    return [sys.executable, "-m", "workbench", *local[1:]]


@pytest.mark.slow
def test_the_manifests_server_commands_serve_one_learner_per_seat_and_gather_the_instructors_view(
    reachable: Path, tmp_path: Path
) -> None:
    pytest.importorskip("textual_serve", reason="classroom mode needs the classroom extra")
    root = reachable / "class"
    tokens = make_class(root, ("alice", "bob"))
    documents, _, _ = _generate(root)
    seat_args = next(d for d in documents if d["kind"] == "StatefulSet")["spec"]["template"]["spec"]["containers"][0]["args"]
    instructor_args = next(d for d in documents if d["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]["args"]
    base = _free_port_block(3)
    env = {**os.environ, "WORKBENCH_LESSONS_DIR": str(FIXTURE_CURRICULUM)}
    env.pop("WORKBENCH_HOME", None)
    processes: dict[str, subprocess.Popen] = {}
    logs = {}
    try:
        for name, argv in (
            ("seat-0", _local(seat_args, root, 0, base, base)),
            ("seat-1", _local(seat_args, root, 1, base + 1, base)),
            ("instructor", _local(instructor_args, root, None, base + 2, base)),
        ):
            logs[name] = tmp_path / f"{name}.log"
            with logs[name].open("w") as handle:
                processes[name] = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT)
        for name, port in (("seat-0", base), ("seat-1", base + 1), ("instructor", base + 2)):
            deadline = time.monotonic() + 60
            while f":{port}" not in logs[name].read_text():
                assert processes[name].poll() is None and time.monotonic() < deadline, logs[name].read_text()
                time.sleep(0.1)

        async def check() -> None:
            async with aiohttp.ClientSession() as session:
                for port in (base, base + 1, base + 2):
                    async with session.get(f"http://127.0.0.1:{port}/readyz") as probe:
                        assert probe.status == 200
                # bob's link on alice's seat is refused; alice's page there points at the seat's prefix
                async with session.get(f"http://127.0.0.1:{base}/s/0/l/{tokens['bob']}") as response:
                    assert response.status == 403
                async with session.get(f"http://127.0.0.1:{base}/s/0/l/{tokens['alice']}") as response:
                    page = await response.text()
                    assert response.status == 200 and "https://class.example.org/s/0/static/" in page
                async with session.ws_connect(f"ws://127.0.0.1:{base}/s/0/l/{tokens['alice']}/ws?width=140&height=45") as ws:
                    screen = Screen(ws)
                    assert await screen.wait_for("lessons passed", 90), screen.text[-800:]
                    await screen.press("\r")
                    assert await screen.wait_for("Run step", 60)
                    await screen.press("r")
                    assert await screen.wait_for("PASS check-the-machine/report", 120), screen.text[-1500:]
                url = f"http://127.0.0.1:{base + 2}/i/{tokens['instructor']}/status.json"
                async with session.get(url) as response:
                    status = await response.json()
                rows = {row["id"]: row for row in status["learners"]}
                assert rows["alice"]["lessons"]["check-the-machine"]["state"] == "passed"
                assert rows["bob"]["lessons"]["check-the-machine"]["state"] == "not started" and not rows["bob"]["stuck"]
                processes["seat-1"].send_signal(signal.SIGTERM)
                processes["seat-1"].wait(20)
                async with session.get(url) as response:
                    rows = {row["id"]: row for row in (await response.json())["learners"]}
                assert rows["bob"]["stuck"] and "did not answer" in rows["bob"]["stuck_reasons"][0]
                assert rows["alice"]["passed"] == 1

        asyncio.run(check())
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(20)
    assert not processes_of_home(root / "homes" / "alice")
    assert not (root / "homes" / "bob" / "progress.json").exists(), "bob's seat ran something"
