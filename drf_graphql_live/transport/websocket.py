"""The WebSocket as the protocol handlers see it: Strawberry's adapter plus a frame writer.

Live frames go out through the ASGI server's own ``send`` when ``live_application``
passed it (:data:`SERVER_SEND`), skipping the middlewares' wrappers, which act only on
``websocket.accept`` and HTTP responses yet cost a fifth of the fan-out's CPU::

    adapter.send_frame('{"id":"1","type":"next",...}')   # the fast path's writes
    await adapter.close_promptly(4008, "Too slow")         # a socket that cannot keep up

A client that stops reading never receives a close queued behind its unread data (an
ASGI server's ``send`` waits while its transport is paused), so ``close_promptly``
gives the close :data:`CLOSE_TIMEOUT` seconds, then aborts the connection where the
server lets us (:mod:`._abort`); the client sees the connection drop and reconnects.

Incoming messages are read here too: one over ``MAX_REQUEST_BODY_SIZE`` is never
decoded (the handler gets a :class:`Refused` saying why), and :meth:`iter_messages`
yields :class:`Refused` for a message that is not JSON and reads on, for the legacy
protocol, whose reference server answers such a message and keeps the socket.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import json
from collections.abc import AsyncGenerator, Coroutine
from typing import Any

from strawberry.channels import GraphQLWSConsumer as StrawberryWSConsumer
from strawberry.channels.handlers.ws_handler import ChannelsWebSocketAdapter
from strawberry.http.async_base_view import AsyncBaseHTTPView
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived

from ..limits import too_complex
from ..settings import live_settings
from ._abort import transport_aborter

__all__ = ["CLOSE_TIMEOUT", "SERVER_SEND", "LiveWebSocketAdapter", "MessageQueue", "Refused"]

#: Scope key of the ASGI server's own ``send``, set by ``live_application``.
SERVER_SEND = "drf_graphql_live.server_send"
#: Seconds a close may wait behind unread data before the connection is aborted.
CLOSE_TIMEOUT = 5.0


@dataclasses.dataclass(frozen=True)
class Refused:
    """A message the adapter did not decode, and why (``error``: a coded GraphQL error)."""

    reason: str
    error: dict[str, Any] | None = None


def _oversized(text: str) -> Refused | None:
    limit = live_settings.MAX_REQUEST_BODY_SIZE
    if limit is None or len(text) * 4 <= limit:  # no UTF-8 text can be over: not encoded
        return None
    size = len(text) if len(text) > limit else len(text.encode())
    if size <= limit:
        return None
    error = too_complex("MAX_REQUEST_BODY_SIZE", size, limit, "Message size")
    return Refused(error.message, dict(error.formatted))


class LiveWebSocketAdapter(ChannelsWebSocketAdapter):
    """Strawberry's adapter plus ``send_frame`` and ``close_promptly``.

    The protocol handlers see only this (:class:`~.protocols.FrameSocket`), never the
    consumer or the scope.
    """

    def __init__(
        self, view: AsyncBaseHTTPView, request: StrawberryWSConsumer, response: StrawberryWSConsumer
    ) -> None:
        super().__init__(view, request, response)
        server_send = response.scope.get(SERVER_SEND)
        self.send_frame = (
            self._send_through_consumer if server_send is None else _direct(server_send)
        )
        self._abort = transport_aborter(server_send) if server_send is not None else None

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        """Strawberry's, with a message over ``MAX_REQUEST_BODY_SIZE`` yielded as Refused."""
        async for message in self.iter_messages():
            if isinstance(message, Refused) and message.error is None:
                if not ignore_parsing_errors:
                    raise NonJsonMessageReceived
                continue
            yield message

    async def iter_messages(self) -> AsyncGenerator[object, None]:
        """Every message decoded, or a :class:`Refused`; reading goes on after either."""
        while True:
            queued = await self.ws_consumer.message_queue.get()
            if queued["disconnected"]:
                break
            text = queued["message"]
            if text is None:
                raise NonTextMessageReceived
            refused = _oversized(text)
            if refused is None:
                try:
                    decoded = self.view.decode_json(text)
                except (json.JSONDecodeError, RecursionError):
                    refused = Refused("Message must be valid JSON")
            yield decoded if refused is None else refused

    async def _send_through_consumer(self, frame: str) -> None:
        await self.ws_consumer.send(text_data=frame)

    async def close_promptly(self, code: int, reason: str) -> None:
        """Close with ``code``; abort the connection if the close cannot get out in time."""
        try:
            await asyncio.wait_for(self.close(code=code, reason=reason), CLOSE_TIMEOUT)
        except TimeoutError:
            if self._abort is not None:
                self._abort()


def _direct(server_send: Any) -> Any:
    def send_frame(frame: str) -> Coroutine[Any, Any, None]:
        return server_send({"type": "websocket.send", "text": frame})

    return send_frame


class MessageQueue:
    """The consumer's incoming messages: ``asyncio.Queue``'s ``put_nowait`` and ``get``
    for its one reader (:meth:`LiveWebSocketAdapter.iter_messages`).

    An ``asyncio.Queue`` holds four deques (its items, getters, putters and its
    ``join()`` event's waiters), ~3 KB a socket for the two or three messages a
    subscriber sends (issue 26); here the items' deque exists while there are some.
    """

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: collections.deque[Any] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = collections.deque()
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Any:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items.popleft()
        if not self._items:
            self._items = None
        return item
