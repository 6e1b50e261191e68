"""`classroom init`: a class folder with a home per learner, secret links shown once, only hashes kept."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.classroom.conftest import make_class, read_links, register_class, workbench_cli
from workbench.classroom.roster import load_class


def test_init_makes_a_home_per_learner_and_keeps_only_hashes_of_the_tokens(tmp_path: Path) -> None:
    root = tmp_path / "class"
    tokens = make_class(root, ("alice", "bob"))
    assert sorted(p.name for p in (root / "homes").iterdir()) == ["alice", "bob"]
    assert set(tokens) == {"instructor", "alice", "bob"}
    assert len(set(tokens.values())) == 3 and all(len(t) >= 32 for t in tokens.values())
    assert stat.S_IMODE((root / "links.txt").stat().st_mode) == 0o600
    stored = (root / "class.json").read_text()
    assert not any(token in stored for token in tokens.values()), "a plain token is stored in class.json"
    classroom = load_class(root)
    assert classroom.who(tokens["alice"]) == "alice"
    assert classroom.who(tokens["instructor"]) == "instructor"
    assert classroom.who(tokens["alice"][:-1] + "x") is None and classroom.who("") is None
    # A second init would print new links for the same homes: refused, the class untouched.
    again = workbench_cli("classroom", "init", str(root), "--seats", "2")
    assert again.returncode == 2 and "already exists" in again.stderr
    assert read_links(root) == tokens


def test_init_with_seats_prints_the_links_once(tmp_path: Path) -> None:
    done = workbench_cli("classroom", "init", str(tmp_path / "c"), "--seats", "3")
    register_class(tmp_path / "c")
    assert done.returncode == 0, done.stderr
    links = read_links(tmp_path / "c")
    assert set(links) == {"instructor", "seat-01", "seat-02", "seat-03"}
    for token in links.values():
        assert token in done.stdout
    assert json.loads((tmp_path / "c" / "class.json").read_text())["hash"] == "hmac-sha256"


def test_a_bad_roster_names_the_file_and_line_and_creates_nothing(tmp_path: Path) -> None:
    cases = {
        "id,name\nalice,A\nBob Smith,B\n": ":3: id 'Bob Smith' is not usable",
        "id,name\nalice,A\nalice,B\n": ":3: id 'alice' already on line 2",
        "name,email\nAlice,a@x\n": ":1: the header",
        "id,name\nalice,A,extra\n": ":2: 3 fields, the header has 2",
        "": ":1: empty roster",
    }
    for n, (text, expected) in enumerate(cases.items()):
        roster = tmp_path / f"roster{n}.csv"
        roster.write_text(text)
        target = tmp_path / f"class{n}"
        done = workbench_cli("classroom", "init", str(target), "--roster", str(roster))
        assert done.returncode == 2, (text, done.stdout, done.stderr)
        assert f"{roster}{expected}" in done.stderr, (text, done.stderr)
        assert not target.exists()
    missing = workbench_cli("classroom", "init", str(tmp_path / "x"), "--roster", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "nope.csv: no such roster file" in missing.stderr
    neither = workbench_cli("classroom", "init", str(tmp_path / "x"))
    assert neither.returncode == 2 and "--roster" in neither.stderr


def test_serve_and_status_refuse_a_folder_that_is_not_a_class(tmp_path: Path) -> None:
    for command in ("serve", "status"):
        done = workbench_cli("classroom", command, str(tmp_path))
        assert done.returncode == 2 and "not a class folder" in done.stderr, done.stderr
