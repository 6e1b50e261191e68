"""The classroom server: textual-serve's browser front end, one workbench app per learner, each with its own home.

textual-serve starts one app process per browser session from one command string with the server's
environment. Here a thin aiohttp layer in front checks the token in the URL first and then starts the
app (``python -m workbench --home <the learner's home>``) with that learner's environment:

    GET /l/<token>                 the learner's page (textual-serve's page and JavaScript)
    GET /l/<token>/ws              the websocket that drives the learner's app process
    GET /i/<token>                 the instructor's live view (polls status.json every 2 s)
    GET /i/<token>/status.json     learner × lesson, stuck, connected
    GET /i/<token>/class.csv       gradebook exports
    GET /i/<token>/junit.xml
    GET /static/...                textual-serve's JavaScript, CSS and fonts (public)
    GET /healthz, /livez, /readyz  "ok" (probes for Kubernetes; never under the path prefix)

With ``path_prefix`` (``--path-prefix /s/3``) every route but the probes lives under that prefix (behind an
ingress that routes by path). With ``only`` (``--seat N``) the server serves one learner of the class — a
seat: one pod per learner on Kubernetes; the other learners' links get 403. With ``seats_url``
(``--seats-url``) it serves no learner and the instructor's view gathers every seat's status over HTTP.

A missing or wrong token gets 403 and starts nothing; after a few failures from one address every
further try from it waits longer (up to 5 s). One app per learner: a second tab takes the session over
(the first is told it ended). Every app process is marked (``shared.utils.process_tree``), started in
a session of its own and dies with the server (``PR_SET_PDEATHSIG``); on shutdown each app is asked to
quit and whatever of its tree is left is ended, steps included.

Run as root, each learner's app (and so its steps) runs as the learner's own Unix user (``isolation``),
in their home as working directory, with HOME/USER/LOGNAME theirs.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aiohttp
import jinja2
import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from shared.utils import process_tree
from shared.utils.atomic_files import write_json_atomic
from workbench.classroom import step_queue
from workbench.classroom.isolation import FOREIGN_VARIABLES, Account
from workbench.classroom.roster import INSTRUCTOR, SESSIONS_FILE, Classroom
from workbench.classroom.status import class_status, to_csv, to_junit, unreachable_row

log = logging.getLogger("workbench.classroom")
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(textual_serve.__file__ or "").with_name("static")
FREE_FAILURES = 5  # wrong tokens from one address before each further try is slowed down
FAILURE_WINDOW_S = 300.0
MAX_DELAY_S = 5.0
QUIT_WAIT_S = 5.0
ENV_LEARNER = "WORKBENCH_CLASSROOM_LEARNER"
SEAT_TIMEOUT_S = 3.0


def _to_int(value: str, default: int) -> int:
    try:
        return max(1, min(1000, int(value)))
    except ValueError:
        return default


class LearnerApp(AppService):
    """textual-serve's app service, started with a learner's own home and marked so its whole tree can be ended."""

    def __init__(
        self,
        argv: list[str],
        extra_env: dict[str, str],
        *,
        account: Account | None = None,
        cwd: Path | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self.extra_env = extra_env
        self.account = account
        self.cwd = cwd
        self.token = process_tree.new_token()
        self.pid: int | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width, height)
        if self.account is not None:
            for name in FOREIGN_VARIABLES:
                env.pop(name, None)
        env.update(self.extra_env)
        process_tree.mark(env, self.token)
        return env

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
            cwd=str(self.cwd) if self.cwd is not None else None,
            # subprocess switches to the learner's user before preexec_fn runs: the parent-death signal is set
            # after the switch (a change of user would clear it)
            preexec_fn=process_tree.die_with_parent(signal.SIGTERM),
            **(self.account.spawn_kwargs() if self.account is not None else {}),
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        self.pid = process.pid
        return process

    async def end(self) -> None:
        """Ask the app to quit (it ends its steps), then end whatever of its tree is left."""
        try:
            await asyncio.wait_for(self.stop(), QUIT_WAIT_S)
        except (TimeoutError, Exception) as exc:  # a hung or broken app is ended below anyway
            log.warning("app for %s did not quit cleanly: %r", self.extra_env.get(ENV_LEARNER), exc)
        await process_tree.stop_tree_async(self.token, session=self.pid, stages=((signal.SIGTERM, 3.0),))


@dataclass
class Session:
    learner: str
    app: LearnerApp
    websocket: web.WebSocketResponse
    since: float = field(default_factory=time.time)


class ClassroomServer:
    def __init__(
        self,
        classroom: Classroom,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        max_running: int | None = None,
        lessons_dir: Path | None = None,
        lesson_ids: list[str] | None = None,
        public_url: str | None = None,
        accounts: dict[str, Account] | None = None,
        class_gid: int | None = None,
        only: frozenset[str] | None = None,
        seats_url: str | None = None,
        path_prefix: str = "",
    ) -> None:
        self.classroom = classroom
        self.only = frozenset() if seats_url else only
        self.seats_url = seats_url
        self.path_prefix = path_prefix.rstrip("/")
        self.accounts = accounts or {}
        self.class_gid = class_gid
        self.host = host
        self.port = port
        self.max_running = max_running or os.cpu_count() or 1
        self.lessons_dir = lessons_dir
        self.lesson_ids = lesson_ids or []
        self.public_url = public_url.rstrip("/") if public_url else None
        self.sessions: dict[str, Session] = {}
        self.failures: dict[str, tuple[int, float]] = {}
        self.download_manager = DownloadManager()
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
        self.runner: web.AppRunner | None = None
        self.bound_port: int | None = None
        atexit.register(self._kill_all_now)

    # -- tokens ---------------------------------------------------------------------------------------------

    async def identify(self, request: web.Request) -> str | None:
        """Who the token in the URL belongs to; wrong tries from one address are slowed down."""
        address = request.remote or "?"
        now = time.monotonic()
        count, last = self.failures.get(address, (0, 0.0))
        if now - last > FAILURE_WINDOW_S:
            count = 0
        if count >= FREE_FAILURES:
            await asyncio.sleep(min(MAX_DELAY_S, 0.25 * 2 ** (count - FREE_FAILURES)))
        who = self.classroom.who(request.match_info.get("token", ""))
        if who is None:
            if len(self.failures) > 10000:  # an address flood must not grow this for ever
                self.failures.clear()
            self.failures[address] = (count + 1, now)
        return who

    def serves(self, learner: str | None) -> bool:
        """A learner this server runs apps for (all of the class's, or its seat's)."""
        return learner is not None and learner != INSTRUCTOR and (self.only is None or learner in self.only)

    @staticmethod
    def forbidden() -> web.Response:
        return web.Response(status=403, text="403 Forbidden: this link is not valid for this class.\n")

    # -- pages ----------------------------------------------------------------------------------------------

    def _base_url(self, request: web.Request) -> str:
        if self.public_url:
            return self.public_url
        scheme = request.headers.get("X-Forwarded-Proto", request.scheme)
        return f"{scheme}://{request.host}"

    async def learner_page(self, request: web.Request) -> web.Response:
        who = await self.identify(request)
        if not self.serves(who):
            return self.forbidden()
        base = self._base_url(request)
        ws_url = ("wss:" if base.startswith("https") else "ws:") + base.split(":", 1)[1] + f"{request.path}/ws"
        html = self.templates.get_template("learner.html").render(
            font_size=_to_int(request.query.get("fontsize", "16"), 16),
            app_websocket_url=ws_url,
            config={"static": {"url": f"{base}{self.path_prefix}/static/"}},
            application={"name": f"mlops-workbench · {who}"},
            ping_url="",
        )
        return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})

    async def instructor_page(self, request: web.Request) -> web.Response:
        if await self.identify(request) != INSTRUCTOR:
            return self.forbidden()
        html = self.templates.get_template("instructor.html").render(class_name=self.classroom.name, base=request.path)
        return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})

    async def _status(self, token: str) -> dict[str, Any]:
        if self.seats_url:
            return await self._seats_status(token)
        connected = {learner: session.since for learner, session in self.sessions.items()}
        status = await asyncio.to_thread(class_status, self.classroom, self.lesson_ids, connected=connected)
        if self.only is not None:
            status["learners"] = [row for row in status["learners"] if row["id"] in self.only]
        return status

    async def _seats_status(self, token: str) -> dict[str, Any]:
        """Every seat's row, asked of each seat's server (seat N serves the class's Nth learner)."""
        assert self.seats_url is not None
        status = await asyncio.to_thread(class_status, self.classroom, [], connected={})
        status["lessons"] = self.lesson_ids
        timeout = aiohttp.ClientTimeout(total=SEAT_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as client:

            async def seat(index: int, learner_id: str, name: str) -> dict[str, Any]:
                assert self.seats_url is not None  # gathered only when the server was given --seats-url
                url = self.seats_url.format(index=index).rstrip("/") + f"/i/{token}/status.json"
                try:
                    async with client.get(url) as response:
                        if response.status != 200:
                            return unreachable_row(learner_id, name, self.lesson_ids, f"HTTP {response.status}")
                        rows = [row for row in (await response.json())["learners"] if row.get("id") == learner_id]
                except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as exc:
                    return unreachable_row(learner_id, name, self.lesson_ids, type(exc).__name__)
                return rows[0] if rows else unreachable_row(learner_id, name, self.lesson_ids, "another learner's seat")

            learners = self.classroom.learners
            status["learners"] = list(await asyncio.gather(*(seat(i, l.id, l.name) for i, l in enumerate(learners))))
        return status

    async def status_json(self, request: web.Request) -> web.Response:
        if await self.identify(request) != INSTRUCTOR:
            return self.forbidden()
        status = await self._status(request.match_info["token"])
        queue = step_queue.StepQueue(self.classroom.slots_dir, self.max_running)
        status["queue"] = {"max_running": self.max_running, "running": queue.running(), "waiting": queue.waiting()}
        return web.json_response(status, headers={"Cache-Control": "no-store"})

    async def export_csv(self, request: web.Request) -> web.Response:
        if await self.identify(request) != INSTRUCTOR:
            return self.forbidden()
        return web.Response(
            text=to_csv(await self._status(request.match_info["token"])),
            content_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{self.classroom.name}.csv"'},
        )

    async def export_junit(self, request: web.Request) -> web.Response:
        if await self.identify(request) != INSTRUCTOR:
            return self.forbidden()
        return web.Response(text=to_junit(await self._status(request.match_info["token"])), content_type="application/xml")

    async def no_token(self, request: web.Request) -> web.Response:
        await self.identify(request)  # counts as a failure from this address
        return self.forbidden()

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    # -- a learner's app --------------------------------------------------------------------------------------

    def app_argv(self, learner: str) -> list[str]:
        argv = [sys.executable, "-m", "workbench", "--home", str(self.classroom.home(learner))]
        if self.lessons_dir is not None:
            argv += ["--lessons-dir", str(self.lessons_dir)]
        return argv

    def app_env(self, learner: str) -> dict[str, str]:
        home = self.classroom.home(learner)
        account = self.accounts.get(learner)
        return {
            **(account.environment(home) if account is not None else {}),
            "WORKBENCH_HOME": str(home),
            "BENTOML_HOME": str(home / "bentoml"),  # never a model store the server's environment shares
            step_queue.ENV_SLOTS: str(self.classroom.slots_dir),
            ENV_LEARNER: learner,
            "BENTOML_DO_NOT_TRACK": "True",
            "MLFLOW_DISABLE_TELEMETRY": "true",
        }

    def _write_sessions(self) -> None:
        try:
            write_json_atomic(
                self.classroom.root / SESSIONS_FILE,
                {
                    "server_pid": os.getpid(),
                    "learners": {learner: session.since for learner, session in self.sessions.items()},
                },
            )
        except OSError as exc:
            log.warning("could not write %s: %s", SESSIONS_FILE, exc)

    async def learner_websocket(self, request: web.Request) -> web.StreamResponse:
        learner = await self.identify(request)
        if learner is None or not self.serves(learner):
            return self.forbidden()  # before the websocket opens: nothing is started
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        previous = self.sessions.pop(learner, None)
        if previous is not None:  # a second tab (or a reload) takes over: one app per learner
            await previous.websocket.close()
            await previous.app.end()
        app = LearnerApp(
            self.app_argv(learner),
            self.app_env(learner),
            account=self.accounts.get(learner),
            cwd=self.classroom.home(learner),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        session = Session(learner, app, websocket)
        self.sessions[learner] = session
        self._write_sessions()
        log.info("%s connected (app started)", learner)
        try:
            await app.start(_to_int(request.query.get("width", "80"), 80), _to_int(request.query.get("height", "24"), 24))
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    envelope = message.json()
                    kind, data = envelope[0], (envelope[1] if len(envelope) > 1 else None)
                except (ValueError, TypeError, IndexError, KeyError):
                    continue
                if kind == "stdin" and isinstance(data, str):
                    await app.send_bytes(data.encode("utf-8"))
                elif kind == "resize" and isinstance(data, dict):
                    await app.set_terminal_size(_to_int(str(data.get("width")), 80), _to_int(str(data.get("height")), 24))
                elif kind == "ping":
                    await websocket.send_json(["pong", data])
                elif kind == "blur":
                    await app.blur()
                elif kind == "focus":
                    await app.focus()
        finally:
            await app.end()
            if self.sessions.get(learner) is session:
                del self.sessions[learner]
                self._write_sessions()
            log.info("%s disconnected (app ended)", learner)
        return websocket

    # -- running ----------------------------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application()
        probes = [web.get(path, self.healthz) for path in ("/healthz", "/livez", "/readyz")]
        app.add_routes(
            [
                web.get("/l/{token}", self.learner_page),
                web.get("/l/{token}/ws", self.learner_websocket),
                web.get("/i/{token}", self.instructor_page),
                web.get("/i/{token}/status.json", self.status_json),
                web.get("/i/{token}/class.csv", self.export_csv),
                web.get("/i/{token}/junit.xml", self.export_junit),
                *(web.get(path, self.no_token) for path in ("/", "/l", "/l/", "/i", "/i/")),
                web.static("/static", STATIC),
            ]
        )
        if not self.path_prefix:
            app.add_routes(probes)
            app.on_shutdown.append(self._on_shutdown)
            return app
        root = web.Application()
        root.add_routes(probes)
        root.add_subapp(self.path_prefix, app)
        root.on_shutdown.append(self._on_shutdown)
        return root

    async def _on_shutdown(self, app: web.Application) -> None:
        sessions = list(self.sessions.values())
        self.sessions.clear()
        for session in sessions:
            await session.websocket.close()
        await asyncio.gather(*(session.app.end() for session in sessions), return_exceptions=True)
        self._write_sessions()

    def _kill_all_now(self) -> None:
        for session in list(self.sessions.values()):
            process_tree.stop_tree(session.app.token, session=session.app.pid, stages=())

    async def start(self) -> int:
        for learner in self.only or ():
            self.classroom.home(learner).mkdir(parents=True, exist_ok=True)  # a seat's fresh volume
        step_queue.configure(self.classroom.slots_dir, self.max_running, self.class_gid)
        self._write_sessions()
        # access_log=None: a request line holds the token; the log would be a list of secrets
        self.runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.host, self.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self.port
        return self.bound_port

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        with contextlib.suppress(OSError):
            os.unlink(self.classroom.root / SESSIONS_FILE)


async def serve_until_signalled(server: ClassroomServer, announce: Any) -> None:
    port = await server.start()
    announce(port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def textual_serve_version() -> str:
    return version("textual-serve")
