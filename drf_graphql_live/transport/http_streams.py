"""Subscriptions over HTTP: graphql-sse "distinct connections" and Apollo multipart.

The client picks the wire with ``Accept`` on the usual GraphQL URL::

    Accept: text/event-stream                          -> event: next / event: complete
    Accept: multipart/mixed;subscriptionSpec="1.0"     -> {"payload": ...} parts, {} heartbeats

What Strawberry 0.341 already does, we reuse: parsing the request (POST body or GET
query string), choosing the transport from ``Accept``, and for any document the fast
path does not take (a query over SSE, several root fields, a directive) its own
execution and encoding (``AsyncBaseHTTPView._stream_result``); our consumer only
relays that stream (:func:`relay`).

Where it does not fit, and why:

* **The fast path.** Strawberry executes and JSON-encodes every event for every
  subscriber. A subscription to one generated ``*Changed`` field instead joins the hub
  with a :class:`~drf_graphql_live.live.delivery.WireSubscriber` whose frame is this
  wire's (:class:`Framing`): the group renders each change once and every stream gets
  the same bytes, as WebSocket subscribers do (:func:`serve_live`).
* **The client leaving.** Strawberry's Channels consumer writes the stream without
  ever reading ``receive``, and uvicorn's ``send`` returns silently once the client has
  gone: an abandoned subscription would stay in its group forever. Every stream here
  races the client's ``http.disconnect`` (:attr:`StreamChannel.disconnected`).
* **Framing of the fast path's multipart parts** has no ``Content-Length`` (Apollo's
  spec makes it optional): a constant prefix and suffix around the rendered payload
  is what lets every subscriber share one rendering.

A subscriber too slow to keep up ends like a WebSocket closed with 4008: the response
ends without ``complete`` and the client resubscribes (``initial: true`` or ``after:``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, cast

from strawberry.channels.handlers.http_handler import MultipartChannelsResponse
from strawberry.http.streaming import (
    MULTIPART_SUBSCRIPTION_BOUNDARY,
    MULTIPART_SUBSCRIPTION_HEARTBEAT_INTERVAL,
    SSE_HEARTBEAT_INTERVAL,
    MultipartSubscriptionTransport,
    SSETransport,
)
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, MULTIPART_SUBSCRIPTION_PROTOCOL

from ..api.request import OperationRequest
from ..exceptions import to_graphql_error
from ..live.delivery import WireSubscriber
from ..live.hub import Hub
from ..live.render import LiveDocument, split_arguments

__all__ = [
    "MULTIPART",
    "SSE",
    "STREAM_PROTOCOLS",
    "Framing",
    "LiveStreamResponse",
    "StreamChannel",
    "consumer_channel",
    "framing_for",
    "relay",
    "serve_live",
]

#: Strawberry's names for the two HTTP subscription protocols we serve (what its view's
#: ``subscription_protocols`` enables).
STREAM_PROTOCOLS = (GRAPHQL_SSE_PROTOCOL, MULTIPART_SUBSCRIPTION_PROTOCOL)
#: What a parsed request's ``protocol`` says for each (Strawberry's transport names).
SSE = SSETransport.protocol
MULTIPART = MultipartSubscriptionTransport.protocol
#: How long ending a response may wait for a client that stopped reading.
END_TIMEOUT = 5.0


@dataclasses.dataclass(frozen=True)
class Framing:
    """How one wire frames a stream: what opens it, wraps each result, ends it."""

    protocol: str
    headers: dict[str, str]
    opening: str
    wrap: tuple[str, str]  # (prefix, suffix) around a JSON-encoded ``next`` payload
    complete: str
    heartbeat: str
    heartbeat_interval: float

    def next(self, payload: dict[str, Any]) -> str:
        return self.wrap[0] + json.dumps(payload, separators=(",", ":")) + self.wrap[1]


def _sse() -> Framing:
    """Strawberry's SSE encoding, split around the payload."""
    transport = SSETransport()
    prefix, suffix = transport.encode_event("next", "\0").split("\0")
    return Framing(
        protocol=SSE,
        headers=dict(transport.headers),
        opening="",
        wrap=(prefix, suffix),
        complete=transport.encode_complete(),
        heartbeat=transport.heartbeat_message(json.dumps),
        heartbeat_interval=SSE_HEARTBEAT_INTERVAL,
    )


def _multipart() -> Framing:
    """Apollo's multipart subscriptions: each part ends with the next boundary."""
    boundary = f"\r\n--{MULTIPART_SUBSCRIPTION_BOUNDARY}"
    part = "\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
    return Framing(
        protocol=MULTIPART,
        headers={
            "Content-Type": (
                f"multipart/mixed;boundary={MULTIPART_SUBSCRIPTION_BOUNDARY};"
                "subscriptionSpec=1.0,application/json"
            ),
            "Cache-Control": "no-cache, no-transform",
            "X-Accel-Buffering": "no",
        },
        opening=f"--{MULTIPART_SUBSCRIPTION_BOUNDARY}",
        wrap=(part + '{"payload":', "}" + boundary),
        complete="--\r\n",  # after a part's trailing boundary: the closing one
        heartbeat=part + "{}" + boundary,
        heartbeat_interval=MULTIPART_SUBSCRIPTION_HEARTBEAT_INTERVAL,
    )


_FRAMINGS: dict[str, Framing] = {SSE: _sse(), MULTIPART: _multipart()}


