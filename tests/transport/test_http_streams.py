"""Subscriptions over HTTP, in-process: sample_site's ASGI app driven chunk by chunk.

An ``ApplicationCommunicator`` plays the ASGI server, so each body chunk is seen as the
client would see it, and ``http.disconnect`` can be sent mid-stream. Writes go through
the ORM in a worker thread and commit (the real on_commit -> hub path).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from channels.layers import channel_layers
from django.test import override_settings
from rest_framework.authtoken.models import Token

from drf_graphql_live.live.delivery import MAX_PENDING, Change
from drf_graphql_live.live.hub import Hub
from drf_graphql_live.transport import consumers, http_streams
from sample_site.asgi import application
from sample_site.board.models import Task

pytestmark = pytest.mark.django_db(transaction=True)

SSE = "text/event-stream"
MULTIPART = 'multipart/mixed;subscriptionSpec="1.0",application/json'
TASKS = (
    "subscription($initial: Boolean) { tasksChanged(initial: $initial) { kind id node { title } } }"
)


@pytest.fixture
def tokens(board) -> dict[str, str]:
    return {u.username: Token.objects.create(user=u).key for u in (board.alice, board.bob)}


@pytest.fixture(autouse=True)
async def fresh_hub():
    """A fresh in-memory layer per test (its queues belong to one event loop)."""
    channel_layers.backends.clear()
    yield
    await Hub.for_running_loop().close()
    channel_layers.backends.clear()


class HTTPStream:
    """One streamed POST (or GET) to /graphql/, read as the client reads it."""

    def __init__(
        self, accept: str, query: str, variables: dict[str, Any] | None = None, **options: Any
    ) -> None:
        token, method = options.get("token"), options.get("method", "POST")
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        headers = [(b"accept", accept.encode()), (b"content-type", b"application/json")]
        if token:
            headers.append((b"authorization", f"Token {token}".encode()))
        query_string = b""
        if method == "GET":
            query_string = urlencode({"query": query, "variables": json.dumps(variables or {})})
            query_string, body = query_string.encode(), b""
        scope = {
            "type": "http", "http_version": "1.1", "method": method, "scheme": "http",
            "path": "/graphql/", "raw_path": b"/graphql/", "query_string": query_string,
            "headers": headers, "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
        }  # fmt: skip
        self.communicator = ApplicationCommunicator(application, scope)
        self.body = body
        self.buffer = ""
        self.ended = False

    async def open(self) -> tuple[int, dict[str, str]]:
        await self.communicator.send_input({"type": "http.request", "body": self.body})
        start = await self.communicator.receive_output(5)
        assert start["type"] == "http.response.start", start
        return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}

    async def read(self, within: float = 5) -> str:
        """The next body chunk ('' once the response has ended)."""
        message = await self.communicator.receive_output(within)
        assert message["type"] == "http.response.body", message
        self.ended = not message.get("more_body", False)
        return message["body"].decode()

    async def sse(self, within: float = 5) -> tuple[str, Any]:
        """The next SSE event (comments skipped): (event name, parsed data)."""
        while "\r\n\r\n" not in self.buffer:
            assert not self.ended, f"the stream ended; left: {self.buffer!r}"
            self.buffer += await self.read(within)
        block, self.buffer = self.buffer.split("\r\n\r\n", 1)
        fields = dict(line.split(": ", 1) for line in block.split("\r\n") if ": " in line)
        if "event" not in fields:  # a ": ping" comment
            return await self.sse(within)
        return fields["event"], json.loads(fields["data"]) if fields["data"] else None

    async def leave(self) -> None:
        """The client goes away; the application must then return."""
        await self.communicator.send_input({"type": "http.disconnect"})
        await self.communicator.wait(5)

    async def nothing(self, within: float = 0.3) -> None:
        assert await self.communicator.receive_nothing(within), "unexpected chunk"


async def next_event(stream: HTTPStream) -> dict[str, Any]:
    name, data = await stream.sse()
    assert name == "next", (name, data)
    assert "errors" not in data, data
    return data["data"]["tasksChanged"]


def orm(func):
    return sync_to_async(func, thread_sensitive=True)


def retitle(pk: int, title: str) -> None:
    task = Task.objects.get(pk=pk)
    task.title = title
    task.save()


async def test_sse_subscription_receives_snapshot_and_changes_when_accept_is_event_stream(
    board, tokens
):
    stream = HTTPStream(SSE, TASKS, {"initial": True}, token=tokens["bob"])
    status, headers = await stream.open()
    assert (status, headers["content-type"]) == (200, "text/event-stream")
    snapshot = [await next_event(stream) for _ in range(3)]
    assert {e["kind"] for e in snapshot} == {"ADDED"}
    assert sorted(int(e["id"]) for e in snapshot) == sorted(
        t.pk for t in (board.design, board.docs, board.backlog)
    )
    await orm(retitle)(board.docs.pk, "Docs, renamed")
    assert await next_event(stream) == {
        "kind": "MODIFIED",
        "id": str(board.docs.pk),
        "node": {"title": "Docs, renamed"},
    }
    await stream.leave()


async def test_multipart_subscription_sends_apollo_parts_when_accept_is_multipart(board, tokens):
    stream = HTTPStream(MULTIPART, TASKS, token=tokens["bob"])
    status, headers = await stream.open()
    assert status == 200
    assert headers["content-type"].startswith("multipart/mixed;boundary=graphql;")
    assert "subscriptionSpec=1.0" in headers["content-type"]
    assert await stream.read() == "--graphql"
    await stream.nothing()  # no initial snapshot unless asked
    await orm(retitle)(board.design.pk, "Design, renamed")
    part = await stream.read()
    head, body = part.split("\r\n\r\n", 1)
    assert "Content-Type: application/json" in head
    assert body.endswith("\r\n--graphql")
    assert json.loads(body.removesuffix("\r\n--graphql")) == {
        "payload": {
            "data": {
                "tasksChanged": {
                    "kind": "MODIFIED",
                    "id": str(board.design.pk),
                    "node": {"title": "Design, renamed"},
                }
            }
        }
    }
    await stream.leave()


async def test_multipart_heartbeat_sent_while_the_stream_is_idle(board, tokens, monkeypatch):
    quick = dataclasses.replace(http_streams._FRAMINGS[http_streams.MULTIPART])
    object.__setattr__(quick, "heartbeat_interval", 0.05)
    monkeypatch.setitem(http_streams._FRAMINGS, http_streams.MULTIPART, quick)
    stream = HTTPStream(MULTIPART, TASKS, token=tokens["bob"])
    await stream.open()
    assert await stream.read() == "--graphql"
    heartbeat = await stream.read()
    assert heartbeat.split("\r\n\r\n", 1)[1] == "{}\r\n--graphql"
    await stream.leave()


@pytest.mark.parametrize("fast_path", [True, False])
async def test_stream_client_disconnect_leaves_the_group(board, tokens, fast_path, monkeypatch):
    if not fast_path:  # what a document the fast path declines gets: Strawberry's stream
        monkeypatch.setattr(consumers, "prepare_live_operation", lambda *args: None)
    stream = HTTPStream(SSE, TASKS, {"initial": True}, token=tokens["bob"])
    await stream.open()
    await next_event(stream)
    hub = Hub.for_running_loop()
    assert sum(len(group.subscribers) for group in hub.groups.values()) == 1
    await stream.leave()
    # the subscriber left; its group lingers a moment for the client to come back
    assert sum(len(group.subscribers) for group in hub.groups.values()) == 0


async def test_stream_token_users_see_only_their_own_objects(board, tokens):
    alice = HTTPStream(SSE, TASKS, token=tokens["alice"])
    bob = HTTPStream(SSE, TASKS, token=tokens["bob"])
    await alice.open()
    await bob.open()
    await bob.nothing()
    private = await orm(Task.objects.create)(project=board.alice_only, title="Alice's secret")
    assert (await next_event(alice))["id"] == str(private.pk)
    shared = await orm(Task.objects.create)(project=board.shared, title="For both")
    assert (await next_event(bob))["id"] == str(shared.pk)  # never the private one
    assert (await next_event(alice))["id"] == str(shared.pk)
    await alice.leave()
    await bob.leave()


@pytest.mark.parametrize("accept", [SSE, MULTIPART])
async def test_stream_with_a_bad_token_answers_not_authenticated(board, accept):
    stream = HTTPStream(accept, TASKS, token="not-a-token")
    status, _headers = await stream.open()
    assert status == 200
    text = ""
    while not stream.ended:
        text += await stream.read()
    assert "NOT_AUTHENTICATED" in text
    if accept == SSE:
        assert text.endswith("event: complete\r\ndata: \r\n\r\n")
    else:
        assert text.endswith("--graphql--\r\n")


async def test_stream_anonymous_subscription_refused_with_a_coded_error(board):
    stream = HTTPStream(SSE, TASKS)
    await stream.open()
    name, data = await stream.sse()
    assert name == "next"
    assert data["data"] is None
    assert data["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert data["errors"][0]["path"] == ["tasksChanged"]
    assert await stream.sse() == ("complete", None)


async def test_multipart_anonymous_subscription_refused_then_closing_boundary(board):
    stream = HTTPStream(MULTIPART, TASKS)
    await stream.open()
    text = ""
    while not stream.ended:
        text += await stream.read()
    assert text.startswith("--graphql\r\nContent-Type: application/json")
    part, closing = text.split("\r\n--graphql")
    error = json.loads(part.split("\r\n\r\n", 1)[1])["payload"]["errors"][0]
    assert error["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert closing == "--\r\n"  # the closing boundary: Apollo completes


@override_settings(DRF_GRAPHQL_LIVE={"MAX_QUERY_DEPTH": 2})
async def test_stream_too_deep_subscription_refused_with_query_too_complex(board, tokens):
    query = "subscription { tasksChanged { node { assigneeDetail { username } } } }"
    stream = HTTPStream(SSE, query, token=tokens["bob"])
    await stream.open()
    name, data = await stream.sse()
    assert name == "next"
    assert data["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert await stream.sse() == ("complete", None)


async def test_stream_query_over_sse_answers_once_then_completes(board, tokens):
    stream = HTTPStream(SSE, "{ tasks { count } }", token=tokens["bob"])
    await stream.open()
    assert await stream.sse() == ("next", {"data": {"tasks": {"count": 3}}})
    assert await stream.sse() == ("complete", None)


async def test_stream_subscription_over_get_when_accept_is_event_stream(board, tokens):
    stream = HTTPStream(SSE, TASKS, {"initial": True}, token=tokens["bob"], method="GET")
    status, _headers = await stream.open()
    assert status == 200
    assert (await next_event(stream))["kind"] == "ADDED"
    await stream.leave()


async def test_stream_ends_with_not_authenticated_when_the_token_is_deleted(board, tokens):
    stream = HTTPStream(SSE, TASKS, token=tokens["bob"])
    await stream.open()
    await stream.nothing()
    await orm(lambda: Token.objects.filter(key=tokens["bob"]).delete())()
    name, data = await stream.sse()
    assert name == "next"
    assert data["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert await stream.sse() == ("complete", None)
    while not stream.ended:
        await stream.read()


class StuckClient:
    """A client that stopped reading: the first chunk is written, every later write waits."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.ended = False
        self.gone = asyncio.Event()

    def channel(self) -> http_streams.StreamChannel:
        async def start(headers: dict[str, str]) -> None:
            return None

        async def write(chunk: str) -> None:
            if self.written:
                await asyncio.Event().wait()  # the transport stays paused
            self.written.append(chunk)

        async def end() -> None:
            await asyncio.Event().wait()  # nor is the last chunk ever taken

        async def disconnected() -> None:
            await self.gone.wait()

        return http_streams.StreamChannel(start, write, end, disconnected)


