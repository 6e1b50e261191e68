"""Machine-readable results: one JSON document, and JUnit XML (one testcase per step).

The JUnit XML validates against the common schema CI servers read (Jenkins'
junit-10.xsd, vendored in tests/fixtures): a step whose check failed is a
``<failure>``; a step that did not finish — it crashed, was killed, timed out
or was cancelled — is an ``<error>``; a skipped step is ``<skipped>``; a lesson
that could not run at all is one ``<error>`` saying why.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from shared.events.protocol import json_safe
from shared.events.step_status import UNFINISHED_STATUSES, StepStatus
from shared.utils.atomic_files import write_report
from workbench.runner.lesson_runner import LessonReport


def json_document(reports: list[LessonReport]) -> dict[str, Any]:
    document = {"passed": bool(reports) and all(r.passed for r in reports), "lessons": [r.to_json() for r in reports]}
    return json_safe(document)  # strict JSON: a NaN metric is the string "nan", never a bare NaN token


def junit_path_problem(path: Path, option: str = "--junit") -> str | None:
    """Why the JUnit report could not be written to ``path`` (checked before anything runs), or None.

    Nothing is created on the way: a missing folder is a mistake to report, not to make. ``option`` names
    the report in the message (the classroom's --csv follows the same rule).
    """
    path = Path(path)
    example = path / ("junit.xml" if option == "--junit" else f"report.{option.lstrip('-')}")
    if path.is_dir():
        return f"{option} {path}: is a folder; give a file path such as {example}"
    if not path.parent.is_dir():
        return f"{option} {path}: the folder {path.parent} does not exist (it is not created for you)"
    try:  # the report is written next to its final name, then renamed: that is what must be allowed
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as exc:
        return f"{option} {path}: cannot write in {path.parent} ({exc.strerror or exc})"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{option} {path}: the file exists and is not writable"
    return None


def write_junit(path: Path, reports: list[LessonReport]) -> Path:
    path = Path(path)
    if not path.parent.is_dir():  # never create folders (an atomic write would)
        raise FileNotFoundError(f"{path.parent} does not exist")
    suites = ET.Element("testsuites", name="mlops-workbench")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    grand_total = 0.0
    for report in reports:
        suite = ET.SubElement(suites, "testsuite", name=report.id)
        counts = {"failures": 0, "errors": 0, "skipped": 0}
        total = 0.0
        for step in report.steps:
            case = ET.SubElement(suite, "testcase", classname=f"lessons.{report.id}", name=step.id, time=f"{step.duration_s:.3f}")
            total += step.duration_s
            if step.status == StepStatus.SKIPPED:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=step.summary)
            elif not step.passed:
                kind = "errors" if step.status in UNFINISHED_STATUSES else "failures"
                counts[kind] += 1
                outcome = ET.SubElement(case, kind[:-1], message=step.summary, type=step.status)
                outcome.text = "\n".join(step.log_tail)
        if report.skipped:  # the lesson did not run (a prerequisite failed, an extra is missing, ...): nothing was checked
            case = ET.SubElement(suite, "testcase", classname=f"lessons.{report.id}", name="(lesson)", time="0")
            counts["errors"] += 1
            ET.SubElement(case, "error", message=report.reason or "did not run", type="not-run")
        suite.set("tests", str(len(suite)))
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        totals["tests"] += len(suite)
        suite.set("time", f"{total:.3f}")
        grand_total += total
    for key, value in totals.items():
        if key != "skipped":  # <testsuites> has no skipped attribute in junit-10.xsd
            suites.set(key, str(value))
    suites.set("time", f"{grand_total:.3f}")
    ET.indent(suites)
    return write_report(path, ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n")
