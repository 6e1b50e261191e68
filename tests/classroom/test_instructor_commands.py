"""The instructor's commands refuse what would hurt the class and never touch a learner's files.

`classroom status` only reads: a learner's hand-edited or damaged progress.json stays exactly as it is (bytes,
owner, mode, nothing beside it), and each damaged file is named in one line. The report paths (--csv, --junit)
are checked before anything runs, like the headless --junit: no folder is made, nothing of the class is written
over. `manifests`, `init` and `serve` refuse values the Kubernetes API server or a browser would reject.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.classroom.conftest import make_class, register_class, workbench_cli
from tests.conftest import FIXTURE_CURRICULUM

LESSONS = {"WORKBENCH_LESSONS_DIR": str(FIXTURE_CURRICULUM)}
HAND_EDIT = '{"lessons":{"check-the-machine":{"status":"passed","steps":{}},"bogus":[1]}}'


def _snapshot(home: Path) -> dict[str, tuple[bytes | str, int, int, int]]:
    """Every entry of a home: its bytes (or link target), owner, group and mode."""
    found = {}
    for path in sorted(home.rglob("*")):
        st = path.lstat()
        content = os.readlink(path) if path.is_symlink() else path.read_bytes()
        found[str(path.relative_to(home))] = (content, st.st_uid, st.st_gid, st.st_mode)
    return found


def _as_home_owner(path: Path) -> None:
    st = path.parent.stat()
    os.chown(path, st.st_uid, st.st_gid, follow_symlinks=False)


def test_status_reads_damaged_progress_without_touching_it_and_names_each_file_once(tmp_path: Path) -> None:
    root = tmp_path / "cstatus"  # its own Unix names: tests run in parallel
    make_class(root, ("alice", "bob", "carol", "dave"))
    homes = {who: root / "homes" / who for who in ("alice", "bob", "carol", "dave")}
    (homes["alice"] / "progress.json").write_text(HAND_EDIT)  # salvageable: one good lesson, one bad entry
    (homes["bob"] / "progress.json").write_bytes(b"garbage\x00")  # not JSON at all
    os.symlink(homes["alice"] / "progress.json", homes["carol"] / "progress.json")  # carol borrows alice's passes
    for who in ("alice", "bob", "carol"):
        _as_home_owner(homes[who] / "progress.json")
    before = {who: _snapshot(home) for who, home in homes.items()}

    done = workbench_cli("classroom", "status", str(root), "--json", env=LESSONS)

    assert done.returncode == 0, done.stderr
    assert {who: _snapshot(home) for who, home in homes.items()} == before, "status changed a learner's home"
    lines = done.stderr.splitlines()
    assert len(lines) == 3, done.stderr
    for who in ("alice", "bob", "carol"):
        named = [line for line in lines if str(homes[who] / "progress.json") in line]
        assert len(named) == 1 and f"learner {who}" in named[0], done.stderr
    assert "bogus" in next(line for line in lines if "alice" in line)
    rows = {row["id"]: row for row in json.loads(done.stdout)["learners"]}
    assert rows["alice"]["lessons"]["check-the-machine"]["state"] == "passed" and rows["alice"]["passed"] == 1
    assert rows["carol"]["passed"] == 0, "a learner's progress.json linked to another's was followed"
    assert rows["bob"]["passed"] == 0
    for who in ("alice", "bob", "carol"):
        assert str(homes[who] / "progress.json") in rows[who]["progress_problem"]
    assert rows["dave"]["progress_problem"] is None

    table = workbench_cli("classroom", "status", str(root), env=LESSONS)  # the table names them the same way
    assert table.returncode == 0 and table.stderr == done.stderr
    assert {who: _snapshot(home) for who, home in homes.items()} == before


def test_status_checks_the_report_paths_before_anything_and_never_writes_over_the_class(tmp_path: Path) -> None:
    root = tmp_path / "creports"  # its own Unix names: tests run in parallel
    make_class(root, ("alice",))
    kept = {name: (root / name).read_bytes() for name in ("class.json", "links.txt")}
    home = root / "homes" / "alice"
    refused = {
        ("--csv", "/proc/x.csv"): "cannot write in /proc",
        ("--csv", str(tmp_path / "nowhere" / "x.csv")): "does not exist",
        ("--junit", str(tmp_path / "nowhere" / "x.xml")): "does not exist",
        ("--csv", str(root / "class.json")): "the class's own",
        ("--junit", str(root / "links.txt")): "the class's own",
        ("--csv", str(home / "progress.json")): "the class's own",
        ("--junit", str(root / "homes" / "grades.xml")): "the class's own",
    }
    for (option, path), why in refused.items():
        for extra in ((), ("--json",)):
            done = workbench_cli("classroom", "status", str(root), option, path, *extra, env=LESSONS)
            assert done.returncode == 2, (option, path, done.stderr)
            assert len(done.stderr.splitlines()) == 1, done.stderr
            assert f"{option} {path}" in done.stderr and why in done.stderr, done.stderr
            assert "Traceback" not in done.stderr and done.stdout == ""
    assert not (tmp_path / "nowhere").exists(), "a missing folder was created"
    assert {name: (root / name).read_bytes() for name in kept} == kept
    assert sorted(p.name for p in home.iterdir()) == [] and not (root / "homes" / "grades.xml").exists()
    # Beside the class's own files is fine: the gradebook, and the class still works afterwards.
    done = workbench_cli(
        "classroom", "status", str(root), "--json", "--csv", str(root / "grades.csv"), "--junit", str(tmp_path / "g.xml")
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["learners"][0]["id"] == "alice"
    assert (root / "grades.csv").read_text().startswith("learner,name,") and (tmp_path / "g.xml").exists()
    assert workbench_cli("classroom", "status", str(root)).returncode == 0


def test_manifests_refuse_what_the_api_server_would_reject(tmp_path: Path) -> None:
    root = tmp_path / "ck8s"  # its own Unix names: tests run in parallel
    make_class(root, ("alice",))
    cases = {
        ("--memory-request", "1Gi", "--memory-limit", "100Mi"): ("--memory-request 1Gi", "--memory-limit 100Mi"),
        ("--cpu-request", "1500m", "--cpu-limit", "1"): ("--cpu-request 1500m", "--cpu-limit 1"),
        ("--cpu-request", "2"): ("--cpu-request 2", "--cpu-limit 1 (the default)"),
        ("--memory-limit", "100Mi"): ("--memory-request 384Mi (the default)", "--memory-limit 100Mi"),
        ("--memory-limit", "lots"): ("--memory-limit 'lots'", "Kubernetes quantity"),
        ("--namespace", "Bad_NS"): ("--namespace 'Bad_NS'", "DNS-1123 label"),
        ("--ingress-namespace", "-x"): ("--ingress-namespace '-x'", "DNS-1123 label"),
    }
    for args, expected in cases.items():
        done = workbench_cli("classroom", "manifests", str(root), "--host", "class.example.org", *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert len(done.stderr.splitlines()) == 1 and all(part in done.stderr for part in expected), done.stderr
        assert "validated" not in done.stdout and not (root / "kubernetes").exists()
    equal = workbench_cli(
        "classroom", "manifests", str(root), "--host", "class.example.org", "--cpu-request", "500m", "--cpu-limit", "0.5",
        "--memory-request", "1Gi", "--memory-limit", "1024Mi", "--namespace", "ml-101",
    )  # fmt: skip
    assert equal.returncode == 0, equal.stderr
    assert (root / "kubernetes" / "classroom.yaml").exists()


@pytest.mark.parametrize("url", ["notaurl", "class.example.org", "ftp://class.example.org", "http://", "https:///x"])
def test_init_refuses_a_url_that_is_not_http_before_creating_anything(tmp_path: Path, url: str) -> None:
    target = tmp_path / "c"
    register_class(target)
    done = workbench_cli("classroom", "init", str(target), "--seats", "2", "--url", url)
    assert done.returncode == 2, done.stdout + done.stderr
    assert len(done.stderr.splitlines()) == 1 and f"--url {url!r}" in done.stderr and "http" in done.stderr
    assert done.stdout == "" and not target.exists()


def test_serve_refuses_a_public_url_that_is_not_http(tmp_path: Path) -> None:
    root = tmp_path / "cserve"  # its own Unix names: tests run in parallel
    make_class(root, ("alice",))
    done = workbench_cli("classroom", "serve", str(root), "--port", "0", "--public-url", "class.example.org", timeout=30)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--public-url 'class.example.org'" in done.stderr and "serving" not in done.stdout


def test_every_classroom_option_help_is_a_sentence_and_the_help_fits_80_columns() -> None:
    import typer

    from workbench.classroom.cli import classroom_app

    group = typer.main.get_command(classroom_app)
    fragments = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]  # a click Group
        for param in command.params:
            text = getattr(param, "help", None) or ""
            if param.name != "help" and (len(text.split()) < 4 or not text[:1].isupper() or not text.endswith(".")):
                fragments.append(f"{name} {param.opts[0]}: {text!r}")
        shown = workbench_cli("classroom", name, "--help", env={"COLUMNS": "80"})
        assert shown.returncode == 0, shown.stderr
        wide = [line for line in shown.stdout.splitlines() if len(line) > 80]
        assert not wide, f"classroom {name} --help is wider than 80 columns: {wide}"
    assert not fragments, "help texts that are not whole sentences:\n" + "\n".join(fragments)


def test_a_report_path_that_links_to_the_class_json_is_refused_and_a_link_elsewhere_is_written_through(tmp_path: Path) -> None:
    """A report is written where a link points (as the user meant: the link stays): a link to class.json is the
    class's own file, refused; a link to a gradebook elsewhere gets the report and stays a link."""
    root = tmp_path / "clink"  # its own Unix names: tests run in parallel
    make_class(root, ("alice",))
    kept = (root / "class.json").read_bytes()
    link = tmp_path / "grades.csv"
    os.symlink(root / "class.json", link)
    done = workbench_cli("classroom", "status", str(root), "--csv", str(link))
    assert done.returncode == 2 and "is the class's own (class.json)" in done.stderr, done.stderr
    assert (root / "class.json").read_bytes() == kept and link.is_symlink()
    gradebook, other = tmp_path / "gradebook.csv", tmp_path / "latest.csv"
    gradebook.write_text("old\n")
    os.symlink(gradebook, other)
    done = workbench_cli("classroom", "status", str(root), "--csv", str(other))
    assert done.returncode == 0, done.stderr
    assert other.is_symlink() and gradebook.read_text().startswith("learner,name,")
