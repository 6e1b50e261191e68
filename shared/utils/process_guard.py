"""Run a command as the root of a run and end the run's whole tree when the parent dies.

    python -m shared.utils.process_guard COMMAND [ARG...]     (the environment must carry a run mark)

For servers the app starts itself (the serving screen's ``bentoml serve``, its load test). The kernel's
parent-death signal reaches only a direct child, and only as a polite SIGTERM: ``bentoml serve`` then shuts
down at its own pace and its worker, in a process group of its own, may outlive the app for seconds or for
good. Between the app and the command this small process waits: when its parent goes (kill -9 of the app
included) it ends every process of the run — SIGTERM, 1 s, then SIGKILL — and exits, as a step child does
(``process_tree.end_run_when_parent_dies``); and whenever the command itself exits, since what it started (its worker)
may not have. A SIGTERM or SIGINT sent to it is passed on to the command.

Exit status: the command's (128 + N when signal N ended it); 127 when it cannot be started; 2 when misused.
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
    # Watch and catch signals before the command starts: the app may die while it is being started.
    process_tree.end_run_when_parent_dies(token, parent)
    early: list[int] = []
    child: subprocess.Popen[bytes] | None = None

    def pass_on(number: int, _frame: object) -> None:
        if child is None:
            early.append(number)
        else:
            child.send_signal(number)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, pass_on)
    try:
        child = subprocess.Popen(argv)  # same stdin/stdout/stderr, environment (marked) and folder
    except OSError as exc:
        print(f"cannot start {argv[0]}: {exc.strerror or exc}", file=sys.stderr)
        return 127
    for number in early:
        child.send_signal(number)
    code = child.wait()
    # The command is the root of this run: what it started (its worker) ends with it, however it ended. Not only when
    # the app is gone: the kernel's parent-death SIGTERM can arrive while the dying app is still being torn down (its
    # pid still this process's parent), and a check of getppid() here once let the guard exit and leave the worker.
    process_tree.stop_tree(token, stages=process_tree.LEFTOVER_STAGES)
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
