"""The ci-pipeline lesson's steps: validate the GitHub Actions workflow offline, reject broken ones, run CI's command locally.

    validate-workflow  check-jsonschema with its built-in (vendored) GitHub workflow schema, then what the pipeline must do
    reject-broken      three broken copies of the workflow, each rejected with the schema's message
    run-headless       `python -m workbench --lesson data-quality --junit …` in a child process, and the JUnit file it wrote

The workbench is started as a command (``python -m workbench``), never
imported: the infrastructure layer may not import the presentation layer.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from shared import events
from shared.configs.repository import REPO_ROOT, with_repo_on_path
from shared.configs.workbench_home import step_artifacts_dir, workbench_home
from shared.constants import ENV_ARTIFACTS_DIR, ENV_EVENT_FD, ENV_EVENT_STDOUT, ENV_STEP_SPEC
from shared.utils.atomic_files import write_text_atomic

WORKFLOW = Path(__file__).resolve().parent / "workbench.yml"
SCHEMA = "vendor.github-workflows"
BROKEN = {  # what is broken: (text in workbench.yml, what replaces it)
    "a misspelt trigger (pull_requests)": ("  pull_request:\n", "  pull_requests:\n"),
    "a job without runs-on": ("    runs-on: ubuntu-24.04\n", ""),
    "a timeout in words": ("    timeout-minutes: 90\n", "    timeout-minutes: ninety\n"),
}


def say(text: str) -> None:
    events.log(text)


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def check_jsonschema_binary() -> str:
    candidate = Path(sys.executable).with_name("check-jsonschema")
    if not candidate.exists():
        raise RuntimeError("check-jsonschema not found next to this Python: pip install 'mlops-workbench[docker]'")
    return str(candidate)


def schema_errors(path: Path) -> list[str]:
    """check-jsonschema's errors for one workflow file (empty: valid), each as 'where: why'."""
    done = subprocess.run([check_jsonschema_binary(), "--builtin-schema", SCHEMA, "--output-format", "json", "--verbose",
                           str(path)],
                          capture_output=True, text=True, timeout=120)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"check-jsonschema {path}: exit code {done.returncode}: {(done.stdout + done.stderr)[-400:]}") from None
    errors = []
    for error in report.get("parse_errors", []):
        errors.append(f"{path.name}: cannot be parsed: {error.get('message', error)}")
    for error in report.get("errors", []):
        deepest = error.get("best_deep_match") or error.get("best_match") or error
        if str(deepest.get("message", "")).startswith(("{", "[")):  # it repeats the whole value: a sub-error says more
            telling = [c for c in error.get("sub_errors") or [] if not str(c.get("message", "")).startswith(("{", "["))]
            telling.sort(key=lambda c: "was unexpected" not in c["message"])
            deepest = telling[0] if telling else deepest
        message = deepest.get("message", "")
        if len(message) > 220:
            message = message[:220] + "…]"
        errors.append(f"{deepest.get('path', error.get('path'))}: {message}")
    if done.returncode != 0 and not errors:
        errors.append(f"check-jsonschema exited with {done.returncode}: {done.stderr.strip()[-300:]}")
    return errors


def pipeline_problems(workflow: dict[str, Any]) -> tuple[list[str], dict[str, bool]]:
    """What this project's CI must do, beyond a valid file: make test, every lesson as JUnit, the report uploaded."""
    steps = [step for job in (workflow.get("jobs") or {}).values() if isinstance(job, dict)
             for step in job.get("steps") or [] if isinstance(step, dict)]
    runs = " ".join(str(step.get("run", "")) for step in steps)
    uploads = [step for step in steps if str(step.get("uses", "")).startswith("actions/upload-artifact@")]
    found = {
        "runs_make_test": "make test" in runs,
        "runs_lessons_as_junit": "--lesson all" in runs and "--junit report.xml" in runs,
        "uploads_report": any("report.xml" in str((step.get("with") or {}).get("path", "")) for step in uploads),
        "uploads_even_on_failure": any("always()" in str(step.get("if", "")) for step in uploads),
    }
    problems = [f"{WORKFLOW.name}: {name.replace('_', ' ')}: not found" for name, ok in found.items() if not ok]
    return problems, found


def validate_workflow(workflow: str = "") -> dict[str, Any]:
    """``workflow``: a workflow file to check instead of the project's."""
    import yaml

    path = Path(workflow) if workflow else WORKFLOW
    if not path.is_file():
        raise RuntimeError(f"workflow parameter: {path} is not a file")
    say(f"$ check-jsonschema --builtin-schema {SCHEMA} {_relative(path)}")
    errors = schema_errors(path)
    for error in errors:
        say(f"  {error}")
    say("ok -- the schema ships inside check-jsonschema (vendored), so no network was needed" if not errors
        else f"{len(errors)} schema errors")
    try:
        parsed = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise RuntimeError(f"{path}: not valid YAML: {exc}") from None
    problems, found = pipeline_problems(parsed if isinstance(parsed, dict) else {})
    for name, ok in found.items():
        say(f"  {'✔' if ok else '✘'} {name.replace('_', ' ')}")
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
            say(f"✔ {name}: rejected — {errors[0]}")
        else:
            accepted.append(name)
            say(f"✘ {name}: ACCEPTED — {path.name} should have been rejected")
    say(f"the broken copies are in {folder}; try: check-jsonschema --builtin-schema {SCHEMA} {folder}/broken-1.yml")
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
    say("$ " + shlex.join(["mlops-workbench", *command[3:]]))
    env = with_repo_on_path()
    for inner in (ENV_EVENT_FD, ENV_EVENT_STDOUT, ENV_STEP_SPEC, ENV_ARTIFACTS_DIR):  # this step's, not the nested run's
        env.pop(inner, None)
    events.status(f"running the {lesson} lesson headless")
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, bufsize=1)
    assert process.stdout is not None
    for line in process.stdout:
        say(f"[ci] {line.rstrip()}")
    try:
        code = process.wait(timeout=max(1.0, timeout_s - (time.perf_counter() - started)))
    except subprocess.TimeoutExpired:
        process.kill()
        raise RuntimeError(f"the headless run of {lesson} took longer than {timeout_s:g} s") from None
    seconds = time.perf_counter() - started
    say(f"exit code {code} after {seconds:.1f} s (0: every step passed, 1: a step failed, 2: bad usage)")
    if not report.is_file() and code == 2:
        raise RuntimeError(f"lesson parameter: the workbench refused '{lesson}' (exit code 2: bad usage; the [ci] lines say why)")
    if not report.is_file():
        raise RuntimeError(f"{report}: the headless run (exit code {code}) wrote no JUnit report")
    say(f"{report}:")
    for line in report.read_text().splitlines():
        say(f"  {line}")
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
