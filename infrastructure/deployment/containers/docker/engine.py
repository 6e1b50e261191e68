"""The Docker Engine, through the ``docker`` SDK: connect (or say clearly why not), and run containers that never outlive the step.

No engine reachable: the step is *skipped* with the reason
(``events.StepSkipped``) — unless ``WORKBENCH_REQUIRE_DOCKER=1`` (CI sets it),
then it is a failure with the same message.

Containers are not in the step's process group, so the runner's
SIGINT → SIGTERM → SIGKILL on cancel does not reach them. ``LessonContainer``
removes its container on the way out of the ``with`` block, on SIGTERM/SIGINT
and at interpreter exit; and every container carries a name prefix and a
label, so the next run removes what a SIGKILL left behind.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from shared import events

REQUIRE_ENV = "WORKBENCH_REQUIRE_DOCKER"
LABEL = "mlops-workbench.lesson"
LESSON = "docker-build"
NAME_PREFIX = "mlops-workbench-iris-"
START_HINT = "start one with `sudo dockerd &` (Linux; or start Docker Desktop), or point DOCKER_HOST at a reachable engine"


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def docker_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in ("1", "true", "yes")


class EngineUnreachable(RuntimeError):
    """No Docker Engine answered (raised instead of a skip when WORKBENCH_REQUIRE_DOCKER=1)."""


def _why(exc: Exception) -> str:
    address = engine_address()
    if address.startswith("unix://") and not os.path.exists(address[len("unix://") :]):
        return f"the socket {address[len('unix://') :]} does not exist"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def connect(purpose: str = "this step") -> Any:
    """A ``docker.DockerClient`` that answered a ping; otherwise skip (or fail, when required) with the reason."""
    import docker
    from docker.errors import DockerException

    try:
        client = docker.from_env(timeout=120)
        client.ping()
        return client
    except (DockerException, OSError) as exc:
        reason = _why(exc)
        message = f"no Docker Engine reachable at {engine_address()} ({reason}): {START_HINT}; {purpose} needs it"
    if docker_required():
        raise EngineUnreachable(f"{message} ({REQUIRE_ENV}=1: a missing engine is a failure here)")
    raise events.StepSkipped(message)


def engine_summary(client: Any) -> str:
    info = client.version()
    return f"Docker Engine {info.get('Version', '?')} (API {info.get('ApiVersion', '?')}, {info.get('Os', '?')}/{info.get('Arch', '?')})"


def our_containers(client: Any) -> list[Any]:
    """Every container (running or not) labelled as this lesson's."""
    return client.containers.list(all=True, filters={"label": f"{LABEL}={LESSON}"})


def remove_leftovers(client: Any, say: Callable[[str], None] = print) -> int:
    """Remove containers an earlier run left behind (a SIGKILL gives no chance to clean up)."""
    removed = 0
    for container in our_containers(client):
        say(f"removing leftover container {container.name} ({container.status}) from an earlier run")
        try:
            container.remove(force=True)
            removed += 1
        except Exception as exc:  # already gone, or being removed by another run
            say(f"  could not remove {container.name}: {exc}")
    return removed


BUILDER_LABEL = "mlops-workbench.stage=builder"  # set on the Dockerfile's first stage


def prune_old_images(client: Any, repository: str, keep: int = 3, say: Callable[[str], None] = print) -> int:
    """Keep the ``keep`` newest images of ``repository`` (and :latest); drop older ones and our dangling builder stages.

    Every run trains a new model and tags a new image; without this a classroom machine
    collects one image per run. Only images this lesson made are touched.
    """
    removed = 0
    images = sorted(client.images.list(name=repository), key=lambda image: image.attrs.get("Created", ""), reverse=True)
    for image in images[keep:]:
        if f"{repository}:latest" in image.tags:
            continue
        for tag in image.tags:
            try:
                client.images.remove(tag)
                removed += 1
            except Exception as exc:  # in use by a container, or removed meanwhile: keep going
                say(f"  kept {tag}: {exc}")
    pruned = client.images.prune(filters={"dangling": True, "label": BUILDER_LABEL}).get("ImagesDeleted") or []
    if removed or pruned:
        say(f"removed {removed} older {repository} image(s) and {len(pruned)} dangling builder stage(s); kept the {keep} newest")
    return removed


class LessonContainer:
    """``with LessonContainer(client, image, name=..., **run_kwargs) as container:`` — removed on every way out."""

    def __init__(self, client: Any, image: str, name: str, **run_kwargs: Any) -> None:
        self.client, self.image, self.name, self.run_kwargs = client, image, name, run_kwargs
        self.container: Any = None
        self._removed = threading.Event()
        self._previous: dict[int, Any] = {}

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.remove()
        raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}: container {self.name} removed")

    def __enter__(self) -> Any:
        atexit.register(self.remove)
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                self._previous[signum] = signal.signal(signum, self._on_signal)
        labels = {LABEL: LESSON, **self.run_kwargs.pop("labels", {})}
        self.container = self.client.containers.run(self.image, name=self.name, detach=True, labels=labels, **self.run_kwargs)
        return self.container

    def remove(self) -> None:
        if self.container is None or self._removed.is_set():
            return
        self._removed.set()
        with contextlib.suppress(Exception):  # already gone
            self.container.remove(force=True)  # SIGKILL + remove: the service holds nothing worth a graceful stop

    def __exit__(self, *exc: object) -> None:
        try:
            self.remove()
        finally:
            for signum, handler in self._previous.items():
                signal.signal(signum, handler)
            atexit.unregister(self.remove)
