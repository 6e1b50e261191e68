"""Presentation layer: the command line, the Textual app, the headless renderer and the step runner.

It never imports an ML framework: steps run in child processes
(``workbench.runner``), so the UI starts fast and survives a crashing step.
"""

__version__ = "0.1.0"
