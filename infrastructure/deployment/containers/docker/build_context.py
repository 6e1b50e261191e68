"""The build context for the iris service image, assembled under the workbench home.

    <home>/docker/wheelhouse/<key>/   wheels of requirements.lock, downloaded once and reused (key: the lock's hash)
    <home>/docker/context/            what `docker build` receives:
        Dockerfile, .dockerignore     copied from this folder
        requirements.lock             the service's dependencies pinned to the versions installed on this host
        wheels/                       the wheelhouse (hard links, so no second copy on disk)
        model/<name>-<version>.bentomodel   the validated model, exported from the BentoML store
        app/                          the service and the layer packages it imports (the Bento's include list)

The only download of the docker-build lesson happens here: ``pip download``
of the wheels, for Python 3.11 on manylinux x86_64/aarch64, cached under the
home. Inside the image ``pip install --no-index`` reads nothing but the
wheelhouse.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import cast

from shared.configs.repository import REPO_ROOT
from shared.configs.workbench_home import workbench_home
from shared.constants import IRIS_MODEL_NAME, STAGE_LABEL, VALIDATED_STAGE
from shared.utils.atomic_files import write_json_atomic, write_text_atomic

HERE = Path(__file__).resolve().parent
DOCKERFILE = HERE / "Dockerfile"
DOCKERIGNORE = HERE / ".dockerignore"
BENTOFILE = REPO_ROOT / "application" / "inference" / "bentofile.yaml"
SERVICE_FILE = "application/inference/iris_service.py"
CONTAINER_PYTHON = "3.11"  # Debian bookworm's python3 and python:3.11-slim
OLDEST_GLIBC_MINOR, BOOKWORM_GLIBC_MINOR = 17, 36  # manylinux_2_17 … manylinux_2_36 wheels run on bookworm


@dataclass(frozen=True)
class BuildContext:
    path: Path
    model_tag: str
    wheel_count: int
    wheelhouse_mb: float
    wheelhouse_reused: bool
    app_files: int


def docker_dir(home: Path | None = None) -> Path:
    return (home or workbench_home()) / "docker"


# ---- dependencies ---------------------------------------------------------------------------


def _bentofile() -> dict:
    import yaml  # comes with bentoml

    try:
        return yaml.safe_load(BENTOFILE.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RuntimeError(f"{BENTOFILE}: cannot read the service's bentofile: {exc}") from None


def service_packages() -> list[str]:
    """What the service declares in its bentofile (python.packages), plus BentoML itself."""
    packages = (_bentofile().get("python") or {}).get("packages") or []
    if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
        raise RuntimeError(f"{BENTOFILE}: python.packages: expected a list of package names, got {packages!r}")
    return ["bentoml", *packages]


def pinned_closure(roots: list[str]) -> list[str]:
    """``name==version`` for ``roots`` and everything they need, as installed in this environment.

    The image gets exactly the versions the host ran and tested with (a model
    pickled by scikit-learn X must be loaded by scikit-learn X).
    """
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    environment: dict[str, str] = {
        **cast(dict[str, str], default_environment()),
        "python_version": CONTAINER_PYTHON,
        "sys_platform": "linux",
        "platform_system": "Linux",
    }
    found: dict[str, tuple[str, frozenset[str]]] = {}
    todo: list[tuple[str, frozenset[str], str]] = [
        (Requirement(r).name, frozenset(Requirement(r).extras), "the bentofile") for r in roots
    ]
    while todo:
        name, extras, needed_by = todo.pop()
        key = canonicalize_name(name)
        known = found.get(key)
        if known is not None and extras <= known[1]:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise RuntimeError(
                f"'{name}' (needed by {needed_by}) is not installed here, so its version cannot be pinned: "
                f"pip install '{name}' (the docker-build lesson needs the 'serving' and 'sklearn' extras)"
            ) from None
        found[key] = (dist.version, (known[1] if known else frozenset()) | extras)
        for line in dist.requires or []:
            requirement = Requirement(line)
            wanted = [{**environment, "extra": extra} for extra in (extras or {""})]
            if requirement.marker is None or any(requirement.marker.evaluate(env) for env in wanted):
                todo.append((requirement.name, frozenset(requirement.extras), key))
    return [f"{name}=={version}" for name, (version, _) in sorted(found.items())]


def _platform_args() -> list[str]:
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine().lower())
    platforms = [f"manylinux_2_{minor}_{machine}" for minor in range(BOOKWORM_GLIBC_MINOR, OLDEST_GLIBC_MINOR - 1, -1)]
    platforms.append(f"manylinux2014_{machine}")
    args = ["--python-version", CONTAINER_PYTHON, "--implementation", "cp", "--abi", "cp" + CONTAINER_PYTHON.replace(".", "")]
    for name in platforms:
        args += ["--platform", name]
    return args


def ensure_wheelhouse(lock_text: str, home: Path | None = None, say: Callable[[str], None] = print) -> tuple[Path, bool]:
    """The wheelhouse for this lock: reused when a complete one exists, else ``pip download`` fills it."""
    key = hashlib.sha256((lock_text + platform.machine()).encode()).hexdigest()[:16]
    folder = docker_dir(home) / "wheelhouse" / key
    marker = folder / "complete.json"
    if marker.is_file():
        say(f"wheelhouse {folder} is complete (same requirements.lock): reused, nothing downloaded")
        return folder, True
    folder.mkdir(parents=True, exist_ok=True)
    lock_file = folder / "requirements.lock"
    write_text_atomic(lock_file, lock_text)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        *_platform_args(),
        "--dest",
        str(folder),
        "-r",
        str(lock_file),
    ]
    say("$ " + " ".join(["pip", *command[3:]]))
    done = subprocess.run(command, capture_output=True, text=True)
    for line in (done.stdout + done.stderr).splitlines():
        if line.startswith(("Saved", "ERROR", "Successfully")) or "File was already downloaded" in line:
            say(f"[pip] {line}")
    if done.returncode != 0:
        # A dependency published only as source: build its wheel here (same Python, same platform as bookworm).
        say("pip download found no wheel for some pin; building the missing ones with `pip wheel --no-deps`")
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(folder), "-r", str(lock_file)]
        say("$ " + " ".join(["pip", *command[3:]]))
        built = subprocess.run(command, capture_output=True, text=True)
        if built.returncode != 0:
            tail = (done.stderr + built.stderr).strip().splitlines()[-6:]
            raise RuntimeError("could not fill the wheelhouse (is the package index reachable?): " + " | ".join(tail))
    wheels = sorted(p.name for p in folder.glob("*.whl"))
    write_json_atomic(marker, {"wheels": wheels, "requirements": lock_text.splitlines()})
    return folder, False


# ---- model and service files ------------------------------------------------------------------


def latest_validated_model() -> str:
    """The newest iris_classifier labelled stage=validated (what the service serves)."""
    from infrastructure.storage.bentoml_model_store import list_models

    for model in list_models(IRIS_MODEL_NAME):
        if model.labels.get(STAGE_LABEL) == VALIDATED_STAGE:
            return model.tag
    raise RuntimeError(
        f"no validated {IRIS_MODEL_NAME} in the model store ({os.environ.get('BENTOML_HOME', '?')}): "
        "run `mlops-workbench --lesson model-validation` first"
    )


def export_model(tag: str, target_dir: Path) -> Path:
    """``bentoml.models.export_model``: the model folder as one .bentomodel archive (imported again in the image)."""
    import bentoml

    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / (tag.replace(":", "-") + ".bentomodel")
    bentoml.models.export_model(tag, str(target))
    return target


def service_files() -> list[Path]:
    """The files the Bento packages (the bentofile's include/exclude), relative to the repository root."""
    spec = _bentofile()
    include, exclude = spec.get("include") or [], spec.get("exclude") or []
    chosen: set[Path] = set()
    for pattern in include:
        for path in REPO_ROOT.glob(pattern):
            relative = path.relative_to(REPO_ROOT)
            if path.is_file() and not any(
                PurePosixPath(relative.as_posix()).match(x) or x.strip("*/") in relative.parts for x in exclude
            ):
                chosen.add(relative)
    if Path(SERVICE_FILE) not in chosen:
        raise RuntimeError(f"{BENTOFILE}: include does not cover {SERVICE_FILE}, the service the image runs")
    return sorted(chosen)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def prepare_context(home: Path | None = None, model_tag: str | None = None, say: Callable[[str], None] = print) -> BuildContext:
    home = home or workbench_home()
    tag = model_tag or latest_validated_model()
    context = docker_dir(home) / "context"
    if context.exists():
        shutil.rmtree(context)
    (context / "wheels").mkdir(parents=True)
    shutil.copy2(DOCKERFILE, context / "Dockerfile")
    shutil.copy2(DOCKERIGNORE, context / ".dockerignore")

    lock_text = "\n".join(pinned_closure(service_packages())) + "\n"
    write_text_atomic(context / "requirements.lock", lock_text)
    say(f"requirements.lock: {len(lock_text.splitlines())} pinned packages (bentofile packages + BentoML and what they need)")
    wheelhouse, reused = ensure_wheelhouse(lock_text, home, say)
    wheels = sorted(wheelhouse.glob("*.whl"))
    for wheel in wheels:
        _link_or_copy(wheel, context / "wheels" / wheel.name)
    size_mb = sum(w.stat().st_size for w in wheels) / 1e6

    exported = export_model(tag, context / "model")
    say(f"model {tag} exported to {exported.relative_to(context)} ({exported.stat().st_size / 1e3:.0f} kB)")

    files = service_files()
    for relative in files:
        target = context / "app" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / relative, target)
    say(f"app/: {len(files)} files of the service and the layers it imports (the bentofile's include list)")
    write_json_atomic(context.parent / "context.json", {"model_tag": tag, "context": str(context)})
    return BuildContext(context, tag, len(wheels), size_mb, reused, len(files))


def prepared_context(home: Path | None = None) -> tuple[Path, str]:
    """The context and model tag the prepare step left behind (the build step reads them)."""
    record = docker_dir(home) / "context.json"
    try:
        data = json.loads(record.read_text())
        return Path(data["context"]), data["model_tag"]
    except (OSError, ValueError, KeyError) as exc:
        raise RuntimeError(f"{record}: no prepared build context ({exc}); run the step 'prepare' first") from None
