"""Shared layer: what every other layer may use.

events    the step -> UI protocol (JSON lines on a dedicated channel)
configs   the workbench home and default configuration files
constants names that must agree across processes
utils     small cross-cutting helpers (atomic files, GPU probes, data helpers)

Nothing in here imports domain, application, infrastructure or workbench,
and nothing here imports an ML framework at module level.
"""
