"""``mlops-workbench``'s entry point: with no arguments the app opens at once.

Importing the command line (Typer, click and every sub-command) costs about a third of the first paint,
so the bare command goes straight to the app; anything else (``--lesson``, ``lessons``, ``--help``...)
goes to the command line in ``workbench.cli``.
"""

from __future__ import annotations

import sys


def main() -> None:
    from shared.configs.workbench_home import HomeUnusable

    _tolerant_output()
    try:
        _main()
    except HomeUnusable as exc:  # one line, not a traceback: the learner's environment, not a bug
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except OSError as exc:  # the last resort for the rest of the environment: a read-only or full home, no permission
        if exc.filename is None:
            raise
        print(
            f"error: {exc.filename}: {exc.strerror or exc} (check the workbench home, or choose another with --home)",
            file=sys.stderr,
        )
        raise SystemExit(1) from None


def _main() -> None:
    if len(sys.argv) > 1:
        from workbench.cli import main as command_line

        command_line()
        return
    from shared.configs.workbench_home import created_workbench_home
    from workbench import i18n
    from workbench.tui.app import run_app

    i18n.set_language(i18n.from_environment())
    raise SystemExit(run_app(home=created_workbench_home()))  # the lessons folder: WORKBENCH_LESSONS_DIR or the built-in one


def _tolerant_output() -> None:
    """Output that cannot show every character (PYTHONIOENCODING=latin-1, a C locale without Python's UTF-8 mode)
    gets '?' for those, instead of a UnicodeEncodeError at the first '≤' or Chinese word after the work was done."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        if encoding not in ("utf-8", "utf8") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
