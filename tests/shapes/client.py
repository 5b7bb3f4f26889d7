"""A client as Apollo or urql users write one: a socket, events applied by id, resume.

    client = LiveClient("u1", token, query, field, variables={"kind": "todo"})
    await client.connect(url)                 # initial: true the first time, else after:
    await client.drop()                       # the socket goes (a network cut)
    await client.connect(other_url)           # resumes with after: <last applied cursor>

``RESUME_EXPIRED`` is handled as the contract says: rows dropped, ``initial: true``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import websockets

from .mirror import Mirror

__all__ = ["LiveClient"]


class LiveClient:
    def __init__(
        self, name: str, token: str, query: str, field: str, variables: dict[str, Any]
    ) -> None:
        self.name, self.token, self.query, self.field = name, token, query, field
        self.variables = variables
        self.mirror = Mirror()
        self.errors: list[Any] = []
        self.expired = 0
        self.url: str | None = None
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self._started = False

    @property
    def connected(self) -> bool:
        return self._reader is not None and not self._reader.done()

    async def connect(self, url: str) -> None:
        """Open a socket to ``url`` and (re)subscribe: ``after:`` once it has a cursor."""
        await self.drop()
        self.url = url
        ws_url = url.replace("http://", "ws://") + "/graphql/"
        self._ws = await websockets.connect(
            ws_url, subprotocols=["graphql-transport-ws"], open_timeout=20
        )
        init = {"type": "connection_init", "payload": {"Authorization": f"Token {self.token}"}}
        await self._ws.send(json.dumps(init))
        ack = json.loads(await asyncio.wait_for(self._ws.recv(), 20))
        assert ack["type"] == "connection_ack", ack
        await self._subscribe()
        self._reader = asyncio.create_task(self._read())

    async def _subscribe(self) -> None:
        start: dict[str, Any] = {"initial": True} if self.mirror.cursor is None else {}
        if self.mirror.cursor is not None:
            start["after"] = self.mirror.cursor
        variables = {**self.variables, **start}
        payload = {"query": self.query, "variables": variables}
        await self._ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))

    async def drop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
            self._reader = None
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
            self._ws = None

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self._ws:
                message = json.loads(raw)
                if message.get("type") == "next":
                    await self._on_result(message["payload"])
                elif message.get("type") == "error":
                    self.errors.append(message)

    async def _on_result(self, payload: dict[str, Any]) -> None:
        errors = payload.get("errors")
        if errors:
            if errors[0].get("extensions", {}).get("code") == "RESUME_EXPIRED":
                self.expired += 1
                self.mirror = Mirror()  # the contract: refetch, subscribe with initial
                await self._subscribe()
                return
            self.errors.append(errors)
            return
        self.mirror.apply(payload["data"][self.field])
