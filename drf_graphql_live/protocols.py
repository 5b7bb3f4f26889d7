"""Strawberry's two WebSocket protocol handlers, with our auth and their gaps closed.

Strawberry implements graphql-transport-ws and the legacy subscriptions-transport-ws;
these subclasses add only:

* authentication of the ``connection_init`` payload (``{"Authorization": "Token ..."}``)
  with DRF's authentication classes; bad credentials close the socket with
  :data:`CLOSE_4403_FORBIDDEN` on *both* protocols (Strawberry's legacy handler closes
  with 1011, which daphne cannot even send);
* ``"payload": null`` in ``connection_init`` is accepted, as the spec allows;
* a message that is not a JSON object, or a ``subscribe`` whose ``id``/``query`` are not
  strings, closes with 4400 instead of leaving a silent socket;
* the legacy protocol runs queries and mutations too, not only subscriptions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from graphql import GraphQLError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from .hub import Hub
from .wire import LiveDocument, prepare_live_operation, split_arguments

__all__ = [
    "CLOSE_4400_BAD_REQUEST",
    "CLOSE_4403_FORBIDDEN",
    "SERVER_SEND",
    "LegacyWSHandler",
    "TransportWSHandler",
]

CLOSE_4400_BAD_REQUEST = 4400
CLOSE_4403_FORBIDDEN = 4403
#: Scope key of the ASGI server's own ``send``, set by ``live_application``.
SERVER_SEND = "drf_graphql_live.server_send"


def _bad_subscribe(message: dict[str, Any]) -> str | None:
    payload = message.get("payload")
    if not isinstance(message.get("id"), str) or not message.get("id"):
        return "Subscribe message needs a non-empty string id"
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return "Subscribe payload needs a string query"
    if payload.get("variables") is not None and not isinstance(payload["variables"], dict):
        return "Subscribe variables must be an object"
    return None


class TransportWSHandler(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws (the ``graphql-ws`` npm client, Apollo, urql).

    A subscription to one generated ``*Changed`` field takes the fast path
    (:mod:`drf_graphql_live.wire`): the hub writes pre-rendered frames to this socket.
    Everything else goes through Strawberry.
    """

    async def handle_subscribe(self, message: Any) -> None:
        if self._live_operation_started(message):
            return
        await super().handle_subscribe(message)

    def _live_operation_started(self, message: Any) -> bool:
        limit = self.max_subscriptions_per_connection
        if (
            not self.connection_acknowledged
            or message["id"] in self.operations
            or (limit is not None and len(self.operations) >= limit)
        ):
            return False  # Strawberry answers these with the protocol's errors
        payload = message["payload"]
        live = prepare_live_operation(self.schema, payload["query"], payload.get("operationName"))
        document = live.bind(self.context, payload.get("variables")) if live else None
        if document is None:
            return False
        operation = Operation(
            self,
            message["id"],
            payload["query"],
            payload.get("variables"),
            payload.get("operationName"),
        )
        operation.task = asyncio.create_task(self._run_live(operation, document))
        operation.task.add_done_callback(self._task_done)
        self.operations[message["id"]] = operation
        return True

    async def _run_live(self, operation: Operation, document: LiveDocument) -> None:
        live = document.operation
        arguments, initial = split_arguments(document.arguments)
        send = _frame_writer(self.websocket.ws_consumer)

        hub = Hub.for_running_loop()
        try:
            subscriber = await hub.subscribe(
                live.field, self.context, arguments, live.selection, initial=initial,
                wire=(document, operation.id, send, self.websocket.close),
            )  # fmt: skip
        except GraphQLError as error:
            response = live.field_node.alias.value if live.field_node.alias else live.field.name
            error.path = [response]
            await operation.send_operation_message(
                {
                    "id": operation.id,
                    "type": "next",
                    "payload": {"data": None, "errors": [error.formatted]},
                }
            )
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
            return
        try:
            if await subscriber.finished() == "failed":  # its error frame is written
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
        finally:
            hub.unsubscribe(subscriber)

    async def handle_message(self, message: Any) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.handle_invalid_message("Message must be a JSON object with a string type")
            return
        if message["type"] == "subscribe" and (problem := _bad_subscribe(message)):
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: Any) -> None:
        if message.get("payload") is None:
            message = {**message, "payload": {}}
        if not self.connection_init_received and isinstance(message["payload"], dict):
            if not await self.view.authenticate_connection(self.context, message["payload"]):
                self.connection_init_received = True
                await self.websocket.close(code=CLOSE_4403_FORBIDDEN, reason="Forbidden")
                return
        await super().handle_connection_init(message)


def _frame_writer(consumer: Any) -> Callable[[str], Coroutine[Any, Any, None]]:
    """How live frames reach this socket: the server's ``send`` when ``live_application``
    passed it (:data:`SERVER_SEND`, see :mod:`~drf_graphql_live.asgi`), else the
    consumer's, through whatever middlewares wrap it."""
    server_send = consumer.scope.get(SERVER_SEND)
    if server_send is None:

        async def send(frame: str) -> None:
            await consumer.send(text_data=frame)

        return send

    def send_direct(frame: str) -> Coroutine[Any, Any, None]:
        return server_send({"type": "websocket.send", "text": frame})

    return send_direct


class _StreamingSchema:
    """The schema, with ``subscribe`` answering queries and mutations as well."""

    def __init__(self, schema: Any) -> None:
        self._schema = schema

    def __getattr__(self, name: str) -> Any:
        return getattr(self._schema, name)

    async def subscribe(self, query: str, **kwargs: Any) -> Any:
        return await self._schema.stream(query, **kwargs)


class LegacyWSHandler(BaseGraphQLWSHandler):
    """subscriptions-transport-ws (``graphql-ws`` subprotocol; old Apollo clients)."""

    def __init__(self, *args: Any, schema: Any, **kwargs: Any) -> None:
        super().__init__(*args, schema=_StreamingSchema(schema), **kwargs)

    async def handle_message(self, message: Any) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.websocket.close(
                code=CLOSE_4400_BAD_REQUEST, reason="Message must be a JSON object"
            )
            return
        if message["type"] == "start" and (problem := _bad_subscribe(message)):
            await self.send_message(
                {"type": "error", "id": message.get("id"), "payload": {"message": problem}}
            )
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: Any) -> None:
        payload = message.get("payload")
        if isinstance(payload, dict) and not await self.view.authenticate_connection(
            self.context, payload
        ):
            await self.send_message(
                {"type": "connection_error", "payload": {"message": "Forbidden"}}
            )
            await self.websocket.close(code=CLOSE_4403_FORBIDDEN, reason="Forbidden")
            return
        await super().handle_connection_init(message)
