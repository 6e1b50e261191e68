"""``mlops-workbench classroom``: prepare a class, serve it in the browser, follow it, grade it.

mlops-workbench classroom init DIR --roster roster.csv | --seats N
mlops-workbench classroom serve DIR [--host 127.0.0.1] [--port 8000] [--max-running K]
mlops-workbench classroom status DIR [--json] [--csv PATH] [--junit PATH]
mlops-workbench classroom teardown DIR          (as root: delete the class's Unix users and group)
mlops-workbench classroom manifests DIR [--out DIR/kubernetes] --host class.example.org   (Kubernetes)
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from shared.constants import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from shared.utils.atomic_files import write_report, write_text_atomic

if TYPE_CHECKING:
    from workbench.classroom.roster import Classroom

classroom_app = typer.Typer(
    help="A whole class in the browser on one server: a workspace per learner, an instructor's live view.",
    rich_markup_mode=None,
    no_args_is_help=True,
)

ClassDir = typer.Argument(..., metavar="DIR", help="Work on this class folder (made by classroom init).", file_okay=False)
LessonsDir = typer.Option(
    None,
    "--lessons-dir",
    help="Load the lessons from this folder instead of the built-in ones.",
    envvar="WORKBENCH_LESSONS_DIR",
    file_okay=False,
)
RosterOption = typer.Option(
    None, "--roster", help="Read the learners from this CSV file (header: id,name; id: a-z 0-9 . _ -).", dir_okay=False
)
CsvOption = typer.Option(None, "--csv", help="Write the gradebook as CSV to this file.", dir_okay=False)
JunitOption = typer.Option(
    None, "--junit", help="Write the gradebook as JUnit XML to this file (a testsuite per learner).", dir_okay=False
)
OutOption = typer.Option(None, "--out", help="Write the manifests to this folder (default: DIR/kubernetes).", file_okay=False)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
KUBERNETES_DIR = "kubernetes"  # manifests' default folder inside the class


def _fail_usage(message: str) -> typer.Exit:
    print(f"classroom: {message}", file=sys.stderr)
    return typer.Exit(EXIT_USAGE)


def _fail(message: str) -> typer.Exit:
    print(f"classroom: {message}", file=sys.stderr)
    return typer.Exit(EXIT_FAILED)


def url_problem(option: str, url: str) -> str | None:
    """Why ``url`` cannot be where learners reach the server (it goes into links a browser opens), or None."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return f"{option} {url!r}: not a URL ({exc}); expected e.g. https://class.example.org"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{option} {url!r}: expected an http:// or https:// URL with a host, e.g. https://class.example.org"
    return None


def report_path_problem(option: str, path: Path, classroom: Classroom) -> str | None:
    """Why a report (--csv, --junit) cannot be written to ``path``: the headless --junit's rule (no folder made,
    checked before anything runs), and never one of the class's own files: class.json, the links, the sessions,
    the homes, the queue, the manifests."""
    from workbench.classroom.roster import CLASS_FILE, HOMES_DIR, LINKS_FILE, SESSIONS_FILE, SLOTS_DIR
    from workbench.headless.reports import junit_path_problem

    if problem := junit_path_problem(path, option):
        return problem
    # A report is written where a link points (write_report): judge the file it lands in.
    target = Path(os.path.realpath(path))
    root = Path(os.path.realpath(classroom.root))
    owned = [root / name for name in (CLASS_FILE, LINKS_FILE, SESSIONS_FILE, HOMES_DIR, SLOTS_DIR, KUBERNETES_DIR)]
    if any(target == used or target.is_relative_to(used) for used in owned):
        return (
            f"{option} {path}: is the class's own ({target.relative_to(root)}), not written over; "
            f"write the report elsewhere, e.g. {classroom.root / ('grades.csv' if option == '--csv' else 'grades.xml')}"
        )
    return None


def _isolate(classroom):  # noqa: ANN001, ANN202 - Classroom → (class gid, accounts), imported lazily
    from workbench.classroom.isolation import IsolationError, prepare
    from workbench.classroom.roster import ClassroomError

    try:
        return prepare(classroom)
    except ClassroomError as exc:
        raise _fail_usage(str(exc)) from None
    except (IsolationError, OSError) as exc:
        raise _fail(str(exc)) from None


def _load(class_dir: Path):  # noqa: ANN202 - Classroom, imported lazily
    from workbench.classroom.roster import ClassroomError, load_class

    try:
        return load_class(class_dir)
    except ClassroomError as exc:
        raise _fail_usage(str(exc)) from None


