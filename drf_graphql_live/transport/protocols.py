"""Strawberry's two WebSocket protocol handlers, with our auth and their gaps closed.

Strawberry implements graphql-transport-ws and the legacy subscriptions-transport-ws;
these subclasses add only:

* authentication of the ``connection_init`` payload (``{"Authorization": "Token ..."}``)
  with DRF's authentication classes; bad credentials close the socket with
  :data:`CLOSE_4403_FORBIDDEN` on *both* protocols (Strawberry's legacy handler closes
  with 1011, which daphne cannot even send);
* ``"payload": null`` in ``connection_init`` is accepted, as the spec allows;
* every field of every graphql-transport-ws message is checked (:data:`_MESSAGE_CHECKS`):
  a malformed one closes with 4400 and says why, instead of being accepted silently or
  leaving a silent socket;
* an operation past ``MAX_SUBSCRIPTIONS_PER_CONNECTION`` is refused with
  ``extensions.code`` TOO_MANY_OPERATIONS on both protocols;
* a message over ``MAX_REQUEST_BODY_SIZE`` is never decoded: graphql-transport-ws
  closes with 4400 and a reason naming the limit (the protocol has no error for a
  message without an operation);
* on the legacy protocol, a frame that is not a JSON object (invalid JSON included,
  which Strawberry drops, and an oversized one) gets a ``connection_error`` and the
  socket stays open, as the reference server answers it; one without a string
  ``type`` gets an ``error``;
* the legacy protocol runs queries and mutations too, not only subscriptions;
* a graphql-transport-ws subscription to one generated ``*Changed`` field takes the fast
  path: the hub writes pre-rendered frames with the socket's frame writer.

The handlers never reach into the Channels consumer: the consumer's WebSocket adapter
hands them a :class:`FrameSocket` (``send_frame``, ``close``, ``close_promptly``), and
they extend Strawberry only at its public seams (``run_operation``, ``handle_message``,
``handle_connection_init``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Protocol, cast

from graphql import GraphQLError
from strawberry.http.async_base_view import AsyncWebSocketAdapter
from strawberry.schema import BaseSchema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from ..api.request import LiveContext, OperationRequest
from ..exceptions import TOO_MANY_OPERATIONS, LiveGraphQLError
from ..live.delivery import WireSubscriber
from ..live.hub import Hub
from ..live.render import LiveDocument, split_arguments
from . import fast_path
from .auth import close_reason
from .websocket import LiveWebSocketAdapter, Refused

__all__ = [
    "CLOSE_4400_BAD_REQUEST",
    "CLOSE_4403_FORBIDDEN",
    "FrameSocket",
    "LegacyWSHandler",
    "TransportWSHandler",
]

CLOSE_4400_BAD_REQUEST = 4400
CLOSE_4403_FORBIDDEN = 4403


class FrameSocket(Protocol):
    """What the fast path needs of a WebSocket: write a text frame, close."""

    #: Writes one text frame; the coroutine may be stepped by hand (see
    #: :mod:`drf_graphql_live.live._stepped_send`).
    send_frame: Callable[[str], Coroutine[Any, Any, None]]

    def close(self, code: int, reason: str) -> Awaitable[None]: ...

    def close_promptly(self, code: int, reason: str) -> Awaitable[None]:
        """Close, and abort the connection if the close cannot get out in time."""
        ...


def _optional(value: Any, kind: type) -> bool:
    """Absent and ``null`` are both allowed wherever the spec says ``field?: T | null``."""
    return value is None or isinstance(value, kind)


def _bad_payload(message: dict[str, Any]) -> str | None:
    """``connection_init``, ``ping``, ``pong``: the payload is an object, null or absent."""
    if not _optional(message.get("payload"), dict):
        return f"{message['type']} payload must be an object"
    return None


def _bad_complete(message: dict[str, Any]) -> str | None:
    if not isinstance(message.get("id"), str) or not message["id"]:
        return "Complete message needs a non-empty string id"
    return None


def _bad_subscribe(message: dict[str, Any]) -> str | None:
    payload = message.get("payload")
    if not isinstance(message.get("id"), str) or not message.get("id"):
        return "Subscribe message needs a non-empty string id"
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return "Subscribe payload needs a string query"
    for field, kind in (("variables", dict), ("extensions", dict), ("operationName", str)):
        if not _optional(payload.get(field), kind):
            return f"Subscribe {field} must be {'a string' if kind is str else 'an object'}"
    return None


#: graphql-transport-ws messages a client may send, and what is wrong with one (None: ok).
#: Any other type is Strawberry's "Unknown message type" close (4400 too).
_MESSAGE_CHECKS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "connection_init": _bad_payload,
    "ping": _bad_payload,
    "pong": _bad_payload,
    "subscribe": _bad_subscribe,
    "complete": _bad_complete,
}


def _too_many_operations() -> LiveGraphQLError:
    """Strawberry's refusal past the per-connection cap, with our code."""
    return LiveGraphQLError("Subscription limit reached", TOO_MANY_OPERATIONS)


