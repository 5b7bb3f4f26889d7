"""The Strawberry seams our transport extends, so an upgrade that moves one fails here first.

The protocol handlers subclass Strawberry at public seams (``run_operation``, the
consumer's ``websocket_adapter_class``); the fast path reads one private attribute,
``Schema._schema`` (graphql-core's schema), in one module (live/render.py).
"""

from __future__ import annotations

import inspect

from graphql import GraphQLSchema
from strawberry.channels.handlers.ws_handler import ChannelsWebSocketAdapter
from strawberry.http.async_base_view import AsyncBaseHTTPView
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)

from drf_graphql_live.live.render import prepare_live_operation
from drf_graphql_live.transport.consumers import (
    SERVER_SEND,
    GraphQLWSConsumer,
    LiveWebSocketAdapter,
)
from drf_graphql_live.transport.protocols import TransportWSHandler
from sample_site.schema import schema


def test_strawberry_starts_each_operation_through_run_operation():
    source = inspect.getsource(BaseGraphQLTransportWSHandler.handle_subscribe)
    assert "self.run_operation(operation)" in source
    assert TransportWSHandler.run_operation is not BaseGraphQLTransportWSHandler.run_operation


def test_strawberry_builds_the_websocket_adapter_from_the_consumers_class():
    assert issubclass(GraphQLWSConsumer.websocket_adapter_class, ChannelsWebSocketAdapter)
    assert GraphQLWSConsumer.websocket_adapter_class is LiveWebSocketAdapter
    assert "self.websocket_adapter_class(" in inspect.getsource(AsyncBaseHTTPView.run)


def test_the_adapter_keeps_the_consumer_as_ws_consumer():
    class Consumer:
        scope: dict = {}

        async def send(self, text_data: str) -> None:
            self.sent = text_data

    consumer = Consumer()
    adapter = LiveWebSocketAdapter(None, consumer, consumer)  # type: ignore[arg-type]
    assert adapter.ws_consumer is consumer


async def test_the_frame_writer_uses_the_servers_send_when_live_application_gave_it():
    sent: list[dict] = []

    async def server_send(message: dict) -> None:
        sent.append(message)

    class Consumer:
        scope = {SERVER_SEND: server_send}

    adapter = LiveWebSocketAdapter(None, Consumer(), Consumer())  # type: ignore[arg-type]
    await adapter.send_frame('{"type":"next"}')
    assert sent == [{"type": "websocket.send", "text": '{"type":"next"}'}]


def test_the_schema_exposes_graphql_cores_schema_as_underscore_schema():
    """The one private Strawberry attribute the fast path reads."""
    assert isinstance(schema._schema, GraphQLSchema)
    live = prepare_live_operation(
        schema, "subscription { tasksChanged { kind id node { title } } }", None
    )
    assert live is not None
    assert live.field.name == "tasksChanged"
    assert live.selection == {"title": {}}