class FloodingHub:
    """Offers more changes than a stuck stream may hold, as a busy group would."""

    def __init__(self) -> None:
        self.left: list[Any] = []

    async def subscribe(self, operation, subscriber, start, *, document) -> None:
        # one written, one stuck in the writer, then one more than MAX_PENDING queued
        for pk in range(MAX_PENDING + 3):
            subscriber.offer(Change(str(pk), "ADDED", {}, had=False, bodies={"ADDED": "{}"}))

    def unsubscribe(self, subscriber) -> None:
        self.left.append(subscriber)

    async def close(self) -> None:
        """Nothing to stop (the ``fresh_hub`` fixture closes whichever hub it finds)."""


async def test_stream_too_slow_to_keep_up_is_ended_and_leaves_its_group(monkeypatch):
    hub = FloodingHub()
    monkeypatch.setattr(http_streams.Hub, "for_running_loop", staticmethod(lambda: hub))
    monkeypatch.setattr(http_streams, "END_TIMEOUT", 0.1)
    client = StuckClient()
    document = SimpleNamespace(arguments={}, operation=SimpleNamespace(wants_cursor=False))
    response = http_streams.LiveStreamResponse(
        stream=None,  # type: ignore[arg-type]
        operation=SimpleNamespace(),  # type: ignore[arg-type]
        document=document,  # type: ignore[arg-type]
        framing=http_streams.framing_for(http_streams.SSE),
    )
    async with asyncio.timeout(5):  # returns by itself: neither the writer nor the end hangs
        await http_streams.serve_live(client.channel(), response)
    assert len(hub.left) == 1
    assert hub.left[0].outcome.result() == "overflowed"
    assert hub.left[0].pending == {}  # its backlog's memory is released