def _over_limit(limit: int | None, running: dict[str, Any], operation_id: Any) -> bool:
    """Whether a new operation ``operation_id`` would pass the per-connection cap."""
    return limit is not None and operation_id not in running and len(running) >= limit


class ConnectionAuthenticator(Protocol):
    """What the handlers need of their view (the consumer): checking ``connection_init``."""

    async def authenticate_connection(
        self, context: LiveContext, payload: dict[str, Any]
    ) -> bool: ...


async def _accepted(view: Any, context: LiveContext, payload: dict[str, Any]) -> bool:
    """Whether the view (our consumer) accepts the ``connection_init`` credentials."""
    return await cast(ConnectionAuthenticator, view).authenticate_connection(context, payload)


class TransportWSHandler(BaseGraphQLTransportWSHandler[LiveContext, None]):
    """graphql-transport-ws (the ``graphql-ws`` npm client, Apollo, urql).

    A subscription to one generated ``*Changed`` field takes the fast path
    (:mod:`drf_graphql_live.live.render`): the hub writes pre-rendered frames to this socket.
    Everything else goes through Strawberry.
    """

    async def run_operation(self, operation: Operation[LiveContext, None]) -> None:
        """Strawberry's operation task, or the fast path when the document fits it.

        The gate runs first either way (:func:`~.fast_path.enter`): a refusal is the
        operation's ``error`` message, as Strawberry sends it for an invalid document.
        """
        entry = await fast_path.enter(
            self.schema,
            operation.query,
            operation.variables,
            operation.operation_name,
            self.context,
        )
        if entry.errors:
            await operation.send_initial_errors(entry.errors)
            return
        document = entry.live.bind(self.context, operation.variables) if entry.live else None
        if document is None:
            await super().run_operation(operation)
            return
        await self._run_live(operation, document)

    async def _run_live(
        self, operation: Operation[LiveContext, None], document: LiveDocument
    ) -> None:
        live = document.operation
        arguments, start = split_arguments(document.arguments)
        socket = cast(FrameSocket, self.websocket)
        subscriber = WireSubscriber(
            operation.id, socket.send_frame, socket.close_promptly, wants_cursor=live.wants_cursor
        )
        hub = Hub.for_running_loop()
        request = OperationRequest(live.field, self.context, arguments, live.selection)
        try:
            await hub.subscribe(request, subscriber, start, document=document)
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
        if isinstance(message, Refused):
            await self.handle_invalid_message(message.reason)
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.handle_invalid_message("Message must be a JSON object with a string type")
            return
        check = _MESSAGE_CHECKS.get(message["type"])
        if check is not None and (problem := check(message)):
            await self.handle_invalid_message(problem)
            return
        if message["type"] == "subscribe" and await self._refused_over_limit(message["id"]):
            return
        await super().handle_message(cast(Any, message))  # checked above

    async def _refused_over_limit(self, operation_id: str) -> bool:
        """Refuse past the cap with TOO_MANY_OPERATIONS (Strawberry's error has no code).

        Only once acknowledged, so that 4401 (and 4409 for a duplicate id) still win.
        """
        if not self.connection_acknowledged or not _over_limit(
            self.max_subscriptions_per_connection, self.operations, operation_id
        ):
            return False
        error = _too_many_operations().formatted
        await self.send_message({"id": operation_id, "type": "error", "payload": [error]})
        return True

    async def handle_connection_init(self, message: Any) -> None:
        if message.get("payload") is None:
            message = {**message, "payload": {}}
        if not self.connection_init_received and isinstance(message["payload"], dict):
            if not await cast(ConnectionAuthenticator, self.view).authenticate_connection(
                self.context, message["payload"]
            ):
                self.connection_init_received = True
                await self.websocket.close(
                    code=CLOSE_4403_FORBIDDEN, reason=close_reason(self.context)
                )
                return
        await super().handle_connection_init(message)