def lesson_ids(lessons_dir: Path | None) -> list[str]:
    from workbench.curriculum.lesson_loader import load_curriculum

    curriculum = load_curriculum(lessons_dir)
    return [lesson.id for lesson in sorted(curriculum.lessons, key=lambda lesson: (lesson.order, lesson.id))]


@classroom_app.command("init", short_help="Create the class folder: a home and a link per learner.")
def init_command(
    class_dir: Path = ClassDir,
    roster: Path | None = RosterOption,
    seats: int | None = typer.Option(None, "--seats", help="Without a roster, make N anonymous seats (seat-01, seat-02, ...)."),
    name: str | None = typer.Option(None, "--name", help="Name the class (default: the folder's name)."),
    url: str = typer.Option(
        "http://127.0.0.1:8000", "--url", help="Put this address, where learners reach the server, in the links."
    ),
) -> None:
    """Create the class folder: a workbench home per learner, a secret link per learner and for the instructor."""
    from workbench.classroom.roster import LINKS_FILE, ClassroomError, init_class, read_roster
    from workbench.classroom.roster import seats as make_seats

    if (roster is None) == (seats is None):
        raise _fail_usage("give either --roster roster.csv or --seats N")
    if problem := url_problem("--url", url):
        raise _fail_usage(problem)
    try:
        learners = read_roster(roster) if roster is not None else make_seats(seats or 0)
        classroom, links = init_class(class_dir, learners, name=name, base_url=url)
    except ClassroomError as exc:
        raise _fail_usage(str(exc)) from None
    print(
        f"created class {classroom.name!r} in {classroom.root}: {len(classroom.learners)} learners, "
        f"one workbench home each under {classroom.root / 'homes'}"
    )
    print("links (shown once; also in " + str(classroom.root / LINKS_FILE) + ", readable only by you):")
    width = max(len(who) for who, _ in links)
    for who, link in links:
        print(f"  {who:<{width}}  {link}")
    from workbench.classroom import isolation

    if isolation.available():
        _isolate(classroom)
        print(
            f"each learner's app, steps and exercises will run as their own Unix user ({classroom.unix_group}-<id>, "
            f"no login; group {classroom.unix_group}); their homes are theirs alone (0700)"
        )
    else:
        print(isolation.not_isolated_warning("init did not run as root"), file=sys.stderr)
    print(f"next: mlops-workbench classroom serve {class_dir}")


