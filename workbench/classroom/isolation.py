"""A Unix user per learner: a learner's code (their steps, their exercises) cannot touch another learner's home.

When the classroom server runs as root, every learner's app — and so every step and exercise check it
starts — runs as that learner's own Unix user (``setresuid``/``setresgid``/``setgroups`` in the child
before ``exec``, by :mod:`subprocess`'s ``user``/``group``/``extra_groups``):

    wb-<class>            one group per class; its members share the class's step queue (slots/, 2770)
    wb-<class>-<id>       one user per learner: no login shell (nologin), locked password, a private group,
                          home directory = the learner's workbench home
    wb-learners           every learner of every class on this machine: the one group to let cross a private
                          folder on the way to Python (``setfacl -m g:wb-learners:x /root``)

The class folder becomes:

    DIR/                  0711 root            (crossable to reach a home; not listable)
    DIR/class.json        0600 root            (the token hashes: learners cannot read them)
    DIR/links.txt         0600 root            (the plain links)
    DIR/sessions.json     0600 root
    DIR/homes/            0711 root
    DIR/homes/<id>/       0700 <learner>       (everything in it belongs to the learner)
    DIR/slots/            2770 root:wb-<class> (the queue: the class's learners only)

It protects files: another learner's home (read and write), the class's token hashes and links, the
repository and the venv (readable, not writable). It does not protect CPU, memory or disk space (one
learner's step can slow the machine for everyone: the queue limits how many steps run, not what a step
does), the network (a learner's code reaches whatever the server reaches, including a service another
learner started on 127.0.0.1), /tmp (shared, sticky) or privacy of process lists (``ps`` shows every
learner's command lines). A lesson that needs the Docker Engine does not work for an isolated learner:
access to the Docker socket is root on the machine, so it is not given.
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.classroom.roster import (
    CLASS_FILE,
    HOMES_DIR,
    LINKS_FILE,
    SESSIONS_FILE,
    Classroom,
    ClassroomError,
    save_unix_names,
)

ALL_LEARNERS_GROUP = "wb-learners"
NAME_MAX = 32  # useradd's limit on most systems
COMMENT = "mlops-workbench classroom learner"
UMASK = 0o007  # files a learner creates are theirs and their group's (their private group; the class group in slots/)
NOLOGIN = next((p for p in ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false") if os.path.exists(p)), "/bin/false")
CHECK_TIMEOUT_S = 120.0
LOCK_RETRIES = 10
ROOT_HINT = "run `classroom serve` (and `init`) as root for a Unix user per learner"


class IsolationError(RuntimeError):
    """The machine cannot isolate the learners as asked (no useradd, Python out of their reach): exit code 1."""


@dataclass(frozen=True)
class Account:
    """The Unix identity a learner's app runs as."""

    learner: str
    user: str
    uid: int
    gid: int
    groups: tuple[int, ...]

    def spawn_kwargs(self) -> dict[str, Any]:
        """Arguments for ``subprocess`` / ``asyncio.create_subprocess_exec``: become this user before ``exec``."""
        return {"user": self.uid, "group": self.gid, "extra_groups": list(self.groups), "umask": UMASK}

    def environment(self, home: Path) -> dict[str, str]:
        return {"HOME": str(home), "USER": self.user, "LOGNAME": self.user, "SHELL": NOLOGIN}


