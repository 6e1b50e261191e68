"""Ask a module of a lower layer for JSON, in a child process (the workbench never imports its frameworks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from shared.configs.repository import REPO_ROOT, with_repo_on_path
from shared.configs.workbench_home import OFFLINE_AND_QUIET, bentoml_home


class ChildQueryError(RuntimeError):
    """The child failed; the message carries its exit code and the end of its stderr."""


def query_child(
    module: str, args: list[str] | None = None, *, stdin: Any = None, home: Path | None = None, timeout: float = 600
) -> Any:
    env = {**with_repo_on_path(), **OFFLINE_AND_QUIET}
    if home is not None:
        env["WORKBENCH_HOME"] = str(home)
        env.setdefault("BENTOML_HOME", str(bentoml_home(home)))
    completed = subprocess.run(
        [sys.executable, "-m", module, *(args or [])],
        input=None if stdin is None else json.dumps(stdin),
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=timeout,
    )
    if completed.returncode != 0:
        raise ChildQueryError(f"{module} exited with code {completed.returncode}: {completed.stderr.strip()[-2000:]}")
    return json.loads(completed.stdout)