RESUMABLE = (
    "subscription($initial: Boolean, $after: String) { tasksChanged(initial: $initial, "
    "after: $after) { kind id cursor node { title } } }"
)


async def test_sse_subscription_resumes_with_its_last_cursor(board, tokens):
    """A cursor is the subscription's, not the transport's: an SSE stream resumes it."""
    stream = HTTPStream(SSE, RESUMABLE, {"initial": True}, token=tokens["bob"])
    await stream.open()
    snapshot = [await next_event(stream) for _ in range(3)]
    await stream.leave()
    await orm(retitle)(board.docs.pk, "Docs, renamed while away")
    await orm(lambda: Task.objects.get(pk=board.backlog.pk).delete())()

    resumed = HTTPStream(SSE, RESUMABLE, {"after": snapshot[-1]["cursor"]}, token=tokens["bob"])
    await resumed.open()
    events = [await next_event(resumed) for _ in range(2)]
    assert sorted((e["kind"], e["id"]) for e in events) == sorted(
        [("MODIFIED", str(board.docs.pk)), ("REMOVED", str(board.backlog.pk))]
    )
    await resumed.nothing()
    await resumed.leave()

    expired = HTTPStream(SSE, RESUMABLE, {"after": "made-up"}, token=tokens["bob"])
    await expired.open()
    name, data = await expired.sse()
    assert name == "next"
    assert data["errors"][0]["extensions"]["code"] == "RESUME_EXPIRED"
    assert (await expired.sse())[0] == "complete"
