"""Shared fixtures: a temporary workbench home, the real lessons, and the CLI as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
LESSONS_DIR = REPO_ROOT / "lessons"
# Four millisecond lessons, one per layer (tests/fixtures/curriculum/README.md): UI and fast tests run on them.
FIXTURE_CURRICULUM = REPO_ROOT / "tests" / "fixtures" / "curriculum"


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch: pytest.MonkeyPatch):
    """Every test starts in English whatever the machine's locale; a test that switches language cannot leak it."""
    from workbench import i18n

    for name in (i18n.ENV_LANG, "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.set_language(i18n.ENGLISH)
    yield
    i18n.set_language(i18n.ENGLISH)
    os.environ.pop(i18n.ENV_LANG, None)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh workbench home (model store, progress, artifacts) for one test."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(path))
    monkeypatch.delenv("BENTOML_HOME", raising=False)
    monkeypatch.delenv("WORKBENCH_LESSONS_DIR", raising=False)
    return path


def processes_of_home(home: Path, marker: str = "") -> list[int]:
    """Live processes started for this test's workbench home (their environment holds WORKBENCH_HOME=<home>),
    optionally only those whose command line contains ``marker``. A test asserts on these, never on every
    process of the machine: another workbench on the same machine is not ours."""
    wanted = f"WORKBENCH_HOME={home}".encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if wanted not in (proc / "environ").read_bytes().split(b"\0"):
                continue
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and marker in command and int(proc.name) != os.getpid():
            found.append(int(proc.name))
    return found


@pytest.fixture(scope="session")
def validated_model_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home where sklearn-iris and model-validation passed, made once per test run — once for all pytest-xdist
    workers (the first to need it trains under a file lock; the others wait and reuse it). Read-only: tests that
    only consume a validated model copy it with the ``validated_home`` fixture."""
    from filelock import FileLock

    # The run's folder, common to every xdist worker (each has its own basetemp under it). Without xdist the
    # basetemp is the run's folder itself: its parent holds every earlier run, whose home came from older code.
    basetemp = tmp_path_factory.getbasetemp()
    shared = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
    template, done_mark = shared / "validated-home", shared / "validated-home.done"
    with FileLock(str(shared / "validated-home.lock")):
        if not done_mark.exists():
            shutil.rmtree(template, ignore_errors=True)  # a half-made one from a worker that died
            template.mkdir()
            done = run_cli("--lesson", "model-validation", "--plain", home=template)
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
            done_mark.touch()
    return template


@pytest.fixture
def validated_home(home: Path, validated_model_home: Path) -> Path:
    """This test's own home, holding a copy of the session's trained and validated iris model.

    MLflow keeps absolute artifact paths in its store: they are moved to the copy too, or a run made in the copy
    would write its artifacts into the shared template (seen: a second sklearn-iris run folder there)."""
    shutil.copytree(validated_model_home, home, dirs_exist_ok=True)
    store = home / "mlflow" / "mlflow.db"
    if store.is_file():
        moved = sorted({str(validated_model_home), str(validated_model_home.resolve())}, key=len, reverse=True)
        with closing(sqlite3.connect(store)) as db, db:
            for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                columns = [
                    row[1]
                    for row in db.execute(f"PRAGMA table_info('{table}')")
                    if "CHAR" in row[2].upper() or "TEXT" in row[2].upper()
                ]
                for column, old in ((c, o) for c in columns for o in moved):
                    db.execute(
                        f'UPDATE "{table}" SET "{column}" = replace("{column}", ?, ?) WHERE instr("{column}", ?) > 0',
                        (old, str(home), old),
                    )
    return home


@pytest.fixture
def lessons_copy(tmp_path: Path) -> Path:
    """A copy of the real lessons folder that a test may edit or break."""
    target = tmp_path / "lessons"
    shutil.copytree(LESSONS_DIR, target)
    return target


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def run_cli(*args: str, home: Path, timeout: float = 300, env: dict[str, str] | None = None) -> CliResult:
    """Run ``mlops-workbench`` exactly as a user would, in a separate process."""
    full_env = {**os.environ, "WORKBENCH_HOME": str(home), **(env or {})}
    full_env.pop("BENTOML_HOME", None)
    completed = subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=REPO_ROOT,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def cli(home: Path):
    def _run(*args: str, **kwargs) -> CliResult:
        return run_cli(*args, home=home, **kwargs)

    return _run


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests spread one by one over the xdist workers (`make test` uses --dist loadgroup), except the tests of a
    module that share a module-scoped fixture (a trained model, a served service): they stay on one worker, so
    that fixture is made once."""
    for item in items:
        if item.nodeid.startswith("tests/classroom/"):
            # Classes create Unix users named after their learners (wb-class-alice): one class at a time.
            item.add_marker(pytest.mark.xdist_group("tests/classroom"))
            continue
        fixture_info = getattr(item, "_fixtureinfo", None)
        if fixture_info is None:
            continue
        if any(d.scope == "module" for defs in fixture_info.name2fixturedefs.values() for d in defs):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@pytest.fixture(autouse=True)
def no_step_outlives_its_test():
    """A step a test's app left running (e.g. "run on in the background" and then the test ended) would live on in
    this xdist worker: the real app ends such steps when its process exits (step_runner.end_live_trees at exit).
    Do that after every test, so a later test's quit does not wait on a step from another test's event loop."""
    yield
    from workbench.runner import step_runner

    if step_runner._LIVE:
        step_runner.end_live_trees(stages=())
        step_runner._LIVE.clear()
