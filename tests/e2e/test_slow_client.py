"""A client that stops reading hears 4008, through a real uvicorn and a real TCP socket.

The in-process tests (tests/live/test_subscriptions.py) stall a fake server; here the
backlog is real: a ``websockets`` client with a tiny receive buffer stops reading while
another process creates far more tasks than ``MAX_PENDING``, so the server's transport
pauses, the subscriber overflows and closes the socket. When the client reads again it
must reach a 4008 close promptly (after at most what the kernel and the transport already
hold), never an abnormal 1006 and never a hang.

The client resumes within uvicorn's keep-alive window (20 s ping + 20 s timeout): past
it, uvicorn itself fails the connection (1011, often seen as 1006), and no ASGI app can
get a close past a paused transport, since the server's ``send`` waits for it to drain.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Iterator

import pytest
import websockets

from drf_graphql_live.live.delivery import CLOSE_4008_TOO_SLOW, MAX_PENDING

from .servers import RedisServer, SampleSite
from .wsclient import Subscriber

QUERY = "subscription { tasksChanged { kind id node { id title description } } }"
RESUMABLE = (
    "subscription($after: String) { tasksChanged(after: $after) "
    "{ kind id cursor node { id title description } } }"
)
#: More objects than MAX_PENDING: the first fill the kernel's buffers, the rest overflow.
TASKS_TO_CREATE = MAX_PENDING + 400
#: Writer processes, in parallel: each change costs its writer a few milliseconds.
WRITERS = 4
#: Every frame carries this, so a couple of hundred frames fill the kernel's buffers.
DESCRIPTION = "x" * 20_000
#: How long the server may take to process every change (a few milliseconds each).
SERVER_DEADLINE = 120
#: How long the client may read after resuming before it must see the close.
CLOSE_DEADLINE = 30


@pytest.fixture(scope="module")
def uvicorn_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SampleSite, str]]:
    """sample_site under uvicorn on a Redis of its own (writers in other processes)."""
    workdir = tmp_path_factory.mktemp("slow")
    with RedisServer.running(workdir) as redis_server:
        with SampleSite(workdir, redis_url=redis_server.url) as site, site.server() as url:
            yield site, url.replace("http://", "ws://") + "/graphql/"


def small_buffer_socket(url: str) -> socket.socket:
    """A connected TCP socket whose kernel receive buffer holds only a few frames."""
    host, port = url.removeprefix("ws://").split("/")[0].split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    sock.setblocking(False)
    return sock


async def subscribed(url: str, token: str, query: str = QUERY) -> websockets.ClientConnection:
    ws = await websockets.connect(
        url,
        sock=small_buffer_socket(url),
        subprotocols=["graphql-transport-ws"],
        max_queue=1,  # the library stops reading from the socket as soon as we do
        compression=None,  # else the repeated descriptions shrink to nothing
        ping_interval=None,  # no client keep-alive: its timeout would abort with 1006
        open_timeout=20,
    )
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Token {token}"}})
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 20))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    return ws


async def create_tasks(site: SampleSite, count: int) -> None:
    """Create ``count`` tasks in bob's first project, from :data:`WRITERS` other processes."""
    shares = [count // WRITERS + (n < count % WRITERS) for n in range(WRITERS)]
    await asyncio.gather(*(create_in_a_process(site, share) for share in shares if share))


async def create_in_a_process(site: SampleSite, count: int) -> None:
    await asyncio.to_thread(
        site.python,
        "from drf_graphql_live.signals import publish_changes\n"
        "from sample_site.board.models import Project, Task\n"
        "project = Project.objects.filter(members__username='bob').order_by('id').first()\n"
        "tasks = Task.objects.bulk_create(\n"
        f"    Task(project=project, title=f'slow {{n}}', description={DESCRIPTION!r})\n"
        f"    for n in range({count})\n"
        ")\n"
        "publish_changes(Task, [task.pk for task in tasks])\n",
    )


async def read_until_closed(ws: websockets.ClientConnection) -> websockets.ConnectionClosed:
    async with asyncio.timeout(CLOSE_DEADLINE):
        while True:
            try:
                await ws.recv()
            except websockets.ConnectionClosed as closed:
                return closed


async def test_slow_client_sees_4008_when_it_reads_again(uvicorn_url):
    site, url = uvicorn_url
    token = site.tokens["bob"]
    slow = await subscribed(url, token)
    reader = await Subscriber(url, token, QUERY).start()  # tells when the server is done
    try:
        await create_tasks(site, 1)  # both subscriptions are registered once both hear it
        await reader.wait_for(1)
        await create_tasks(site, TASKS_TO_CREATE)  # the slow client reads nothing meanwhile
        heard = await reader.wait_for(1 + TASKS_TO_CREATE, timeout=SERVER_DEADLINE)
        assert len(heard) == 1 + TASKS_TO_CREATE, "the server did not process every change"
        closed = await read_until_closed(slow)
    finally:
        await reader.stop()
        await slow.close()
    assert closed.rcvd is not None, f"no close frame: {closed!r}"
    assert (closed.rcvd.code, closed.rcvd.reason) == (CLOSE_4008_TOO_SLOW, "Too slow")


async def test_a_client_closed_with_4008_resumes_with_its_cursor_and_ends_current(uvicorn_url):
    """DESIGN: 4008 means "resubscribe with after:"; the log brings it exactly current."""
    site, url = uvicorn_url
    token = site.tokens["bob"]
    first_new = int(site.python("from sample_site.board.models import Task\n"
                                "print((Task.objects.order_by('-id').first()).pk + 1)"))  # fmt: skip
    slow = await subscribed(url, token, RESUMABLE)
    reader = await Subscriber(url, token, QUERY).start()
    rows: dict[str, str] = {}
    cursor = None
    try:
        await create_tasks(site, 1)
        await reader.wait_for(1)
        await create_tasks(site, TASKS_TO_CREATE)
        heard = await reader.wait_for(1 + TASKS_TO_CREATE, timeout=SERVER_DEADLINE)
        assert len(heard) == 1 + TASKS_TO_CREATE, "the server did not process every change"
        async with asyncio.timeout(CLOSE_DEADLINE):
            with contextlib.suppress(websockets.ConnectionClosed):
                while True:
                    message = json.loads(await slow.recv())
                    if message.get("type") == "next":
                        event = message["payload"]["data"]["tasksChanged"]
                        rows[event["id"]] = event["node"]["title"]
                        cursor = event["cursor"]
        assert slow.close_code == CLOSE_4008_TOO_SLOW
    finally:
        await reader.stop()
        await slow.close()
    assert cursor is not None, "the slow client read no event before the close"
    created = json.loads(site.python(
        "import json\nfrom sample_site.board.models import Task\n"
        f"print(json.dumps({{str(t.pk): t.title for t in Task.objects.filter(pk__gte={first_new})}}))"
    ))  # fmt: skip
    assert len(rows) < len(created)  # it missed some: the close was for real

    resumed = await Subscriber(url, token, RESUMABLE, {"after": cursor}).start()
    try:
        deadline = asyncio.get_running_loop().time() + SERVER_DEADLINE
        applied = 0
        while rows != created:
            assert asyncio.get_running_loop().time() < deadline, (len(rows), len(created))
            for payload in resumed.events[applied:]:
                event = payload["data"]["tasksChanged"]
                rows[event["id"]] = event["node"]["title"]
            applied = len(resumed.events)
            await asyncio.sleep(0.1)
    finally:
        await resumed.stop()
    assert rows == created