@classroom_app.command("serve", short_help="Serve the class: each link opens a learner's workbench.")
def serve_command(
    class_dir: Path = ClassDir,
    host: str = typer.Option("127.0.0.1", "--host", help="Listen on this address (default: this machine only)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Listen on this port (0: any free port, printed)."),
    max_running: int | None = typer.Option(
        None, "--max-running", min=1, help="Run at most K steps at once across the class (default: CPU cores)."
    ),
    public_url: str | None = typer.Option(
        None, "--public-url", help="Give learners this address when a proxy is in front (https://...)."
    ),
    lessons_dir: Path | None = LessonsDir,
    no_isolation: bool = typer.Option(
        False, "--no-isolation", help="As root, run every learner as root too (then they are not isolated)."
    ),
    seat: int | None = typer.Option(
        None, "--seat", min=0, help="Serve only the class's Nth learner (0 = first), one server each (Kubernetes)."
    ),
    seats_url: str | None = typer.Option(
        None,
        "--seats-url",
        help="Serve only the instructor's view, gathered from each seat at this URL ({index}: the seat).",
    ),
    path_prefix: str = typer.Option(
        "", "--path-prefix", help="Serve under this path (e.g. /s/3) behind a proxy that routes by path."
    ),
) -> None:
    """Serve the class: each learner's link opens the workbench in the browser with their own home."""
    import logging

    from workbench.classroom import isolation
    from workbench.classroom.server import ClassroomServer, serve_until_signalled
    from workbench.curriculum.lesson_loader import default_lessons_dir

    classroom = _load(class_dir)
    if public_url is not None and (problem := url_problem("--public-url", public_url)):
        raise _fail_usage(problem)
    if seat is not None and seats_url:
        raise _fail_usage("give --seat N (one learner) or --seats-url (the instructor's view), not both")
    if seat is not None and seat >= len(classroom.learners):
        raise _fail_usage(
            f"--seat {seat}: the class has {len(classroom.learners)} learners (seats 0 to {len(classroom.learners) - 1})"
        )
    if seats_url and "{index}" not in seats_url:
        raise _fail_usage(f"--seats-url {seats_url!r}: expected {{index}} where the seat's number goes")
    if path_prefix and not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+/?", path_prefix):
        raise _fail_usage(f"--path-prefix {path_prefix!r}: expected a path such as /s/3")
    only = frozenset({classroom.learners[seat].id}) if seat is not None else None
    class_gid, accounts = None, {}
    if seat is not None or seats_url:
        what = (
            f"seat {seat}: learner {classroom.learners[seat].id}" if seat is not None else "the instructor's view of every seat"
        )
        print(f"serving {what} only (one learner per server: isolated by its container, not by Unix users)", flush=True)
    elif isolation.available() and not no_isolation:
        class_gid, accounts = _isolate(classroom)
        classroom = _load(class_dir)
        from workbench.classroom import step_queue

        step_queue.configure(classroom.slots_dir, max_running or os.cpu_count() or 1, class_gid)
        try:
            first = next(iter(accounts.values()))
            isolation.check_learner_can_run(classroom, first, (lessons_dir or default_lessons_dir()).resolve())
        except isolation.IsolationError as exc:
            raise _fail(str(exc)) from None
        print(
            f"isolation: each learner's app, steps and exercises run as their own Unix user "
            f"({classroom.unix_group}-<id>); homes 0700",
            flush=True,
        )
    else:
        reason = "--no-isolation" if isolation.available() else "the server does not run as root"
        print(isolation.not_isolated_warning(reason), file=sys.stderr, flush=True)
    if host not in LOCAL_HOSTS:
        print(
            f"warning: listening on {host}: anyone who can reach this address and has a link gets in; the links are "
            "the only protection and travel in plain HTTP. Put a TLS reverse proxy in front (and --public-url).",
            file=sys.stderr,
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    server = ClassroomServer(
        classroom,
        host=host,
        port=port,
        max_running=max_running,
        lessons_dir=lessons_dir.resolve() if lessons_dir else None,
        lesson_ids=lesson_ids(lessons_dir),
        public_url=public_url,
        accounts=accounts,
        class_gid=class_gid,
        only=only,
        seats_url=seats_url,
        path_prefix=path_prefix,
    )

    def announce(bound: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        print(
            f"serving class {classroom.name!r} on http://{shown}:{bound} ({len(classroom.learners)} learners, "
            f"at most {server.max_running} steps at once); links: {classroom.root / 'links.txt'}; Ctrl-C stops",
            flush=True,
        )

    try:
        asyncio.run(serve_until_signalled(server, announce))
    except OSError as exc:
        raise _fail_usage(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    print("classroom server stopped; every learner's progress is in their home", flush=True)
    raise typer.Exit(EXIT_OK)


@classroom_app.command("status", short_help="Show each learner's lessons and exercises, and who is stuck.")
def status_command(
    class_dir: Path = ClassDir,
    json_output: bool = typer.Option(False, "--json", help="Print the status as JSON."),
    csv_path: Path | None = CsvOption,
    junit: Path | None = JunitOption,
    lessons_dir: Path | None = LessonsDir,
) -> None:
    """Learner × lesson: state, attempts, time; exercises done; who is stuck; who is connected."""
    from workbench.classroom.status import class_status, to_csv, to_junit

    classroom = _load(class_dir)
    reports = [(option, path, text) for option, path, text in (("--csv", csv_path, to_csv), ("--junit", junit, to_junit)) if path]
    for option, path, _ in reports:  # before anything is read or written
        if problem := report_path_problem(option, path, classroom):
            raise _fail_usage(problem)
    status = class_status(classroom, lesson_ids(lessons_dir))
    for row in status["learners"]:
        if row["progress_problem"]:
            print(
                f"classroom: learner {row['id']}: {row['progress_problem']}; graded from what could be read, "
                "the file left as it is",
                file=sys.stderr,
            )
    if json_output:  # first: a report that cannot be written after all never costs the JSON document
        json.dump(status, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_table(status)
    for option, path, text in reports:
        try:
            write_report(path, text(status))
            os.chmod(path, 0o644)
        except OSError as exc:
            raise _fail(f"{option} {path}: not written ({exc.strerror or exc})") from None
    raise typer.Exit(EXIT_OK)


def _print_table(status: dict[str, Any]) -> None:
    from rich.table import Table

    from workbench.cli import stdout_console  # loaded already: this command runs through it

    table = Table(title=f"class {status['class']} · {status['generated_at']}", title_justify="left")
    for column in ("learner", "on", "passed", "ex.", *status["lessons"], "stuck"):
        table.add_column(column)
    style = {"passed": "green", "failed": "red", "timeout": "red", "crashed": "red", "running": "yellow"}
    for row in status["learners"]:
        cells = [
            f"[{style.get(row['lessons'][l]['state'], 'dim')}]{row['lessons'][l]['state']}[/]"
            + (f" ×{row['lessons'][l]['attempts']}" if row["lessons"][l]["attempts"] > 1 else "")
            for l in status["lessons"]
        ]
        table.add_row(
            row["id"],
            "●" if row["connected"] else "·",
            f"{row['passed']}/{len(status['lessons'])}",
            str(row["exercises_done"]),
            *cells,
            "[bold red]" + "; ".join(row["stuck_reasons"]) + "[/]",
        )
    stdout_console().print(table)


@classroom_app.command("teardown", short_help="As root: delete the class's Unix users and group.")
def teardown_command(class_dir: Path = ClassDir) -> None:
    """As root: delete the class's Unix users and group (the folder and every home stay, owned by root)."""
    from workbench.classroom import isolation

    classroom = _load(class_dir)
    if not isolation.available():
        raise _fail_usage("teardown deletes Unix users: run it as root")
    try:
        removed = isolation.remove_accounts(classroom)
    except (isolation.IsolationError, OSError) as exc:
        raise _fail(str(exc)) from None
    print(f"removed {len(removed)} Unix users and groups of class {classroom.name!r}; {classroom.root} is root's now")
    raise typer.Exit(EXIT_OK)


DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
QUANTITY_SUFFIXES = {"m": "0.001", "k": "1e3", "M": "1e6", "G": "1e9", "T": "1e12"}
QUANTITY_SUFFIXES |= {f"{unit}i": str(1024 ** (n + 1)) for n, unit in enumerate("KMGT")}


def quantity(text: str) -> Decimal:
    """A Kubernetes quantity's value (``500m`` → 0.5, ``1Gi`` → 1073741824); the text matches ``k8s.QUANTITY``."""
    number = text.rstrip("mkMGTi")
    return Decimal(number) * Decimal(QUANTITY_SUFFIXES.get(text[len(number) :], "1"))


def resource_problem(settings: Any, given: dict[str, str | None]) -> str | None:
    """What the Kubernetes API server would reject in these settings, naming the option and its value, or None."""
    from infrastructure.deployment.containers.kubernetes.classroom.manifests import QUANTITY

    for option, value in (("--namespace", settings.namespace), ("--ingress-namespace", settings.ingress_namespace)):
        if value and not DNS_LABEL.match(value):
            return f"{option} {value!r}: expected a DNS-1123 label (1-63 of a-z 0-9 -, a letter or digit at each end)"

    def shown(field: str) -> str:
        return f"--{field.replace('_', '-')} {getattr(settings, field)}" + ("" if given.get(field) else " (the default)")

    for field in ("cpu_request", "cpu_limit", "memory_request", "memory_limit", "storage"):
        if not QUANTITY.match(getattr(settings, field)):
            return f"--{field.replace('_', '-')} {getattr(settings, field)!r}: expected a Kubernetes quantity (e.g. 500m, 1, 512Mi, 2Gi)"
    for what in ("cpu", "memory"):
        if quantity(getattr(settings, f"{what}_request")) > quantity(getattr(settings, f"{what}_limit")):
            return f"{shown(what + '_request')} is more than {shown(what + '_limit')}: a request must not exceed its limit"
    return None


def kubernetes_name(class_name: str) -> str:
    """A DNS label from the class's name: class-2025, ml-101."""
    slug = re.sub(r"[^a-z0-9]+", "-", class_name.lower()).strip("-")
    slug = re.sub(r"^[^a-z]+", "", slug)[:30].rstrip("-")
    return slug or "classroom"


@classroom_app.command("manifests", short_help="Write the class's Kubernetes manifests, validated offline.")
def manifests_command(
    class_dir: Path = ClassDir,
    host: str = typer.Option(
        ..., "--host", help="Route this DNS name to the class (the ingress's host, e.g. class.example.org)."
    ),
    out: Path | None = OutOption,
    name: str | None = typer.Option(None, "--name", help="Name the Kubernetes objects (default: from the class's name)."),
    namespace: str = typer.Option("", "--namespace", help="Put the objects in this namespace (default: none, kubectl's)."),
    image: str = typer.Option(
        "mlops-workbench/classroom:latest", "--image", help="Run this image: the workbench with the classroom extra."
    ),
    cpu_request: str | None = typer.Option(
        None, "--cpu-request", help="Request this much CPU per learner (default: from the sizing guide)."
    ),
    cpu_limit: str | None = typer.Option(
        None, "--cpu-limit", help="Let a learner use at most this much CPU (default: from the sizing guide)."
    ),
    memory_request: str | None = typer.Option(
        None, "--memory-request", help="Request this much memory per learner (default: from the sizing guide)."
    ),
    memory_limit: str | None = typer.Option(
        None, "--memory-limit", help="Let a learner use at most this much memory (the heaviest step must fit)."
    ),
    storage: str | None = typer.Option(None, "--storage", help="Give each learner's workspace volume this size (default: 2Gi)."),
    storage_class: str = typer.Option(
        "", "--storage-class", help="Make the workspaces of this StorageClass (default: the cluster's)."
    ),
    ingress_class: str = typer.Option(
        "nginx", "--ingress-class", help="Serve through the ingress controller of this IngressClass."
    ),
    ingress_namespace: str = typer.Option(
        "ingress-nginx", "--ingress-namespace", help="Let the ingress controller in from this namespace (NetworkPolicy)."
    ),
) -> None:
    """Kubernetes manifests for the class: a pod and a volume per learner, the instructor's view, validated offline."""
    from dataclasses import replace

    from infrastructure.deployment.containers.kubernetes.classroom import manifests as k8s
    from workbench.classroom.roster import CLASS_FILE, INSTRUCTOR, LINKS_FILE

    classroom = _load(class_dir)
    settings = k8s.Settings(
        name=name or kubernetes_name(classroom.name),
        host=host.lower(),
        learners=len(classroom.learners),
        image=image,
        namespace=namespace,
        storage_class=storage_class,
        ingress_class=ingress_class,
        ingress_namespace=ingress_namespace,
    )
    given: dict[str, Any] = {
        "cpu_request": cpu_request,
        "cpu_limit": cpu_limit,
        "memory_request": memory_request,
        "memory_limit": memory_limit,
        "storage": storage,
    }
    settings = replace(settings, **{key: value for key, value in given.items() if value is not None})
    if problem := resource_problem(settings, given):
        raise _fail_usage(problem)
    try:
        documents = k8s.manifests(settings)
        classroom_yaml, secret_yaml = k8s.render_all(settings, (classroom.root / CLASS_FILE).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise _fail_usage(str(exc)) from None
    try:
        found = k8s.problems([*documents, k8s.secret(settings, "{}")])
    except ImportError:
        found = None
    if found:
        raise _fail("the generated manifests do not validate:\n  " + "\n  ".join(found))
    target = (out or classroom.root / KUBERNETES_DIR).absolute()
    target.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target / "classroom.yaml", classroom_yaml)
    os.chmod(target / "classroom.yaml", 0o644)
    write_text_atomic(target / "secret.yaml", secret_yaml)  # the token hashes: mkstemp's 0600 stays
    index = {learner.id: number for number, learner in enumerate(classroom.learners)}
    links = []
    try:
        for line in (classroom.root / LINKS_FILE).read_text(encoding="utf-8").splitlines():
            who, _, link = line.partition(" ")
            token = link.strip().rsplit("/", 1)[-1]
            if who == INSTRUCTOR:
                links.append((who, f"https://{settings.host}/i/{token}"))
            elif who in index:
                links.append((who, f"https://{settings.host}/s/{index[who]}/l/{token}"))
    except OSError as exc:
        print(f"note: no links for Kubernetes ({classroom.root / LINKS_FILE}: {exc.strerror})", file=sys.stderr)
    if links:
        width = max(len(who) for who, _ in links)
        write_text_atomic(target / LINKS_FILE, "".join(f"{who:<{width}}  {link}\n" for who, link in links))
    validated = (
        "not validated (pip install kubernetes-validate)"
        if found is None
        else "validated offline against the Kubernetes 1.33 schema (strict)"
    )
    print(
        f"wrote {target / 'classroom.yaml'} ({len(documents)} objects: {settings.learners} seats, the instructor's view), "
        f"{target / 'secret.yaml'} (class.json's token hashes, 0600)"
        + (f" and {target / LINKS_FILE} (the links on https://{settings.host}, 0600)" if links else "")
        + f"; {validated}"
    )
    print(f"next: kubectl apply -f {target / 'secret.yaml'} -f {target / 'classroom.yaml'}")
    raise typer.Exit(EXIT_OK)
