"""``mlops-workbench``'s entry point: with no arguments the app opens at once.

Importing the command line (Typer, click and every sub-command) costs about a third of the first paint,
so the bare command goes straight to the app; anything else (``--lesson``, ``lessons``, ``--help``...)
goes to the command line in ``workbench.cli``.
"""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1:
        from workbench.cli import main as command_line

        command_line()
        return
    from shared.configs.workbench_home import created_workbench_home
    from workbench import i18n
    from workbench.tui.app import run_app

    i18n.set_language(i18n.from_environment())
    raise SystemExit(run_app(home=created_workbench_home()))  # the lessons folder: WORKBENCH_LESSONS_DIR or the built-in one
