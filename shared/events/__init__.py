"""The step -> UI protocol.

A step's child process reports what it does as typed events, written as JSON
lines to a dedicated file descriptor (named by ``WORKBENCH_EVENT_FD``); the
child's own stdout/stderr are captured by the runner and become ``Log``
events. The TUI and the headless renderer consume the same stream.

Inside a step, report with the helpers::

    from shared import events
    events.metric("train_loss", 0.31, step=2)
    events.progress(3, 10)
"""

from shared.events.protocol import (
    Artifact,
    Event,
    Log,
    Metric,
    Progress,
    Result,
    Status,
    decode,
    encode,
)
from shared.events.reporter import StepError, StepSkipped, artifact, emit, log, metric, progress, status
from shared.events.step_status import StepStatus

__all__ = [
    "Artifact",
    "Event",
    "Log",
    "Metric",
    "Progress",
    "Result",
    "Status",
    "StepStatus",
    "StepError",
    "StepSkipped",
    "decode",
    "encode",
    "artifact",
    "emit",
    "log",
    "metric",
    "progress",
    "status",
]
