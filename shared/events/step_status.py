"""The one list of states a step (and a lesson) can be in; the values are what progress.json and ``--json`` hold."""

from __future__ import annotations

from enum import StrEnum


class StepStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # its check said no, or it raised
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"  # the learner stopped it: not a failure
    CRASHED = "crashed"  # the child died without a verdict
    SKIPPED = "skipped"  # the step cannot apply here (no Docker Engine, no GPU)
    RUNNING = "running"
    INTERRUPTED = "interrupted"  # the workbench itself ended (killed, terminal closed) while it ran
    NOT_STARTED = "not started"


# A step that passed, or skipped itself (no Docker Engine here): the lesson goes on.
OK_STATUSES = frozenset({StepStatus.PASSED, StepStatus.SKIPPED})
# The step did not finish (a crash, a timeout, a cancel): JUnit reports an <error>, not a failed check.
UNFINISHED_STATUSES = frozenset({StepStatus.CRASHED, StepStatus.TIMEOUT, StepStatus.CANCELLED, StepStatus.INTERRUPTED})
