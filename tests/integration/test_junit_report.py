"""The headless runner's JUnit report is what CI servers read (issue 16), and its path is checked first (issue 20 item 11).

A real headless run over fixture lessons whose steps pass, fail a check, crash,
time out, skip themselves, or never run (a failed prerequisite); the XML is
validated against Jenkins' junit-10.xsd (tests/fixtures) and read back with
junitparser, a real JUnit consumer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from xml.etree import ElementTree

import junitparser
import pytest
import xmlschema

pytestmark = pytest.mark.slow
XSD = Path(__file__).resolve().parents[1] / "fixtures" / "junit-10.xsd"

STEPS = """
import os, shutil, time
from shared import events

def passes() -> dict:
    return {"ok": True}

def scores_low() -> dict:
    return {"score": 0.1}

def dies() -> dict:
    print("leaving without a result", flush=True)
    os._exit(3)

def hangs() -> dict:
    time.sleep(60)
    return {}

def not_here() -> dict:
    raise events.StepSkipped("no engine on this machine")

def removes(path: str) -> dict:
    shutil.rmtree(path)
    return {"ok": True}
"""

LESSONS = {
    "010-gate": (
        "gate",
        [],
        [
            ("passes", "passes", '{ output = "ok", equals = true }', 60),
            ("scores-low", "scores_low", '{ output = "score", min = 0.5 }', 60),
            ("never-reached", "passes", '{ output = "ok", equals = true }', 60),
        ],
    ),
    "020-crash": ("crash", [], [("dies", "dies", '{ output = "ok", equals = true }', 60)]),
    "030-slow": ("slow", [], [("hangs", "hangs", '{ output = "ok", equals = true }', 1)]),
    "040-elsewhere": (
        "elsewhere",
        [],
        [
            ("not-here", "not_here", '{ output = "ok", equals = true }', 60),
            ("then", "passes", '{ output = "ok", equals = true }', 60),
        ],
    ),
    "050-after-gate": ("after-gate", ["gate"], [("passes", "passes", '{ output = "ok", equals = true }', 60)]),
}


def write_lessons(root: Path, extra_step_params: str = "") -> Path:
    for folder, (lesson_id, prerequisites, steps) in LESSONS.items():
        path = root / folder
        path.mkdir(parents=True)
        (path / "README.md").write_text(f"# {lesson_id}\n\nA fixture lesson for the JUnit report.\n")
        (path / "steps.py").write_text(STEPS)
        toml = [
            f'format_version = 1\nid = "{lesson_id}"\ntitle = "{lesson_id}"\nlayer = "shared"\n'
            f'summary = "fixture"\nobjectives = ["run"]\nprerequisites = {json.dumps(prerequisites)}\n'
        ]
        for step_id, function, check, timeout_s in steps:
            toml.append(
                f'[[steps]]\nid = "{step_id}"\ntitle = "{step_id}"\nentry = "steps.py:{function}"\n'
                f"timeout_s = {timeout_s}\nchecks = [{check}]\n"
            )
        (path / "lesson.toml").write_text("\n".join(toml))
    return root


def test_the_junit_report_validates_against_junit_10_xsd_and_says_failure_error_or_skipped(cli, tmp_path):
    lessons = write_lessons(tmp_path / "lessons")
    report = tmp_path / "junit.xml"
    result = cli(
        "--lesson",
        "gate,crash,slow,elsewhere,after-gate",
        "--lessons-dir",
        str(lessons),
        "--junit",
        str(report),
        "--json",
        "--plain",
    )
    assert result.returncode == 1, result.stderr[-3000:]
    statuses = {lesson["id"]: [step["status"] for step in lesson["steps"]] for lesson in result.json()["lessons"]}
    assert statuses == {
        "gate": ["passed", "failed", "skipped"],
        "crash": ["crashed"],
        "slow": ["timeout"],
        "elsewhere": ["skipped", "passed"],
        "after-gate": [],
    }

    xmlschema.XMLSchema(str(XSD)).validate(str(report))  # raises with the offending element if not valid

    xml = junitparser.JUnitXml.fromfile(str(report))
    seen = {}
    for suite in xml:
        seen[suite.name] = (suite.tests, suite.failures, suite.errors, suite.skipped)
        for case in suite:
            kinds = [type(result).__name__ for result in case.result]
            seen[f"{suite.name}/{case.name}"] = kinds[0] if kinds else "passed"
    assert seen == {
        "gate": (3, 1, 0, 1),
        "gate/passes": "passed",
        "gate/scores-low": "Failure",
        "gate/never-reached": "Skipped",
        "crash": (1, 0, 1, 0),
        "crash/dies": "Error",
        "slow": (1, 0, 1, 0),
        "slow/hangs": "Error",
        "elsewhere": (2, 0, 0, 1),
        "elsewhere/not-here": "Skipped",
        "elsewhere/then": "passed",
        "after-gate": (1, 0, 1, 0),
        "after-gate/(lesson)": "Error",
    }
    cases = {f"{suite.name}/{case.name}": case for suite in xml for case in suite}
    assert cases["crash/dies"].result[0].type == "crashed" and "exited with code 3" in cases["crash/dies"].result[0].message
    assert cases["slow/hangs"].result[0].type == "timeout" and "timed out after 1 s" in cases["slow/hangs"].result[0].message
    assert "prerequisite 'gate' did not pass" in cases["after-gate/(lesson)"].result[0].message
    root = ElementTree.parse(report).getroot()  # the totals over all suites
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("8", "1", "3")


def test_a_junit_path_in_a_missing_folder_is_bad_usage_before_anything_runs_and_creates_nothing(cli, tmp_path, home):
    lessons = write_lessons(tmp_path / "lessons")
    missing = tmp_path / "not" / "there"
    for target in (missing / "x.xml", Path("/nonexistent/dir/x.xml")):
        existed = Path("/nonexistent").exists()
        result = cli("--lesson", "gate", "--lessons-dir", str(lessons), "--junit", str(target), "--plain")
        assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
        assert "does not exist" in result.stderr and str(target.parent) in result.stderr
        assert "passes" not in result.stdout  # no step ran
    assert not (tmp_path / "not").exists()
    assert existed or not Path("/nonexistent").exists()


@pytest.mark.parametrize("where", ["a folder", "inside a file", "an unwritable folder"])
def test_an_unwritable_junit_path_is_bad_usage_before_anything_runs(cli, tmp_path, where):
    lessons = write_lessons(tmp_path / "lessons")
    (tmp_path / "file.txt").write_text("not a folder")
    target = {
        "a folder": tmp_path,
        "inside a file": tmp_path / "file.txt" / "x.xml",
        "an unwritable folder": Path("/proc/x.xml"),
    }[where]
    if where == "an unwritable folder" and not Path("/proc").is_dir():
        pytest.skip("needs /proc, a folder nobody can create files in (even root)")
    result = cli("--lesson", "gate", "--lessons-dir", str(lessons), "--junit", str(target), "--plain")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "--junit" in result.stderr and str(target) in result.stderr  # (a folder: typer's own check says so)
    assert "passes" not in result.stdout


def test_the_json_document_is_written_even_when_the_junit_report_cannot_be(cli, tmp_path):
    lessons = tmp_path / "lessons"
    folder = lessons / "060-cleaner"
    folder.mkdir(parents=True)
    out = tmp_path / "reports"
    out.mkdir()
    (folder / "README.md").write_text("# cleaner\n\nRemoves the report folder while it runs.\n")
    (folder / "steps.py").write_text(STEPS)
    (folder / "lesson.toml").write_text(
        'format_version = 1\nid = "cleaner"\ntitle = "cleaner"\nlayer = "shared"\nsummary = "fixture"\nobjectives = ["run"]\n'
        f'prerequisites = []\n\n[[steps]]\nid = "removes"\ntitle = "removes"\nentry = "steps.py:removes"\n'
        f'params = {{ path = "{out}" }}\ntimeout_s = 60\nchecks = [{{ output = "ok", equals = true }}]\n'
    )
    result = cli("--lesson", "cleaner", "--lessons-dir", str(lessons), "--junit", str(out / "x.xml"), "--json", "--plain")
    assert result.returncode == 1
    assert result.json()["passed"] is True  # the run passed; only the report could not be written
    assert f"--junit {out / 'x.xml'}: not written" in result.stderr
    assert not out.exists()  # not re-created


def _run_gate_step(cli, lessons: Path, target: Path):
    return cli("--lesson", "gate", "--step", "passes", "--lessons-dir", str(lessons), "--junit", str(target), "--plain")


def test_a_junit_path_that_is_a_link_a_pipe_or_a_new_file_gets_the_report_as_the_user_meant(cli, tmp_path):
    """A link keeps pointing where it did (its target gets the report), a pipe's reader gets the report (the pipe
    was once replaced by a file, its reader blocked for ever), and a new file has the umask's mode, not 0600."""
    import stat
    import threading

    lessons = write_lessons(tmp_path / "lessons")
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    link, target = tmp_path / "link.xml", artifacts / "junit.xml"
    os.symlink(target, link)
    assert _run_gate_step(cli, lessons, link).returncode == 0
    assert link.is_symlink() and ElementTree.parse(target).getroot().tag == "testsuites"

    pipe = tmp_path / "pipe.xml"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    assert _run_gate_step(cli, lessons, pipe).returncode == 0
    reader.join(30)
    assert stat.S_ISFIFO(pipe.lstat().st_mode) and received and b"<testsuites" in received[0]

    fresh = tmp_path / "fresh.xml"
    assert _run_gate_step(cli, lessons, fresh).returncode == 0
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # the CI's artifact reader can read it


def test_a_junit_report_to_a_full_device_says_it_was_not_written_and_leaves_the_device(cli, tmp_path):
    import stat

    full = Path("/dev/full")
    if not (full.exists() and stat.S_ISCHR(full.stat().st_mode)):
        pytest.skip("needs /dev/full, a device that answers every write with 'no space left'")
    lessons = write_lessons(tmp_path / "lessons")
    result = _run_gate_step(cli, lessons, full)
    assert result.returncode != 0 and "written to /dev/full" not in result.stdout + result.stderr
    assert stat.S_ISCHR(full.stat().st_mode)  # still the device (it was once replaced by an XML file)
