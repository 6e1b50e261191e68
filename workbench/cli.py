"""The ``mlops-workbench`` command.

    mlops-workbench                      open the workbench (TUI)
    mlops-workbench --lesson ID          run lessons headless (ID, a,b, a layer, or all)
    mlops-workbench lessons [--json]     list the lessons
    mlops-workbench lessons check        validate every lesson

Exit codes: 0 ok, 1 a step failed, 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from shared.constants import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from workbench.i18n import t

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Learn MLOps by running the real thing, layer by layer.\n\n"
    "Run mlops-workbench with no arguments to open the app: the map of the four layers, each lesson beside its "
    "README, and the live log, metrics and code of every step it runs. --lesson ID runs lessons headless "
    "(CI, scripts); the commands below list, check and grade.",
)
# Each command's line in --help is its short_help, a whole sentence: left to Click, it is the help's first
# sentence cut to the terminal's width ('...').
lessons_app = typer.Typer(help="List and check the lessons.", rich_markup_mode=None)
app.add_typer(lessons_app, name="lessons", short_help="List the lessons, check them, or start a new one.")
from workbench.classroom.cli import classroom_app  # noqa: E402  (a sub-app: typer only, nothing heavy)

app.add_typer(classroom_app, name="classroom", short_help="Run a class in the browser: a workspace per learner.")

LessonsDir = typer.Option(
    None,
    "--lessons-dir",
    help="Load lessons from this folder instead of the built-in ones.",
    envvar="WORKBENCH_LESSONS_DIR",
    file_okay=False,
)
Home = typer.Option(
    None, "--home", help="Workbench home (model store, progress, artifacts).", envvar="WORKBENCH_HOME", file_okay=False
)


def _choose_language(value: str | None) -> str | None:
    from workbench import i18n

    if value is None:
        i18n.set_language(i18n.from_environment())
        return None
    try:
        return i18n.set_language(value, explicit=True)
    except i18n.UnknownLanguage as exc:
        raise typer.BadParameter(str(exc)) from None


Lang = typer.Option(
    None,
    "--lang",
    help="Language of the output and the app: en or zh-TW (default: the locale, LANG/LC_ALL).",
    callback=_choose_language,
)


def _before_name(ctx: typer.Context, name: str, value: Any) -> Any:
    """A sub-command's --home or --lessons-dir: its own when given after its name, else the one given before it
    (`mlops-workbench --home H runs` once listed the default home's runs), else its own (environment or default)."""

    def typed(context: Any) -> bool:  # by name: Typer may bring its own copy of Click's ParameterSource
        source = context.get_parameter_source(name)
        return source is not None and source.name == "COMMANDLINE"

    parent = ctx.parent
    if typed(ctx) or parent is None:
        return value
    return parent.params.get(name) if typed(parent) else value


def _home(home: Path | None) -> Path:
    import os

    from shared.configs.workbench_home import created_workbench_home

    if home is not None:
        os.environ["WORKBENCH_HOME"] = str(home.expanduser().resolve())
    return created_workbench_home()


PIPED_WIDTH = 100_000  # piped output goes to grep, files and CI logs: a table is never wrapped or cut there


def stdout_console() -> Console:
    """A rich Console for tables on stdout: the terminal's width on a terminal; piped, wide enough that no line
    wraps and no cell is cut ('experiment-trac…'), whatever COLUMNS says."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=PIPED_WIDTH)


def _print_json(document: object) -> None:
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")


def _query_or_exit(module: str, args: list[str], failure: str, home: Path | None) -> dict:
    """JSON from a lower layer's module run in a child; on failure say what failed and exit 1."""
    from workbench.runner.child_query import ChildQueryError, query_child

    try:
        return query_child(module, args, home=home)
    except ChildQueryError as exc:
        print(t("error: {message}", message=f"{failure}: {exc}"), file=sys.stderr)
        raise typer.Exit(EXIT_FAILED) from None


@app.callback(invoke_without_command=True)
def main_command(
    ctx: typer.Context,
    lesson: str | None = typer.Option(None, "--lesson", "-l", help="Run headless: a lesson id, a comma list, a layer, or 'all'."),
    step: str | None = typer.Option(None, "--step", help="Run only this step of the lesson."),
    param: list[str] = typer.Option(
        [],
        "--param",
        "-p",
        help="With --step: KEY=VALUE overriding a step parameter "
        '(VALUE as JSON when it parses, e.g. texts=\'["a", "b"]\', else a string). Repeatable.',
    ),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON document with the results to stdout."),
    junit: Path | None = typer.Option(
        None, "--junit", help="Write JUnit XML (one testcase per step) to this path.", dir_okay=False
    ),
    plain: bool = typer.Option(False, "--plain", help="Plain lines even on a terminal."),
    lessons_dir: Path | None = LessonsDir,
    home: Path | None = Home,
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
    lang: str | None = Lang,
) -> None:
    if version:
        from workbench import __version__

        print(f"mlops-workbench {__version__}")
        raise typer.Exit(EXIT_OK)
    ctx.obj = {"lessons_dir": lessons_dir}
    if ctx.invoked_subcommand is not None:
        given = (("--lesson", lesson), ("--step", step), ("--param", param), ("--json", json_output), ("--junit", junit))
        misplaced = [name for name, value in (*given, ("--plain", plain)) if value]
        if misplaced:  # `mlops-workbench --json lessons` once printed the table (and broke `| jq`) without a word
            print(
                t(
                    "error: {options}: an option of the bare command (mlops-workbench --lesson ID ...), "
                    "not of '{command}'; its own options go after its name (mlops-workbench {command} --help)",
                    options=", ".join(misplaced),
                    command=ctx.invoked_subcommand,
                ),
                file=sys.stderr,
            )
            raise typer.Exit(EXIT_USAGE)
        return
    if lesson is None:
        if json_output or junit or step or param:
            print(t("error: --json, --junit and --step go with --lesson ID"), file=sys.stderr)
            raise typer.Exit(EXIT_USAGE)
        from workbench.tui.app import run_app

        raise typer.Exit(run_app(lessons_dir=lessons_dir, home=_home(home)))
    from workbench.headless.run import run_headless

    overrides = _parse_params(param)
    if overrides and not step:
        print(t("error: --param needs --step (parameters belong to one step)"), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(
        run_headless(
            lesson,
            lessons_dir=lessons_dir,
            home=_home(home),
            json_output=json_output,
            junit=junit,
            step=step,
            plain=plain,
            params=overrides,
        )
    )


def _parse_params(pairs: list[str]) -> dict:
    params = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            print(t("error: --param {pair}: expected KEY=VALUE", pair=repr(pair)), file=sys.stderr)
            raise typer.Exit(EXIT_USAGE)
        try:
            params[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[key.strip()] = raw
    return params


@lessons_app.callback(invoke_without_command=True)
def lessons_list(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Print the lessons as JSON."),
    lessons_dir: Path | None = LessonsDir,
    lang: str | None = Lang,
) -> None:
    """List the lessons (broken ones too, with what is wrong)."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"lessons_dir": lessons_dir or (ctx.obj or {}).get("lessons_dir")}
        return
    from workbench.curriculum.lesson_loader import load_curriculum

    curriculum = load_curriculum(lessons_dir or (ctx.obj or {}).get("lessons_dir"))
    rows: list[dict[str, Any]] = [
        {
            "order": l.order,
            "id": l.id,
            "layer": l.layer,
            "title": l.title,
            "steps": [s.id for s in l.spec.steps],
            "prerequisites": l.spec.prerequisites,
            "extras": list(l.spec.requirements.extras),
            "broken": False,
            "errors": [],
        }
        for l in curriculum.lessons
    ] + [
        {
            "order": b.order,
            "id": b.id,
            "layer": b.layer,
            "title": b.title,
            "steps": [],
            "prerequisites": [],
            "extras": [],
            "broken": True,
            "errors": list(b.errors),
        }
        for b in curriculum.broken
    ]
    rows.sort(key=lambda r: (r["order"], r["id"]))
    if json_output:
        _print_json({"lessons_dir": str(curriculum.root), "lessons": rows})
        return
    from rich.table import Table
    from rich.text import Text

    from workbench.i18n import t

    # Text cells, not markup: a title, a folder or a broken lesson's error may hold '[' ("[/]" crashed this listing).
    table = Table(title=Text(t("Lessons in {folder}", folder=curriculum.root)), title_justify="left")
    for column in ("#", "id", "layer", "title", "needs"):
        table.add_column(t(column))
    for row in rows:
        if row["broken"]:
            what = Text(f"{t('broken')}: {row['errors'][0]}", style="red")
            table.add_row(f"{row['order']:03d}", Text(row["id"]), Text(row["layer"] or "?"), what, "")
        else:
            cells = (row["id"], row["layer"], row["title"], ", ".join(row["prerequisites"]))
            table.add_row(f"{row['order']:03d}", *(Text(cell) for cell in cells))
    stdout_console().print(table)


@lessons_app.command("check", short_help="Validate every lesson, its README and its exercises.")
def lessons_check(
    ctx: typer.Context,
    lessons_dir: Path | None = LessonsDir,
    skip_exercises: bool = typer.Option(False, "--skip-exercises", help="Do not run the exercise checks (faster)."),
    lang: str | None = Lang,
) -> None:
    """Validate every lesson: format, entry points, README; every exercise fails unsolved and passes solved."""
    from workbench.curriculum.lesson_check import check_curriculum
    from workbench.curriculum.lesson_loader import load_curriculum

    curriculum = load_curriculum(lessons_dir or (ctx.obj or {}).get("lessons_dir"))
    report = check_curriculum(curriculum, exercises=not skip_exercises)
    for line in report.exercises:
        print(f"exercise {line}")
    for warning in report.warnings:
        print(f"warning: {warning}")
    for problem in report.problems:
        print(f"problem: {problem}")
    for missing in report.missing_translations:
        print(f"missing translation: {missing}")
    total = report.checked + len(curriculum.broken)
    print(
        f"lessons check: {report.checked}/{total} lessons load; {len(report.problems)} problems, "
        f"{len(report.missing_translations)} missing translations, {len(report.warnings)} warnings"
    )
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


@lessons_app.command("new", short_help="Scaffold a lesson folder that passes lessons check.")
def lessons_new(
    ctx: typer.Context,
    lesson_id: str = typer.Argument(..., metavar="ID", help="The new lesson's id, e.g. feature-store."),
    layer: str = typer.Option(..., "--layer", help="domain, application, infrastructure or shared."),
    order: int | None = typer.Option(None, "--order", help="Folder prefix (default: after the last lesson)."),
    title: str | None = typer.Option(None, "--title", help="The lesson's title."),
    lessons_dir: Path | None = LessonsDir,
) -> None:
    """Scaffold a lesson folder (lesson.toml, steps.py, READMEs) that passes `lessons check` at once."""
    from workbench.curriculum.lesson_loader import default_lessons_dir
    from workbench.curriculum.lesson_scaffold import ScaffoldError, ScaffoldWriteError, new_lesson

    root = Path(lessons_dir or (ctx.obj or {}).get("lessons_dir") or default_lessons_dir())
    try:
        folder = new_lesson(root, lesson_id, layer, order=order, title=title)
    except ScaffoldError as exc:
        print(f"lessons new: {exc}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    except ScaffoldWriteError as exc:
        print(f"lessons new: {exc}", file=sys.stderr)
        raise typer.Exit(EXIT_FAILED) from None
    print(f"created {folder}: lesson.toml, steps.py, README.md, README.zh-TW.md, lesson.zh-TW.toml")
    print(
        f"next: edit steps.py to call the {layer} code it teaches, then run "
        f"`mlops-workbench lessons check` and `mlops-workbench --lesson {lesson_id}` (CONTRIBUTING.md has the checklist)"
    )


@app.command("runs", short_help="List the training runs recorded in MLflow, newest first.")
def runs_command(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Print the runs as JSON."),
    lesson: str | None = typer.Option(None, "--lesson", "-l", help="Only the runs of this lesson (MLflow experiment)."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many runs, newest first."),
    home: Path | None = Home,
    lang: str | None = Lang,
) -> None:
    """The training runs recorded in MLflow (local store, or MLFLOW_TRACKING_URI), newest first."""
    args = ["--max-runs", str(limit)] + (["--experiment", lesson] if lesson else [])
    home = _before_name(ctx, "home", home)
    listing = _query_or_exit("application.registry.experiment_runs", args, t("could not read the tracking store"), _home(home))
    for warning in listing.get("warnings", []):  # e.g. a broken store moved aside and a fresh one started
        print(f"warning: {warning}", file=sys.stderr)
    if lesson and not listing.get("runs"):
        _exit_if_unknown_lesson(lesson)  # a typo is bad usage, not "no runs yet"
    if json_output:
        _print_json(listing)
        return
    from workbench.tui.runs_table import runs_rich_table

    stdout_console().print(runs_rich_table(listing))


def _exit_if_unknown_lesson(lesson: str) -> None:
    """`runs --lesson sklearn-irs` with no runs: when no lesson has that id, say so with the close ones, exit 2."""
    from workbench.curriculum.lesson_loader import load_curriculum

    curriculum = load_curriculum()
    if lesson in curriculum.ids:
        return
    close = curriculum.close_matches(lesson)
    hint = t("; closest: {ids}", ids=", ".join(close)) if close else t("; lessons: {ids}", ids=", ".join(curriculum.ids))
    message = t("error: --lesson {lesson}: no lesson has that id and no runs are recorded under it", lesson=lesson)
    print(message + hint, file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


@app.command("exercise", short_help="List the exercises, or check, watch, reset or hint one.")
def exercise_command(
    ctx: typer.Context,
    exercise_id: str | None = typer.Argument(None, help="The exercise; none lists them all."),
    check: bool = typer.Option(False, "--check", help="Run the check once on your copy (exit 0 passed, 1 not yet)."),
    watch: bool = typer.Option(False, "--watch", help="Re-run the check every time you save the file."),
    reset: bool = typer.Option(False, "--reset", help="Back to the starting version (yours is kept as a .bak file)."),
    hint: int | None = typer.Option(None, "--hint", help="Show hint N (1, 2, ...)."),
    solution: bool = typer.Option(False, "--solution", help="Show the reference solution (after you passed)."),
    lessons_dir: Path | None = LessonsDir,
    home: Path | None = Home,
    lang: str | None = Lang,
) -> None:
    """Exercises: edit real code in your workspace copy; the check runs it for real."""
    from workbench.headless.exercise_cli import chosen_actions, list_exercises, run_exercise

    home, lessons_dir = _before_name(ctx, "home", home), _before_name(ctx, "lessons_dir", lessons_dir)
    if exercise_id is None:
        given = chosen_actions(check=check, watch=watch, reset=reset, hint=hint, solution=solution)
        if given:  # `exercise --check` listed the exercises and exited 0: a CI step that checked nothing
            print(f"error: {', '.join(given)} needs an exercise id: mlops-workbench exercise ID {given[0]}", file=sys.stderr)
            raise typer.Exit(EXIT_USAGE)
        raise typer.Exit(list_exercises(lessons_dir, _home(home)))
    raise typer.Exit(
        run_exercise(
            exercise_id,
            lessons_dir=lessons_dir,
            home=_home(home),
            check=check,
            watch=watch,
            reset=reset,
            hint=hint,
            solution=solution,
        )
    )


@app.command("gpu", short_help="Check the GPU: driver, devices, frameworks and verdicts.")
def gpu_command(
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON (schema: see the README)."),
    no_frameworks: bool = typer.Option(False, "--no-frameworks", help="Skip the PyTorch/TensorFlow checks (faster)."),
    lang: str | None = Lang,
) -> None:
    """GPU health check: driver, devices, frameworks and verdicts. Exit 1 when a verdict fails."""
    report = _query_or_exit(
        "shared.utils.gpu_utils.gpu_report", ["--no-frameworks"] if no_frameworks else [], t("the GPU probe failed"), None
    )
    if json_output:
        _print_json(report)
    else:
        from workbench.tui.gpu_view import report_renderable

        stdout_console().print(report_renderable(report))
    raise typer.Exit(EXIT_FAILED if report["failing"] else EXIT_OK)


def main() -> None:
    """The command line (``mlops-workbench ARGS``); the bare command goes through ``workbench.launcher``."""
    app()
