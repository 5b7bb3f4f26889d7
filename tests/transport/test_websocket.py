"""The fast path's WebSocket: the abort of a stuck close, against the installed uvicorn.

``transport_aborter`` reaches uvicorn's transport through its ``send``; these tests run a
real uvicorn (every WebSocket implementation it ships) so an upgrade that moves it fails
here, and show what a client sees: the connection dropped at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
import websockets
from uvicorn.config import WS_PROTOCOLS

from drf_graphql_live.transport._abort import transport_aborter
from drf_graphql_live.transport.websocket import LiveWebSocketAdapter


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Accepts, tells whether its connection can be aborted, then aborts it on request."""
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    abort = transport_aborter(send)
    await send({"type": "websocket.send", "text": "abortable" if abort else "not abortable"})
    message = await receive()
    if message.get("text") == "abort" and abort is not None:
        abort()
        return
    await send({"type": "websocket.close", "code": 1000})


@contextlib.asynccontextmanager
async def serving(ws: str) -> AsyncIterator[str]:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, ws=ws, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # bounded: the server binds within seconds
            if server.started:
                break
            await asyncio.sleep(0.01)
        assert server.started, "uvicorn did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


#: uvicorn's WebSocket implementations of this version (websockets-sansio came in 0.35).
UVICORN_WS = [ws for ws in ("websockets", "websockets-sansio", "wsproto") if ws in WS_PROTOCOLS]
#: The one the abort test runs on: uvicorn's default from 0.35 on, else legacy websockets.
DEFAULT_WS = "websockets-sansio" if "websockets-sansio" in WS_PROTOCOLS else "websockets"


@pytest.mark.parametrize("ws", UVICORN_WS)
async def test_uvicorns_send_leads_to_an_abortable_transport(ws):
    pytest.importorskip("wsproto") if ws == "wsproto" else None
    async with serving(ws) as url, websockets.connect(url) as client:
        assert await asyncio.wait_for(client.recv(), 10) == "abortable"


async def test_an_aborted_connection_drops_at_once_for_the_client():
    async with serving(DEFAULT_WS) as url, websockets.connect(url) as client:
        assert await asyncio.wait_for(client.recv(), 10) == "abortable"
        await client.send("abort")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(client.recv(), 10)
        assert closed.value.rcvd is None  # no close frame: dropped, not closed


async def test_close_promptly_aborts_when_the_close_cannot_get_out(monkeypatch):
    """The close waits behind unread data: after CLOSE_TIMEOUT the connection is aborted."""
    from drf_graphql_live.transport import websocket as websocket_module

    aborted = asyncio.Event()

    class Transport:
        def abort(self) -> None:
            aborted.set()

    class Server:
        transport = Transport()

        async def send(self, message: dict) -> None:
            await asyncio.Event().wait()  # the transport is paused: nothing gets out

    server = Server()

    class Consumer:
        scope = {websocket_module.SERVER_SEND: server.send}

        async def close(self, code: int, reason: str) -> None:
            await server.send({"type": "websocket.close", "code": code})

    monkeypatch.setattr(websocket_module, "CLOSE_TIMEOUT", 0.05)
    adapter = LiveWebSocketAdapter(None, Consumer(), Consumer())  # type: ignore[arg-type]
    await adapter.close_promptly(4008, "Too slow")
    assert aborted.is_set()


def test_a_send_with_no_transport_behind_it_cannot_be_aborted():
    async def send(message: dict) -> None:
        return None

    assert transport_aborter(send) is None
