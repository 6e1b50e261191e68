"""The iris service image: its name, the base images it can build on, and what a safe image must be."""

from __future__ import annotations

from typing import Any

from shared import events

IMAGE = "mlops-workbench/iris-service"
OFFICIAL_BASE = "python:3.11-slim"
LOCAL_BASE = "mlops-workbench/python-base:3.11-bookworm"
BASE_SCRIPT = "infrastructure/deployment/containers/docker/build_base_image.sh"
CONTAINER_PORT = 3000


def choose_base_image(client: Any, requested: str) -> tuple[str, str]:
    """The base image and why: the parameter, else python:3.11-slim when present, else the local debootstrap image."""
    from docker.errors import ImageNotFound

    def present(name: str) -> bool:
        try:
            client.images.get(name)
            return True
        except ImageNotFound:
            return False

    if requested:
        return requested, "asked for with the base_image parameter"
    if present(OFFICIAL_BASE):
        return OFFICIAL_BASE, "the official image is present locally"
    if present(LOCAL_BASE):
        return LOCAL_BASE, (
            f"{OFFICIAL_BASE} is not present locally; using the registry-free Debian bookworm image "
            f"that {BASE_SCRIPT} built (its python3 is 3.11 too)"
        )
    events.log(f"neither {OFFICIAL_BASE} nor {LOCAL_BASE} is present: trying `docker pull {OFFICIAL_BASE}`")
    try:
        client.images.pull(OFFICIAL_BASE)
        return OFFICIAL_BASE, "pulled from the registry"
    except Exception as exc:
        raise RuntimeError(
            f"no base image: {OFFICIAL_BASE} is not present and cannot be pulled ({str(exc)[:160]}); "
            f"build one without a registry: sudo {BASE_SCRIPT}"
        ) from None


def numeric_non_root(user: str) -> bool:
    """'10001' or '10001:10001': a number other than 0 (Kubernetes' runAsNonRoot can only verify numbers)."""
    uid = user.split(":", 1)[0]
    return uid.isdigit() and int(uid) != 0
