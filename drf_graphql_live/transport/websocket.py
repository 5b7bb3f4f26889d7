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
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from strawberry.channels import GraphQLWSConsumer as StrawberryWSConsumer
from strawberry.channels.handlers.ws_handler import ChannelsWebSocketAdapter
from strawberry.http.async_base_view import AsyncBaseHTTPView

from ._abort import transport_aborter

__all__ = ["CLOSE_TIMEOUT", "SERVER_SEND", "LiveWebSocketAdapter"]

#: Scope key of the ASGI server's own ``send``, set by ``live_application``.
SERVER_SEND = "drf_graphql_live.server_send"
#: Seconds a close may wait behind unread data before the connection is aborted.
CLOSE_TIMEOUT = 5.0


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
