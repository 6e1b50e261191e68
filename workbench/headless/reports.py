"""Machine-readable results: one JSON document, and JUnit XML (one testcase per step)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from shared.utils.atomic_files import write_text_atomic
from workbench.runner.lesson_runner import LessonReport


def json_document(reports: list[LessonReport]) -> dict[str, Any]:
    return {"passed": bool(reports) and all(r.passed for r in reports), "lessons": [r.to_json() for r in reports]}


def write_junit(path: Path, reports: list[LessonReport]) -> Path:
    suites = ET.Element("testsuites", name="mlops-workbench")
    for report in reports:
        suite = ET.SubElement(suites, "testsuite", name=report.id)
        failures = skipped = 0
        total = 0.0
        for step in report.steps:
            case = ET.SubElement(suite, "testcase", classname=f"lessons.{report.id}", name=step.id, time=f"{step.duration_s:.3f}")
            total += step.duration_s
            if step.status == "skipped":
                skipped += 1
                ET.SubElement(case, "skipped", message=step.summary)
            elif not step.passed:
                failures += 1
                failure = ET.SubElement(case, "failure", message=step.summary, type=step.status)
                failure.text = "\n".join(step.log_tail)
        if report.skipped:
            case = ET.SubElement(suite, "testcase", classname=f"lessons.{report.id}", name="(lesson)", time="0")
            failures += 1
            ET.SubElement(case, "failure", message=report.reason or "did not run", type="skipped")
        suite.set("tests", str(len(suite)))
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
        suite.set("time", f"{total:.3f}")
    ET.indent(suites)
    return write_text_atomic(Path(path), ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n")
