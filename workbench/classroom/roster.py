"""A class folder: one workbench home per learner, a secret link per learner and one for the instructor.

    DIR/class.json      who is in the class and the *hashes* of their tokens (HMAC-SHA256, per-class salt)
    DIR/links.txt       the plain links, mode 0600, written once by ``init`` (only the instructor can read it)
    DIR/homes/<id>/     each learner's workbench home (progress, runs, models, exercises)
    DIR/slots/          the fair-share queue of the class (``step_queue``)
    DIR/sessions.json   who is connected now (written by the server)

``class.json`` also names the Unix group of the class and each learner's Unix user (``isolation``); they
exist on the machine once ``init`` or ``serve`` ran as root.

Tokens are 192 random bits, so a keyed hash is enough to store them (no password stretching needed);
they are compared in constant time (``hmac.compare_digest``) against every entry, no early exit.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.utils.atomic_files import write_json_atomic, write_text_atomic

FORMAT_VERSION = 1
CLASS_FILE = "class.json"
LINKS_FILE = "links.txt"
HOMES_DIR = "homes"
SLOTS_DIR = "slots"
SESSIONS_FILE = "sessions.json"
INSTRUCTOR = "instructor"
LEARNER_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
DEFAULT_URL = "http://127.0.0.1:8000"
MAX_SEATS = 1000


class ClassroomError(ValueError):
    """Bad input (a roster, a class folder) with what is wrong and where: exit code 2."""


@dataclass(frozen=True)
class Learner:
    id: str
    name: str
    token_hash: str
    unix_user: str = ""

    def home(self, class_dir: Path) -> Path:
        return class_dir / HOMES_DIR / self.id


@dataclass(frozen=True)
class Classroom:
    root: Path
    name: str
    salt: str
    instructor_hash: str
    learners: tuple[Learner, ...]
    unix_group: str = ""

    def home(self, learner_id: str) -> Path:
        return self.root / HOMES_DIR / learner_id

    @property
    def slots_dir(self) -> Path:
        return self.root / SLOTS_DIR

    def learner(self, learner_id: str) -> Learner | None:
        return next((learner for learner in self.learners if learner.id == learner_id), None)

    def who(self, token: str) -> str | None:
        """The learner id, ``INSTRUCTOR``, or None; compares against every stored hash in constant time."""
        digest = token_hash(self.salt, token)
        found: str | None = None
        for identity, stored in ((INSTRUCTOR, self.instructor_hash), *((l.id, l.token_hash) for l in self.learners)):
            if hmac.compare_digest(digest, stored):
                found = identity
        return found


def token_hash(salt: str, token: str) -> str:
    return hmac.new(bytes.fromhex(salt), token.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()


def read_roster(path: Path) -> list[tuple[str, str]]:
    """(id, name) per learner from a CSV with a header naming ``id`` (and optionally ``name``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ClassroomError(f"{path}: no such roster file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ClassroomError(f"{path}: cannot read the roster ({exc})") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ClassroomError(f"{path}:1: empty roster; expected a header line with an 'id' column (and 'name')")
    header = [cell.strip().lower() for cell in rows[0]]
    if "id" not in header:
        raise ClassroomError(f"{path}:1: the header {rows[0]!r} has no 'id' column (expected e.g. 'id,name')")
    id_col, name_col = header.index("id"), (header.index("name") if "name" in header else None)
    learners: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ClassroomError(f"{path}:{number}: {len(row)} fields, the header has {len(header)}")
        learner_id = row[id_col].strip()
        if not LEARNER_ID.match(learner_id) or learner_id == INSTRUCTOR:
            raise ClassroomError(
                f"{path}:{number}: id {learner_id!r} is not usable: expected 1-40 of a-z 0-9 . _ - "
                f"starting with a letter or digit (and not {INSTRUCTOR!r})"
            )
        if learner_id in seen:
            raise ClassroomError(f"{path}:{number}: id {learner_id!r} already on line {seen[learner_id]}")
        seen[learner_id] = number
        name = row[name_col].strip() if name_col is not None else learner_id
        learners.append((learner_id, name or learner_id))
    if not learners:
        raise ClassroomError(f"{path}: no learners after the header line")
    if len(learners) > MAX_SEATS:
        raise ClassroomError(f"{path}: {len(learners)} learners; at most {MAX_SEATS} per class folder")
    return learners


def seats(count: int) -> list[tuple[str, str]]:
    if not 1 <= count <= MAX_SEATS:
        raise ClassroomError(f"--seats {count}: expected 1 to {MAX_SEATS}")
    width = max(2, len(str(count)))
    return [(f"seat-{n:0{width}d}", f"Seat {n}") for n in range(1, count + 1)]


def learner_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/l/{token}"


def instructor_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/i/{token}"


def init_class(
    root: Path, learners: list[tuple[str, str]], *, name: str | None = None, base_url: str = DEFAULT_URL
) -> tuple[Classroom, list[tuple[str, str]]]:
    """Create the class folder atomically (built beside it, then renamed into place).

    Returns the class and the plain (who, link) pairs; they exist nowhere else but ``links.txt`` (0600).
    """
    root = root.expanduser().absolute()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ClassroomError(
            f"{root}: already exists and is not an empty folder (a class folder is created once; "
            "its links cannot be printed again)"
        )
    root.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(16)
    instructor_token = secrets.token_urlsafe(24)
    links = [(INSTRUCTOR, instructor_link(base_url, instructor_token))]
    stored: list[dict[str, Any]] = []
    from workbench.classroom.isolation import choose_names

    unix_group, unix_users = choose_names(name or root.name, salt, [learner_id for learner_id, _ in learners])
    for learner_id, learner_name in learners:
        token = secrets.token_urlsafe(24)
        links.append((learner_id, learner_link(base_url, token)))
        stored.append(
            {
                "id": learner_id,
                "name": learner_name,
                "token_hash": token_hash(salt, token),
                "unix_user": unix_users[learner_id],
            }
        )
    document = {
        "format_version": FORMAT_VERSION,
        "name": name or root.name,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "hash": "hmac-sha256",
        "salt": salt,
        "instructor": {"token_hash": token_hash(salt, instructor_token)},
        "learners": stored,
        "unix_group": unix_group,
    }
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".tmp", dir=root.parent))
    try:
        os.chmod(staging, 0o700)  # the links file inside is the only copy of the secrets
        for entry in stored:
            (staging / HOMES_DIR / entry["id"]).mkdir(parents=True)
        (staging / SLOTS_DIR).mkdir()
        write_json_atomic(staging / CLASS_FILE, document)
        width = max(len(who) for who, _ in links)
        write_text_atomic(staging / LINKS_FILE, "".join(f"{who:<{width}}  {link}\n" for who, link in links))
        os.chmod(staging / LINKS_FILE, 0o600)
        if root.exists():
            root.rmdir()  # empty (checked above): the rename below puts the whole class in its place at once
        os.rename(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return load_class(root), links


def load_class(root: Path) -> Classroom:
    root = root.expanduser().absolute()
    path = root / CLASS_FILE
    if not path.is_file():
        raise ClassroomError(f"{root}: not a class folder (no {CLASS_FILE}; create one with `classroom init`)")
    try:  # never moved aside like a home's files: without it the class has no tokens
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ClassroomError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise ClassroomError(f"{path}: expected a JSON object")
    try:
        salt = str(data["salt"])
        bytes.fromhex(salt)
        learners = tuple(
            Learner(str(e["id"]), str(e.get("name") or e["id"]), str(e["token_hash"]), str(e.get("unix_user") or ""))
            for e in data["learners"]
        )
        instructor = str(data["instructor"]["token_hash"])
        unix_group = str(data.get("unix_group") or "")
    except (KeyError, TypeError, ValueError) as exc:
        raise ClassroomError(f"{path}: not a class file this workbench understands (missing or bad {exc})") from None
    for learner in learners:
        if not LEARNER_ID.match(learner.id):
            raise ClassroomError(f"{path}: learner id {learner.id!r} is not usable")
    return Classroom(
        root=root,
        name=str(data.get("name") or root.name),
        salt=salt,
        instructor_hash=instructor,
        learners=learners,
        unix_group=unix_group,
    )


def save_unix_names(classroom: Classroom, group: str, users: dict[str, str]) -> Classroom:
    """Record the class's Unix group and learners' users in class.json (for a class made before they existed)."""
    path = classroom.root / CLASS_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["unix_group"] = group
    for entry in data["learners"]:
        entry["unix_user"] = users[str(entry["id"])]
    write_json_atomic(path, data)  # mkstemp's 0600: only the instructor reads it
    return load_class(classroom.root)
