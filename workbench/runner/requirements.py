"""What a lesson's ``[requirements]`` say about this machine, checked cheaply in the parent before any step runs.

``docker = true``: the lesson needs a Docker Engine. Without one reachable the
learner is told before the first step (the steps that need it then skip with
the reason, or fail in CI where WORKBENCH_REQUIRE_DOCKER=1).
``gpu = "optional"``: uses an NVIDIA GPU when present; without one, a note says it runs on the CPU.
``gpu = "required"``: without an NVIDIA GPU the lesson is skipped with the reason.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from infrastructure.deployment.containers.docker.engine import engine_address as docker_address


def docker_engine_reachable(timeout_s: float = 0.5) -> bool:
    """A connection to the engine's socket (unix or tcp) is accepted; no SDK import, no request."""
    address = docker_address()
    try:
        if address.startswith("unix://"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout_s)
                sock.connect(address.removeprefix("unix://"))
            return True
        if address.startswith(("tcp://", "http://", "https://")):
            host, _, port = address.split("://", 1)[1].rstrip("/").rpartition(":")
            with socket.create_connection((host, int(port)), timeout=timeout_s):
                return True
    except (OSError, ValueError):
        return False
    return False


def nvidia_gpu_present() -> bool:
    """The NVIDIA driver lists at least one GPU (what NVML would see), and CUDA_VISIBLE_DEVICES does not hide them all."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return False
    gpus = Path("/proc/driver/nvidia/gpus")
    return gpus.is_dir() and any(gpus.iterdir()) or Path("/dev/nvidia0").exists()


def requirement_notes(requirements: Any) -> list[str]:
    """One line per requirement this machine does not meet but the lesson can live without."""
    notes = []
    if requirements.docker and not docker_engine_reachable():
        notes.append(
            f"this lesson needs a Docker Engine and none answers at {docker_address()}: the steps that "
            "need it will be skipped with the reason (start one with `sudo dockerd &`)"
        )
    if requirements.gpu == "optional" and not nvidia_gpu_present():
        notes.append("no NVIDIA GPU here: this lesson runs on the CPU (slower, same results)")
    return notes


def requirement_blocker(requirements: Any) -> str | None:
    """Why the lesson cannot run here at all, or None."""
    if requirements.gpu == "required" and not nvidia_gpu_present():
        return "needs an NVIDIA GPU and none is visible here (see `mlops-workbench gpu`)"
    return None
