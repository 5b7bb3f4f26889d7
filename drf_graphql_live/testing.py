"""Helpers for testing a live GraphQL API, ours and our users'.

    from drf_graphql_live.testing import execute
    result = execute(schema, "{ tasks { count } }", user=alice)
    assert result.errors is None

``execute`` runs the operation the way the server does (async resolvers, one thread hop
per root field) but from a synchronous test, so the hop lands on the test's own thread
and database connection: the test transaction is visible and
``django_assert_num_queries`` counts every query.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from graphql import GraphQLEnumType, GraphQLObjectType, get_named_type
from strawberry.types import ExecutionResult

from .api.request import LiveContext

__all__ = ["GraphQLWSClient", "execute", "full_selection", "make_context", "rest_to_graphql"]


def make_context(user: Any = None, headers: dict[str, str] | None = None) -> LiveContext:
    """A context for ``user`` (or anonymous), with extra request ``headers``."""
    scope = {
        "type": "http",
        "path": "/graphql/",
        "scheme": "http",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
        "user": user or AnonymousUser(),
    }
    return LiveContext(scope=scope, headers=dict(headers or {}), enforce_csrf=False)


def execute(
    schema: Any,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    user: Any = None,
    headers: dict[str, str] | None = None,
) -> ExecutionResult:
    """Run ``query`` as ``user`` (anonymous when None) and return the result."""
    context = make_context(user, headers)
    return async_to_sync(schema.execute)(query, variable_values=variables, context_value=context)


def full_selection(schema: Any, type_name: str, depth: int = 3) -> str:
    """A selection set of every field of ``type_name``, nested types to ``depth``.

    For parity tests: select everything, then compare with the REST JSON. A scalar
    (a list of strings, JSON) has no selection set: ``""``.
    """
    graphql_type = schema._schema.type_map[type_name]
    if not isinstance(graphql_type, GraphQLObjectType):
        return ""
    parts = []
    for name, field in graphql_type.fields.items():
        inner = get_named_type(field.type)
        if isinstance(inner, GraphQLObjectType):
            if depth > 0:
                parts.append(f"{name} {full_selection(schema, inner.name, depth - 1)}")
        else:
            parts.append(name)
    return "{ " + " ".join(parts) + " }"


def rest_to_graphql(schema: Any, type_name: str, data: Any) -> Any:
    """REST JSON as the GraphQL result shows it: keys camelCased, choices as enum names.

    ``rest_to_graphql(schema, "Task", api_client.get("/api/tasks/1/").json())`` must equal
    the ``task`` of a query selecting every field (:func:`full_selection`).
    """
    if isinstance(data, list):
        return [rest_to_graphql(schema, type_name, item) for item in data]
    graphql_type = schema._schema.type_map[type_name]
    if not isinstance(graphql_type, GraphQLObjectType):
        return _convert_value(schema, graphql_type, data)
    result = {}
    for name, field in graphql_type.fields.items():
        key = _field_key(graphql_type, name)
        if key not in data:
            continue
        result[name] = _convert_value(schema, field.type, data[key])
    return result


def _field_key(graphql_type: Any, graphql_name: str) -> str:
    python_type = graphql_type.extensions.get("strawberry-definition")
    drf_fields = getattr(getattr(python_type, "origin", None), "__drf_fields__", {})
    return drf_fields.get(graphql_name, graphql_name)


def _convert_value(schema: Any, graphql_type: Any, value: Any) -> Any:
    inner = get_named_type(graphql_type)
    if value is None:
        return None
    if isinstance(inner, GraphQLObjectType):
        return rest_to_graphql(schema, inner.name, value)
    if isinstance(inner, GraphQLEnumType):
        names = {definition.value: name for name, definition in inner.values.items()}
        return [names[v] for v in value] if isinstance(value, list) else names[value]
    return value


class GraphQLWSClient:
    """A graphql-transport-ws client over Channels' ``WebsocketCommunicator``.

    For fast in-process tests of live subscriptions::

        async with GraphQLWSClient(application, {"Authorization": f"Token {key}"}) as ws:
            op = await ws.subscribe("subscription { tasksChanged { kind id } }")
            assert (await ws.receive_next(op))["data"]["tasksChanged"]["kind"] == "ADDED"
    """

    def __init__(
        self,
        application: Any,
        payload: dict[str, Any] | None = None,
        *,
        path: str = "/graphql/",
        headers: list[tuple[bytes, bytes]] | None = None,
        protocol: str = "graphql-transport-ws",
    ) -> None:
        from channels.testing import WebsocketCommunicator

        self.payload = payload or {}
        self.protocol = protocol
        self.communicator = WebsocketCommunicator(
            application,
            path,
            subprotocols=[protocol],
            headers=headers or [(b"origin", b"http://testserver"), (b"host", b"testserver")],
        )
        self._ids = iter(range(1, 1_000_000))
        self.close_code: int | None = None

    async def __aenter__(self) -> GraphQLWSClient:
        connected, _ = await self.communicator.connect()
        assert connected, "WebSocket handshake refused"
        await self.communicator.send_json_to({"type": "connection_init", "payload": self.payload})
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.communicator.disconnect()

    async def acknowledged(self, timeout: float = 3) -> bool:
        """True on ``connection_ack``; False when the server closed instead (see close_code)."""
        while True:
            message = await self.communicator.receive_output(timeout)
            if message["type"] == "websocket.close":
                self.close_code = message.get("code")
                return False
            kind = json.loads(message["text"])["type"]
            if kind != "connection_error":  # the legacy protocol says why, then closes
                return kind == "connection_ack"

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        operation_id = str(next(self._ids))
        kind = "subscribe" if self.protocol == "graphql-transport-ws" else "start"
        payload = {"query": query, "variables": variables or {}}
        await self.communicator.send_json_to({"id": operation_id, "type": kind, "payload": payload})
        return operation_id

    async def receive(self, timeout: float = 3) -> dict[str, Any]:
        return await self.communicator.receive_json_from(timeout)

    async def receive_next(self, operation_id: str, timeout: float = 3) -> dict[str, Any]:
        """The next result payload of ``operation_id`` (``next``/``data``), skipping keep-alives."""
        while True:
            message = await self.receive(timeout)
            if message.get("type") in ("ka", "ping", "pong"):
                continue
            assert message.get("id") == operation_id, message
            assert message["type"] in ("next", "data"), message
            return message["payload"]

    async def assert_nothing(self, timeout: float = 0.3) -> None:
        """Nothing but keep-alives arrives within ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            if await self.communicator.receive_nothing(remaining):
                return
            message = await self.communicator.receive_output()
            kind = json.loads(message.get("text") or "{}").get("type")
            assert kind in ("ka", "ping", "pong"), f"unexpected message: {message}"

    async def complete(self, operation_id: str) -> None:
        kind = "complete" if self.protocol == "graphql-transport-ws" else "stop"
        await self.communicator.send_json_to({"id": operation_id, "type": kind})