# XDG folders of the server's user (root's /run/user/0, ~/.cache) must not leak into a learner's app.
FOREIGN_VARIABLES = ("XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "MAIL")


def available() -> bool:
    """True when this process can give each learner a Unix user (it runs as root)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def not_isolated_warning(reason: str) -> str:
    return (
        f"warning: learners are not isolated from each other ({reason}): every learner's app, steps and exercises "
        f"run as {_current_user()} and a learner's code can read and write any other learner's home; "
        f"{ROOT_HINT} (see the README's classroom section)"
    )


def _current_user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid {os.geteuid()}"


# -- names -------------------------------------------------------------------------------------------------


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def user_name(group: str, learner_id: str) -> str:
    name = f"{group}-{learner_id}"
    if len(name) <= NAME_MAX:
        return name
    return f"{group}-{hashlib.sha256(learner_id.encode()).hexdigest()[:8]}"


def choose_names(class_name: str, salt: str, learner_ids: list[str]) -> tuple[str, dict[str, str]]:
    """The class's group and one user name per learner, none of them taken on this machine yet."""
    slug = re.sub(r"[^a-z0-9]+", "", class_name.lower())[:10] or "class"
    for group in (f"wb-{slug}", *(f"wb-{slug}-{salt[:n]}" for n in (4, 8, 12))):
        users = {learner: user_name(group, learner) for learner in learner_ids}
        if not _group_exists(group) and not any(_user_exists(user) for user in users.values()):
            return group, users
    raise ClassroomError(f"no free Unix group name for class {class_name!r} (tried wb-{slug} and 3 salted names)")


# -- accounts --------------------------------------------------------------------------------------------------


def _run(argv: list[str]) -> None:
    if shutil.which(argv[0]) is None:
        raise IsolationError(
            f"{argv[0]} not found: a Unix user per learner needs the shadow tools (Debian: apt-get install passwd); "
            "or serve with --no-isolation (learners are then not isolated from each other)"
        )
    for attempt in range(LOCK_RETRIES):  # another useradd (a parallel test, another class) holds /etc/passwd's lock
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode == 0 or "lock" not in (done.stderr + done.stdout).lower():
            break
        time.sleep(0.2 * (attempt + 1))
    if done.returncode != 0:
        raise IsolationError(f"{' '.join(argv)} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}")


def _ensure_group(name: str) -> int:
    if not _group_exists(name):
        _run(["groupadd", "-f", name])
    return grp.getgrnam(name).gr_gid


def ensure_accounts(classroom: Classroom) -> tuple[int, dict[str, Account]]:
    """Create the class's group and each learner's user where missing; returns (class gid, accounts).

    A user that exists must be this class's (its home directory is the learner's home), else refused.
    """
    if not classroom.unix_group:
        group, users = choose_names(classroom.name, classroom.salt, [learner.id for learner in classroom.learners])
        classroom = save_unix_names(classroom, group, users)
    all_gid = _ensure_group(ALL_LEARNERS_GROUP)
    class_gid = _ensure_group(classroom.unix_group)
    accounts: dict[str, Account] = {}
    for learner in classroom.learners:
        home = classroom.home(learner.id)
        name = learner.unix_user or user_name(classroom.unix_group, learner.id)
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            _run(
                [
                    "useradd",
                    "--no-create-home",
                    "--home-dir", str(home),
                    "--shell", NOLOGIN,
                    "--user-group",
                    "--groups", f"{classroom.unix_group},{ALL_LEARNERS_GROUP}",
                    "--comment", f"{COMMENT} {learner.id} of {classroom.root}",
                    name,
                ]
            )  # fmt: skip
            entry = pwd.getpwnam(name)
        else:
            if entry.pw_dir != str(home):
                raise ClassroomError(
                    f"the Unix user {name} exists and is not this class's learner {learner.id!r} "
                    f"(its home is {entry.pw_dir}, expected {home}); remove it or rename the class"
                )
            member_of = {g.gr_gid for g in grp.getgrall() if name in g.gr_mem}
            if not {class_gid, all_gid} <= member_of:
                _run(["usermod", "--append", "--groups", f"{classroom.unix_group},{ALL_LEARNERS_GROUP}", name])
        accounts[learner.id] = Account(learner.id, name, entry.pw_uid, entry.pw_gid, (class_gid, all_gid))
    return class_gid, accounts


def _give(home: Path, uid: int, gid: int) -> int:
    """Make everything in ``home`` the learner's (without following a symbolic link or hard-linked file). Count."""
    changed = 0
    st = os.lstat(home)
    if st.st_uid != uid or st.st_gid != gid:
        os.chown(home, uid, gid, follow_symlinks=False)
        changed += 1
    os.chmod(home, 0o700)
    # fwalk holds each folder open: a folder swapped for a symlink mid-walk is not followed.
    for _, dirnames, filenames, dir_fd in os.fwalk(home, follow_symlinks=False):
        for name in (*dirnames, *filenames):
            try:
                entry = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            if entry.st_uid == uid or (not stat.S_ISDIR(entry.st_mode) and entry.st_nlink > 1):
                continue  # a hard link could be someone else's file: never handed over
            os.chown(name, uid, gid, dir_fd=dir_fd, follow_symlinks=False)
            changed += 1
    return changed


def secure_folder(classroom: Classroom, accounts: dict[str, Account]) -> None:
    """Owners and modes of the class folder for isolated learners (see the module's docstring)."""
    root = classroom.root
    os.chown(root, 0, 0)
    os.chmod(root, 0o711)
    (root / HOMES_DIR).mkdir(exist_ok=True)
    os.chown(root / HOMES_DIR, 0, 0)
    os.chmod(root / HOMES_DIR, 0o711)
    for name in (CLASS_FILE, LINKS_FILE, SESSIONS_FILE):
        path = root / name
        if path.exists() and not path.is_symlink():
            os.chown(path, 0, 0)
            os.chmod(path, 0o600)
    for learner, account in accounts.items():
        home = classroom.home(learner)
        home.mkdir(exist_ok=True)
        _give(home, account.uid, account.gid)


def prepare(classroom: Classroom) -> tuple[int, dict[str, Account]]:
    """Accounts and folder for a class served as root: (class gid, accounts). Idempotent."""
    from workbench.classroom.roster import load_class

    class_gid, accounts = ensure_accounts(classroom)
    classroom = load_class(classroom.root)  # the names may have just been recorded
    secure_folder(classroom, accounts)
    return class_gid, accounts


def remove_accounts(classroom: Classroom) -> list[str]:
    """Delete the class's learner users and its group; hand the folder back to root. The names removed."""
    removed = []
    for learner in classroom.learners:
        name = learner.unix_user or (user_name(classroom.unix_group, learner.id) if classroom.unix_group else "")
        try:
            entry = pwd.getpwnam(name) if name else None
        except KeyError:
            entry = None
        if entry is None or entry.pw_dir != str(classroom.home(learner.id)):
            continue  # not there, or not this class's
        _run(["userdel", name])
        removed.append(name)
    if classroom.unix_group and _group_exists(classroom.unix_group):
        _run(["groupdel", classroom.unix_group])
        removed.append(classroom.unix_group)
    os.chown(classroom.root, 0, 0, follow_symlinks=False)
    for _, dirnames, filenames, dir_fd in os.fwalk(classroom.root, follow_symlinks=False):
        for name in (*dirnames, *filenames):
            os.chown(name, 0, 0, dir_fd=dir_fd, follow_symlinks=False)
    return removed


# -- can the learners run the workbench at all? -------------------------------------------------------------------

CHECK_PROGRAM = r"""
import os, sys
home, lessons, slots, secret = sys.argv[1:5]
import workbench.classroom.step_queue  # the venv, the repository
os.listdir(lessons)
probe = os.path.join(home, ".isolation-check")
with open(probe, "w") as handle:
    handle.write("ok")
os.unlink(probe)
os.close(os.open(os.path.join(slots, "queue.lock"), os.O_RDWR))
try:
    open(secret).close()
except PermissionError:
    pass
else:
    sys.exit("a learner can read " + secret)
"""


def _blocking_directory(path: Path, uid: int, gids: set[int]) -> str | None:
    """The first folder on ``path`` (symlinks resolved) that ``uid`` may not cross, judged by the mode bits."""
    current = Path("/")
    for part in Path(os.path.realpath(path)).parts[1:]:
        try:
            st = os.stat(current)
        except OSError:
            return None
        if st.st_uid == uid:
            allowed = bool(st.st_mode & stat.S_IXUSR)
        elif st.st_gid in gids:
            allowed = bool(st.st_mode & stat.S_IXGRP)
        else:
            allowed = bool(st.st_mode & stat.S_IXOTH)
        if not allowed:
            owner = _name_of(st.st_uid)
            return f"{current} ({stat.filemode(st.st_mode)} {owner})"
        current = current / part
    return None


def _name_of(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def check_learner_can_run(classroom: Classroom, account: Account, lessons_dir: Path) -> None:
    """Run a tiny program as the learner: it imports the workbench, lists the lessons, writes in its home,
    opens the queue, and must *not* be able to read class.json. IsolationError with the way out otherwise."""
    home = classroom.home(account.learner)
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                CHECK_PROGRAM,
                str(home),
                str(lessons_dir),
                str(classroom.slots_dir),
                str(classroom.root / CLASS_FILE),
            ],
            capture_output=True,
            text=True,
            timeout=CHECK_TIMEOUT_S,
            cwd=str(home),
            env={**os.environ, **account.environment(home)},
            **account.spawn_kwargs(),
        )
    except PermissionError as exc:  # exec itself refused
        done = subprocess.CompletedProcess([], 126, "", str(exc))
    except subprocess.TimeoutExpired:
        raise IsolationError(f"the check run as {account.user} did not finish within {CHECK_TIMEOUT_S:.0f} s") from None
    if done.returncode == 0:
        return
    gids = {account.gid, *account.groups}
    blocked = [
        f"{what} {path}: cannot cross {where}"
        for what, path in (("Python", Path(sys.executable)), ("the workbench", Path(__file__)), ("the lessons", lessons_dir))
        if (where := _blocking_directory(path, account.uid, gids))
    ]
    detail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
    hint = (
        "; ".join(blocked)
        + f". Let the learners cross it (crossing only, no listing): setfacl -m g:{ALL_LEARNERS_GROUP}:x <folder> "
        "(apt-get install acl), or chmod o+x <folder>; or install Python and the workbench where every user can "
        "read them (/opt, /usr/local)"
        if blocked
        else "see the error above"
    )
    raise IsolationError(
        f"learner {account.learner}'s Unix user {account.user} cannot run the workbench: {detail}. {hint}. "
        "(Or serve with --no-isolation: learners are then not isolated from each other.)"
    )
