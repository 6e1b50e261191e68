"""The child side of the runner: code that runs *inside* a step's child process, never in the UI.

    step_process.py   ``python -m workbench.runner.child.step_process``: imports the step, calls it, checks it
    checks.py         judges a step's outputs against the lesson's checks
    entry_probe.py    ``lessons check``: imports every entry point and binds its parameters
    learner_code.py   loads a learner's exercise file for an exercise check

The parent side (``workbench/runner/``: step_runner, lesson_runner, exercise_runner,
child_query) starts these children and reads their events; it never imports a step.
"""
