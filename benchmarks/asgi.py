"""The benchmark server: sample_site plus the two baselines and a control endpoint.

    BENCH_MODE=ours BENCH_CONTROL_PORT=8001 \
        uvicorn benchmarks.asgi:application --lifespan off     # from the repository root

WebSocket routes (everything else is ``sample_site.asgi.application``, unchanged):

- ``/graphql/``       drf-graphql-live (ours)
- ``/bench/naive/``   hand-written Strawberry + Channels subscription (baselines.py)
- ``/bench/bare/``    bare Channels group consumer forwarding pre-serialized JSON

HTTP, on the ASGI port under ``/bench/`` and on ``127.0.0.1:BENCH_CONTROL_PORT``:

- ``GET  /bench/stats/``  SQL statements, CPU seconds, RSS since the last reset
- ``GET  /bench/hub/``    the hub's groups and subscribers, process CPU seconds (cheap:
  polled while the sockets subscribe; the hub's ``groups`` dict is read from here)
- ``POST /bench/reset/``  reset the counters
- ``POST /bench/write/``  ``{"task": 7, "seq": 3}``: set the task's title to
  ``"bench <seq> <task> <time.time()>"`` and commit, through the ORM, in this process
  (``{"probe": true}`` writes ``"bench probe <seq> ..."``, used to warm up)

Why writes go through the server: with the in-memory channel layer only changes made
*inside* the server process reach its subscribers (README, "Live updates"). The writer
process keeps the schedule; the save and commit run here. The control port is a plain
threaded HTTP server, one thread per request, so a write is committed on time even when
the event loop is saturated by the fan-out: only the ``on_commit`` publish (which must
run on the loop, where the in-memory layer lives) waits for the loop, and that wait is
part of the measured commit-to-receipt latency. Writes' SQL and thread CPU are counted
apart (serverstats.writing()).

``BENCH_MODE`` (ours | naive | bare) selects which model-signal receivers publish.
``BENCH_RESUME_WINDOW`` (seconds) overrides ``DRF_GRAPHQL_LIVE["RESUME_WINDOW"]``.
"""

import asyncio
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_site.settings")

from sample_site.asgi import application as site_application  # sets Django up

if os.environ.get("BENCH_RESUME_WINDOW"):  # benchmarks/resume.py: a short window
    from django.conf import settings

    from drf_graphql_live.settings import live_settings

    window = float(os.environ["BENCH_RESUME_WINDOW"])
    settings.DRF_GRAPHQL_LIVE = {**settings.DRF_GRAPHQL_LIVE, "RESUME_WINDOW": window}
    live_settings.reload()

# isort: split
from asgiref.sync import SyncToAsync
from django.db import close_old_connections, transaction

from benchmarks import baselines, serverstats
from sample_site.board.models import Task

__all__ = ["application"]

MODE = os.environ.get("BENCH_MODE", "ours")
NAIVE_PATH = "/bench/naive/"
BARE_PATH = "/bench/bare/"

serverstats.install()
baselines.connect_signals(MODE)

_naive_app = baselines.NaiveConsumer.as_asgi(schema=baselines.naive_schema)
_bare_app = baselines.BareConsumer.as_asgi()
_loop: list[asyncio.AbstractEventLoop] = []


def _write(task_id: int, seq: int, probe: bool) -> dict[str, Any]:
    """Save and commit one change on the calling (control-server) thread."""
    if not _loop:
        raise RuntimeError("the server has not handled a request yet")
    # Let async_to_sync() in the on_commit publishers run the send on the server's loop
    # (the in-memory layer's queues belong to it), as in a sync_to_async() thread.
    SyncToAsync.threadlocal.main_event_loop = _loop[0]
    SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
    with serverstats.writing():
        try:
            task = Task.objects.get(pk=task_id)
            stamp = time.time()
            if probe:
                task.title = f"bench probe {seq} {stamp:.6f}"
            else:
                task.title = f"bench {seq} {task_id} {stamp:.6f}"
            with transaction.atomic():
                transaction.on_commit(serverstats.committed)  # runs before the publish
                task.save()
            # the on_commit callbacks (the publish) ran as the block exited
            return {"ts": stamp, "published": time.time()}
        finally:
            close_old_connections()


def _control(method: str, path: str, body: bytes) -> tuple[int, Any]:
    if path == "/bench/stats/" and method == "GET":
        return 200, serverstats.snapshot()
    if path == "/bench/hub/" and method == "GET":
        return 200, serverstats.hub()
    if path == "/bench/reset/" and method == "POST":
        serverstats.reset()
        return 200, serverstats.snapshot()
    if path == "/bench/write/" and method == "POST":
        data = json.loads(body)
        return 200, _write(int(data["task"]), int(data["seq"]), bool(data.get("probe")))
    return 404, {"error": "not found"}


class _ControlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            status, data = _control(self.command, self.path, body)
        except Exception as exc:
            status, data = 500, {"error": f"{type(exc).__name__}: {exc}"}
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _handle

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _start_control_server() -> None:
    port = int(os.environ.get("BENCH_CONTROL_PORT") or 0)
    if not port:
        return
    server = ThreadingHTTPServer(("127.0.0.1", port), _ControlHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="bench-control", daemon=True).start()


_start_control_server()


async def _read_body(receive: Any) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def _bench_http(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The control endpoints on the ASGI port too (writes run in a worker thread)."""
    body = await _read_body(receive)
    status, data = await asyncio.to_thread(_control, scope["method"], scope["path"], body)
    payload = json.dumps(data).encode()
    length = str(len(payload)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", length)]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if not _loop:
        _loop.append(asyncio.get_running_loop())
    path = scope.get("path", "")
    if scope["type"] == "websocket" and path == NAIVE_PATH:
        return await _naive_app(scope, receive, send)
    if scope["type"] == "websocket" and path == BARE_PATH:
        return await _bare_app(scope, receive, send)
    if scope["type"] == "http" and path.startswith("/bench/"):
        return await _bench_http(scope, receive, send)
    return await site_application(scope, receive, send)