class _EveryMessage:
    """The socket, every message yielded (:meth:`~.websocket.LiveWebSocketAdapter.iter_messages`).

    Strawberry's legacy handler reads with ``ignore_parsing_errors=True``: a client that
    sends garbage never hears why. This lets :class:`LegacyWSHandler` answer it.
    """

    def __init__(self, websocket: AsyncWebSocketAdapter) -> None:
        self._websocket = websocket

    def __getattr__(self, name: str) -> Any:
        return getattr(self._websocket, name)

    def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncIterator[object]:
        return cast(LiveWebSocketAdapter, self._websocket).iter_messages()


class _StreamingSchema:
    """The schema, with ``subscribe`` answering queries and mutations as well."""

    def __init__(self, schema: Any) -> None:
        self._schema = schema

    def __getattr__(self, name: str) -> Any:
        return getattr(self._schema, name)

    async def subscribe(self, query: str, **kwargs: Any) -> Any:
        return await self._schema.stream(query, **kwargs)


class LegacyWSHandler(BaseGraphQLWSHandler[LiveContext, None]):
    """subscriptions-transport-ws (``graphql-ws`` subprotocol; old Apollo clients)."""

    def __init__(
        self,
        view: Any,
        websocket: AsyncWebSocketAdapter,
        context: LiveContext,
        root_value: None,
        schema: BaseSchema,
        keep_alive: bool,
        keep_alive_interval: float | None,
        max_subscriptions_per_connection: int | None = None,
    ) -> None:
        streaming = cast(BaseSchema, _StreamingSchema(schema))
        super().__init__(
            view,
            cast(AsyncWebSocketAdapter, _EveryMessage(websocket)),
            context,
            root_value,
            streaming,
            keep_alive,
            keep_alive_interval,
            max_subscriptions_per_connection,
        )

    async def handle_message(self, message: Any) -> None:
        if isinstance(message, Refused):
            await self._refuse(message.error or {"message": message.reason})
            return
        if not isinstance(message, dict):
            await self._refuse({"message": "Message must be a JSON object"})
            return
        if not isinstance(message.get("type"), str):
            error: Any = {"type": "error", "id": message.get("id"), "payload": {}}
            error["payload"]["message"] = "Message must have a string type"
            await self.send_message(error)
            return
        if message["type"] == "start" and (problem := _bad_subscribe(message)):
            error = {"type": "error", "id": message.get("id"), "payload": {"message": problem}}
            await self.send_message(error)
            return
        if message["type"] == "start" and await self._refused_over_limit(message["id"]):
            return
        await super().handle_message(cast(Any, message))  # checked above

    async def _refuse(self, payload: dict[str, Any]) -> None:
        """The reference server's answer to a frame it cannot read: ``connection_error``
        saying why; the socket stays open (its later frames are read as usual)."""
        await self.send_message(cast(Any, {"type": "connection_error", "payload": payload}))

    async def _refused_over_limit(self, operation_id: str) -> bool:
        """Refuse past the cap with TOO_MANY_OPERATIONS (Strawberry's error has no code).

        A ``start`` that reuses a running id replaces it, so it never counts as new.
        """
        if not self.connection_acknowledged or not _over_limit(
            self.max_subscriptions_per_connection, self.tasks, operation_id
        ):
            return False
        payload = _too_many_operations().formatted
        await self.send_message(
            cast(Any, {"type": "error", "id": operation_id, "payload": payload})
        )
        return True

    async def handle_connection_init(self, message: Any) -> None:
        payload = message.get("payload")
        if isinstance(payload, dict) and not await cast(
            ConnectionAuthenticator, self.view
        ).authenticate_connection(self.context, payload):
            message = self.context.refusal or "Forbidden"
            await self.send_message({"type": "connection_error", "payload": {"message": message}})
            await self.websocket.close(code=CLOSE_4403_FORBIDDEN, reason=close_reason(self.context))
            return
        await super().handle_connection_init(message)
