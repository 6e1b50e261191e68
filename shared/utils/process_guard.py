"""Run a command as the root of a run and end the run's whole tree when the parent dies.

    python -m shared.utils.process_guard COMMAND [ARG...]     (the environment must carry a run mark)

For servers the app starts itself (the serving screen's ``bentoml serve``, its load test). The kernel's
parent-death signal reaches only a direct child, and only as a polite SIGTERM: ``bentoml serve`` then shuts
down at its own pace and its worker, in a process group of its own, may outlive the app for seconds or for
good. Between the app and the command this small process waits: when its parent goes (kill -9 of the app
included) it ends every process of the run — SIGTERM, 1 s, then SIGKILL — and exits, as a step child does
(``process_tree.end_run_when_parent_dies``). A SIGTERM or SIGINT sent to it is passed on to the command.

Exit status: the command's (128 + N when signal N ended it); 2 when misused.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from shared.utils import process_tree


def guarded(command: list[str]) -> list[str]:
    """``command`` run under this guard (start it with an environment marked by ``process_tree.mark``)."""
    return [sys.executable, "-m", __name__, *command]


def main(argv: list[str]) -> int:
    token = os.environ.get(process_tree.RUN_ID_ENV, "")
    if not argv or not token:
        print(
            f"usage: python -m {__spec__.name if __spec__ else 'shared.utils.process_guard'} COMMAND [ARG...] "
            f"(with {process_tree.RUN_ID_ENV} and its mark set: process_tree.mark)",
            file=sys.stderr,
        )
        return 2
    parent = os.getppid()
    child = subprocess.Popen(argv)  # same stdin/stdout/stderr, environment (marked) and folder
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda number, _frame: child.send_signal(number))
    process_tree.end_run_when_parent_dies(token, parent)
    code = child.wait()
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