def framing_for(protocol: str) -> Framing | None:
    """The framing of a parsed request's ``protocol``; None for plain HTTP."""
    return _FRAMINGS.get(protocol)


@dataclasses.dataclass(frozen=True)
class StreamChannel:
    """What a stream needs of its HTTP connection (the consumer builds it).

    ``start`` sends the status and headers through the middlewares (the session
    middleware acts there); ``write`` sends one body chunk, possibly straight to the
    server (it may be stepped by hand, see :mod:`drf_graphql_live.live._stepped_send`);
    ``disconnected`` returns once the client has gone.
    """

    start: Callable[[dict[str, str]], Awaitable[None]]
    write: Callable[[str], Coroutine[Any, Any, None]]
    end: Callable[[], Awaitable[None]]
    disconnected: Callable[[], Awaitable[None]]


def consumer_channel(consumer: Any, receive: Any, server_send: Any = None) -> StreamChannel:
    """The :class:`StreamChannel` of a Channels ``AsyncHttpConsumer`` while it handles.

    Body chunks go to ``server_send`` (the server's own, from the scope) when given,
    skipping the middlewares' ``send`` wrappers, which act only on the response start.
    """

    async def start(headers: dict[str, str]) -> None:
        encoded = [(name.encode(), value.encode()) for name, value in headers.items()]
        await consumer.send_headers(status=200, headers=encoded)

    def write(chunk: str) -> Coroutine[Any, Any, None]:
        message = {"type": "http.response.body", "body": chunk.encode(), "more_body": True}
        return cast(Coroutine[Any, Any, None], (server_send or consumer.send)(message))

    async def end() -> None:
        await consumer.send_body(b"", more_body=False)

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    return StreamChannel(start, write, end, disconnected)


@dataclasses.dataclass
class LiveStreamResponse(MultipartChannelsResponse):
    """A streamed response the hub feeds (the fast path), not Strawberry's iterator."""

    operation: OperationRequest | None = None
    document: LiveDocument | None = None
    framing: Framing | None = None


async def relay(channel: StreamChannel, response: MultipartChannelsResponse) -> None:
    """Strawberry's stream, until it ends or the client leaves (then it is closed)."""
    headers = {key.decode(): value.decode() for key, value in response.headers.items()}
    await channel.start(headers)

    async def copy() -> None:
        async for chunk in response.stream():
            await channel.write(chunk)

    if await _until_gone(channel, copy()):
        await _end(channel)


async def serve_live(channel: StreamChannel, response: LiveStreamResponse) -> None:
    """One fast-path subscription: the hub writes frames until it ends or the client leaves."""
    operation, document, framing = response.operation, response.document, response.framing
    if operation is None or document is None or framing is None:
        raise ValueError("a live stream needs its operation, document and framing")
    await channel.start(framing.headers)
    if framing.opening:
        await channel.write(framing.opening)
    subscriber = WireSubscriber(
        "", channel.write, _ended, wrap=framing.wrap, wants_cursor=document.operation.wants_cursor
    )
    hub = Hub.for_running_loop()
    try:
        stayed = await _until_gone(channel, _follow(hub, operation, document, subscriber, framing))
    finally:
        hub.unsubscribe(subscriber)
    if stayed:
        await _end(channel)


async def _follow(
    hub: Hub,
    operation: OperationRequest,
    document: LiveDocument,
    subscriber: WireSubscriber,
    framing: Framing,
) -> None:
    """Join the group, then keep the stream alive until the subscription ends."""
    _arguments, start = split_arguments(document.arguments)
    try:
        await hub.subscribe(operation, subscriber, start, document=document)
    except Exception as exc:  # refused: the coded error, then complete (graphql-sse spec)
        error = to_graphql_error(exc)  # a bug: INTERNAL_SERVER_ERROR, logged
        error.path = [_response_name(document)]
        await subscriber.send(framing.next({"data": None, "errors": [error.formatted]}))
        await subscriber.send(framing.complete)
        return
    async with _heartbeats(subscriber, framing):
        outcome = await subscriber.finished()
    if outcome == "failed":  # its error frame is written: the protocol's end follows
        await subscriber.send(framing.complete)


@contextlib.asynccontextmanager
async def _heartbeats(subscriber: WireSubscriber, framing: Framing) -> AsyncIterator[None]:
    """Keep-alives while the stream is idle (Apollo expects one every 5 s; proxies too)."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(framing.heartbeat_interval)
            if subscriber.writer is None and not subscriber.ended:  # not while backlogged
                await subscriber.send(framing.heartbeat)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _until_gone(channel: StreamChannel, work: Coroutine[Any, Any, None]) -> bool:
    """Run ``work`` until it ends or the client disconnects; whether the client stayed."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(channel.disconnected())
    left = False
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
        left = gone.done()
    finally:
        for pending in (task, gone):
            if not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending
    if task.done() and not task.cancelled():
        task.result()  # a bug in the stream surfaces (the consumer answers it)
    return not left


async def _end(channel: StreamChannel) -> None:
    """The last chunk; a client that stopped reading is dropped instead of waited for."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(channel.end(), END_TIMEOUT)


async def _ended(code: int, reason: str) -> None:
    """A WireSubscriber's "close" (4008, too slow): ending the response is ``serve_live``'s job."""


def _response_name(document: LiveDocument) -> str:
    node = document.operation.field_node
    return node.alias.value if node.alias else node.name.value
