"""A minimal graphql-transport-ws subscriber over ``websockets``, for many sockets at once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

__all__ = ["Subscriber"]


class Subscriber:
    """One socket, one subscription; ``events`` collects what arrives."""

    def __init__(self, url: str, token: str, query: str, variables: dict[str, Any] | None = None):
        self.url, self.token, self.query, self.variables = url, token, query, variables or {}
        self.events: list[dict[str, Any]] = []
        self.closed: websockets.ConnectionClosed | None = None
        self._task: asyncio.Task | None = None
        self.ws: Any = None

    async def start(self) -> Subscriber:
        self.ws = await websockets.connect(
            self.url, subprotocols=["graphql-transport-ws"], open_timeout=20
        )
        await self.ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Token {self.token}"}}
            )
        )
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), 20))
        assert ack["type"] == "connection_ack", ack
        payload = {"query": self.query, "variables": self.variables}
        await self.ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        self._task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if message.get("type") == "next":
                    self.events.append(message["payload"])
        except websockets.ConnectionClosed as closed:
            self.closed = closed

    async def wait_for(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:  # noqa: ASYNC109
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.events) < count and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        return self.events

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        await self.ws.close()
