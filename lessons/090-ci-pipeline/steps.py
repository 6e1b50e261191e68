"""The ci-pipeline lesson's steps: validate the GitHub Actions workflow offline, reject broken ones, run CI's command locally.

    validate-workflow  check-jsonschema with its built-in (vendored) GitHub workflow schema, then what the pipeline must do
    reject-broken      three broken copies of the workflow, each rejected with the schema's message
    run-headless       `python -m workbench --lesson data-quality --junit …` in a child process, and the JUnit file it wrote

The layer code it runs: ``infrastructure/cicd/github_actions/workflow_validation.py``
and the workflow itself, ``infrastructure/cicd/github_actions/workbench.yml``.
The workbench is started as a command (``python -m workbench``), exactly as CI runs it.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from infrastructure.cicd.github_actions.workflow_validation import SCHEMA, WORKFLOW, pipeline_problems, schema_errors
from shared import events
from shared.configs.repository import REPO_ROOT, with_repo_on_path
from shared.configs.workbench_home import step_artifacts_dir, workbench_home
from shared.constants import ENV_ARTIFACTS_DIR, ENV_EVENT_FD, ENV_EVENT_STDOUT, ENV_STEP_SPEC
from shared.utils.atomic_files import write_text_atomic

BROKEN = {  # what is broken: (text in workbench.yml, what replaces it)
    "a misspelt trigger (pull_requests)": ("  pull_request:\n", "  pull_requests:\n"),
    "a job without runs-on": ("    runs-on: ubuntu-24.04\n", ""),
    "a timeout in words": ("    timeout-minutes: 90\n", "    timeout-minutes: ninety\n"),
}


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def validate_workflow(workflow: str = "") -> dict[str, Any]:
    """``workflow``: a workflow file to check instead of the project's."""
    import yaml

    path = Path(workflow) if workflow else WORKFLOW
    if not path.is_file():
        raise RuntimeError(f"workflow parameter: {path} is not a file")
    events.log(f"$ check-jsonschema --builtin-schema {SCHEMA} {_relative(path)}")
    errors = schema_errors(path)
    for error in errors:
        events.log(f"  {error}")
    events.log(
        "ok -- the schema ships inside check-jsonschema (vendored), so no network was needed"
        if not errors
        else f"{len(errors)} schema errors"
    )
    try:
        parsed = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise RuntimeError(f"{path}: not valid YAML: {exc}") from None
    problems, found = pipeline_problems(parsed if isinstance(parsed, dict) else {})
    for name, ok in found.items():
        events.log(f"  {'✔' if ok else '✘'} {name.replace('_', ' ')}")
    jobs = list((parsed.get("jobs") or {}) if isinstance(parsed, dict) else {})
    events.artifact("workflow", str(path), "copy it to .github/workflows/ to switch it on")
    return {
        "schema_errors": len(errors),
        "pipeline_problems": len(problems),
        "jobs": len(jobs),
        **found,
        "summary": f"{_relative(path)}: {len(errors)} schema errors, jobs {', '.join(jobs)}",
    }


def reject_broken() -> dict[str, Any]:
    """Break the workflow three ways; each copy must be rejected, with the schema's reason shown."""
    text = WORKFLOW.read_text()
    folder = step_artifacts_dir()
    rejected, accepted = 0, []
    for number, (name, (old, new)) in enumerate(BROKEN.items(), 1):
        if old not in text:
            raise RuntimeError(f"{WORKFLOW}: the line {old.strip()!r} this step breaks is not in the workflow any more")
        path = write_text_atomic(folder / f"broken-{number}.yml", text.replace(old, new, 1))
        errors = schema_errors(path)
        if errors:
            rejected += 1
            events.log(f"✔ {name}: rejected — {errors[0]}")
        else:
            accepted.append(name)
            events.log(f"✘ {name}: ACCEPTED — {path.name} should have been rejected")
    events.log(f"the broken copies are in {folder}; try: check-jsonschema --builtin-schema {SCHEMA} {folder}/broken-1.yml")
    return {
        "rejected": rejected,
        "accepted_broken": len(accepted),
        "summary": f"{rejected} of {len(BROKEN)} broken workflows rejected",
    }


def run_headless(lesson: str = "data-quality", timeout_s: float = 600) -> dict[str, Any]:
    """What CI runs, here: the workbench headless on one lesson with a JUnit report, in a child process."""
    home = workbench_home()
    report = step_artifacts_dir() / "report.xml"
    report.unlink(missing_ok=True)
    command = [sys.executable, "-m", "workbench", "--home", str(home), "--lesson", lesson, "--junit", str(report)]
    events.log("$ " + shlex.join(["mlops-workbench", *command[3:]]))
    env = with_repo_on_path()
    for inner in (ENV_EVENT_FD, ENV_EVENT_STDOUT, ENV_STEP_SPEC, ENV_ARTIFACTS_DIR):  # this step's, not the nested run's
        env.pop(inner, None)
    events.status(f"running the {lesson} lesson headless")
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    assert process.stdout is not None
    for line in process.stdout:
        events.log(f"[ci] {line.rstrip()}")
    try:
        code = process.wait(timeout=max(1.0, timeout_s - (time.perf_counter() - started)))
    except subprocess.TimeoutExpired:
        process.kill()
        raise RuntimeError(f"the headless run of {lesson} took longer than {timeout_s:g} s") from None
    seconds = time.perf_counter() - started
    events.log(f"exit code {code} after {seconds:.1f} s (0: every step passed, 1: a step failed, 2: bad usage)")
    if not report.is_file() and code == 2:
        raise RuntimeError(f"lesson parameter: the workbench refused '{lesson}' (exit code 2: bad usage; the [ci] lines say why)")
    if not report.is_file():
        raise RuntimeError(f"{report}: the headless run (exit code {code}) wrote no JUnit report")
    events.log(f"{report}:")
    for line in report.read_text().splitlines():
        events.log(f"  {line}")
    try:
        root = ET.parse(report).getroot()
    except ET.ParseError as exc:
        raise RuntimeError(f"{report}: not valid XML: {exc}") from None
    cases = root.findall(".//testcase")
    failures = sum(1 for case in cases if case.find("failure") is not None or case.find("error") is not None)
    skipped = sum(1 for case in cases if case.find("skipped") is not None)
    events.artifact("junit", str(report), "what the CI job uploads as report.xml")
    events.metric("headless_seconds", round(seconds, 1))
    return {
        "exit_code": code,
        "junit_testcases": len(cases),
        "junit_failures": failures,
        "junit_skipped": skipped,
        "home": str(home),
        "summary": f"{lesson}: exit {code}, {len(cases)} test cases in the JUnit report, {failures} failing",
    }
